/** One CSV line (RFC 4180 quoting: fields with comma, quote or line break are quoted, quotes doubled). */
export function csvLine(fields: ReadonlyArray<string | number>): string {
  return fields.map(csvField).join(',') + '\n';
}

/**
 * A text cell that a spreadsheet would run as a formula (OWASP "CSV injection": a group value or a column name taken
 * from the input, e.g. a host label `=HYPERLINK(...)`) is written after an apostrophe, which spreadsheets show as
 * text. Numbers, and text that reads as a plain number such as `-5`, are written as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function csvField(field: string | number): string {
  let text = typeof field === 'number' ? (Number.isNaN(field) ? '' : String(field)) : field;
  if (typeof field === 'string' && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
