#!/usr/bin/env node
// `npm run bench`: measures ours and the references in the same run, on the same data, and prints one table
// plus bench-results.json (one entry per case: name, ours_per_s, reference, reference_per_s, ratio).
// Each file in bench/cases/ exports `run(context) => Promise<entry[]>`; a case whose reference is not
// installed reports reference_per_s = null instead of failing the run.
const fs = require('fs');
const path = require('path');
const { formatTable } = require('./lib/table');

async function main() {
  const only = process.argv.slice(2);
  const caseFiles = fs
    .readdirSync(path.join(__dirname, 'cases'))
    .filter((f) => f.endsWith('.js'))
    .sort()
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
  const entries = [];
  for (const file of caseFiles) {
    process.stderr.write(`bench: ${file}\n`);
    const results = await require(path.join(__dirname, 'cases', file)).run();
    entries.push(...results);
  }
  fs.writeFileSync(path.join(process.cwd(), 'bench-results.json'), JSON.stringify(entries, null, 2) + '\n');
  process.stdout.write(formatTable(entries) + '\n');
  process.stdout.write(`wrote bench-results.json (${entries.length} entries)\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
