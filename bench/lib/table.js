// One bench entry per line: ours, the reference, and ours/reference (> 1 means ours is faster).
function formatRate(value) {
  if (value === null || value === undefined) {
    return 'n/a';
  }
  if (value >= 1e6) {
    return `${(value / 1e6).toFixed(2)} M/s`;
  }
  if (value >= 1e3) {
    return `${(value / 1e3).toFixed(1)} k/s`;
  }
  return `${value.toFixed(2)} /s`;
}

function formatTable(entries) {
  const rows = [['case', 'ours', 'reference', 'reference rate', 'ratio'], ...entries.map((e) => [
    e.name,
    formatRate(e.ours_per_s),
    e.reference ?? '-',
    formatRate(e.reference_per_s),
    e.ratio === null || e.ratio === undefined ? 'n/a' : `${e.ratio.toFixed(2)}x`,
  ])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((cell, i) => String(cell).padEnd(widths[i])).join('  ')).join('\n');
}

/** Builds one entry; ratio = ours / reference (both rates, higher is better). */
function entry(name, oursPerSecond, reference, referencePerSecond) {
  const ratio = referencePerSecond ? oursPerSecond / referencePerSecond : null;
  return { name, ours_per_s: oursPerSecond, reference, reference_per_s: referencePerSecond ?? null, ratio };
}

module.exports = { formatTable, entry };
