// One bench entry per line: ours, the reference, and ours/reference (> 1 means ours is faster).
// An entry's `unit` (default "/s") names what its figures count; it follows the k/M prefix, so a unit that is a
// word starts with a space (" models/GB" gives "1.3 k models/GB").
function formatRate(value, unit = '/s') {
  if (value === null || value === undefined) {
    return 'n/a';
  }
  if (value >= 1e6) {
    return `${(value / 1e6).toFixed(2)} ${`M${unit}`.trim()}`;
  }
  if (value >= 1e3) {
    return `${(value / 1e3).toFixed(1)} ${`k${unit}`.trim()}`;
  }
  return `${value.toFixed(2)} ${unit.trim()}`;
}

function formatTable(entries) {
  const rows = [
    ['case', 'ours', 'reference', 'reference rate', 'ratio'],
    ...entries.map((e) => [
      e.name,
      formatRate(e.ours_per_s, e.unit),
      e.reference ?? '-',
      formatRate(e.reference_per_s, e.unit),
      e.ratio === null || e.ratio === undefined ? 'n/a' : `${e.ratio.toFixed(2)}x`,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((cell, i) => String(cell).padEnd(widths[i])).join('  ')).join('\n');
}

/**
 * Builds one entry; ratio = ours / reference (both rates, higher is better). `unit` is only for figures that are
 * not per second (the JSON keys stay ours_per_s / reference_per_s).
 */
function entry(name, oursPerSecond, reference, referencePerSecond, unit) {
  const ratio = referencePerSecond ? oursPerSecond / referencePerSecond : null;
  const result = { name, ours_per_s: oursPerSecond, reference, reference_per_s: referencePerSecond ?? null, ratio };
  return unit === undefined ? result : { ...result, unit };
}

module.exports = { formatTable, entry };
