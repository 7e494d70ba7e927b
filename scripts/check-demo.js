#!/usr/bin/env node
// Checks the CLI demo's output the way a user would read it: every file is there, every labelled anomaly
// window of the sample has at least one flagged row, at least 80 % of the flagged rows are inside a labelled window
// (precision: alerts that are not noise), and the report is a standalone offline page.
// Usage: node scripts/check-demo.js OUTPUT_DIR LABELS_CSV
const fs = require('fs');
const path = require('path');
const { parse } = require('csv-parse/sync');

const [outputDir, labelsFile] = process.argv.slice(2);
const MIN_PRECISION = 0.8;
const failures = [];
const readCsv = (file) => parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true });

for (const name of ['scores.csv', 'anomalies.csv', 'summary.json', 'model.json', 'report.html']) {
  if (!fs.existsSync(path.join(outputDir, name))) {
    failures.push(`missing ${name}`);
  }
}
if (failures.length === 0) {
  const scores = readCsv(path.join(outputDir, 'scores.csv'));
  const flaggedTimes = scores
    .filter((row) => row.is_anomaly === '1' || row.is_anomaly === 'true')
    .map((row) => Date.parse(row.timestamp));
  const labels = readCsv(labelsFile);
  for (const label of labels) {
    const start = Date.parse(label.start);
    const end = Date.parse(label.end);
    const hits = flaggedTimes.filter((t) => t >= start && t <= end).length;
    console.log(`${label.kind.padEnd(16)} ${label.start} .. ${label.end}: ${hits} flagged row(s)`);
    if (hits === 0) {
      failures.push(`labelled anomaly ${label.kind} at ${label.start} was not flagged`);
    }
  }
  const inLabel = flaggedTimes.filter((t) =>
    labels.some((l) => t >= Date.parse(l.start) && t <= Date.parse(l.end))
  ).length;
  const precision = inLabel / Math.max(1, flaggedTimes.length);
  console.log(
    `flagged rows: ${flaggedTimes.length}, inside labelled windows: ${inLabel} (precision ${precision.toFixed(2)})`
  );
  if (precision < MIN_PRECISION) {
    failures.push(`precision ${precision.toFixed(2)} is below ${MIN_PRECISION}: most flags are noise`);
  }
  const report = fs.readFileSync(path.join(outputDir, 'report.html'), 'utf8');
  if (/<(script|link)[^>]+(src|href)=["']?https?:/i.test(report)) {
    failures.push('report.html loads something from the network');
  }
  const summary = JSON.parse(fs.readFileSync(path.join(outputDir, 'summary.json'), 'utf8'));
  console.log(`summary: ${JSON.stringify(summary).slice(0, 300)}`);
}
if (failures.length > 0) {
  console.error(`demo check failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('demo check passed');
