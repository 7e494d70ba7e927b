/** One CSV line (RFC 4180 quoting: fields with comma, quote or line break are quoted, quotes doubled). */
export function csvLine(fields: ReadonlyArray<string | number>): string {
  return fields.map(csvField).join(',') + '\n';
}

export function csvField(field: string | number): string {
  const text = typeof field === 'number' ? (Number.isNaN(field) ? '' : String(field)) : field;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
