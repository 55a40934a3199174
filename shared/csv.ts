/**
 * CSV cells safe to open in a spreadsheet: a cell that a spreadsheet would take as a formula
 * (beginning with = + - @, or a tab or carriage return that some strip before reading it) gets a
 * leading apostrophe, then a cell holding a comma, quote or line break is quoted as RFC 4180
 * needs. One writer for every CSV the core or the app produces.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised if a spreadsheet would run it, quoted if it holds a comma, quote or line break. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of cells, ending in CRLF. */
export function csvLine(cells: ReadonlyArray<string | number | null>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
