/**
 * A DUL submission's file, read through the one record reader and the one range parser: each
 * line's range (normalised, duplicates noted, bad lines rejected with their numbers), its policy
 * note and valid-until date, and the exclusions the ISP gave. submission-preview.ts compares it
 * with what is listed; submissions.ts commits and reverts it.
 */
import { basename } from 'node:path';
import { formatRange, parseRange, rangesOverlap, subtractRanges, type AddressRange, type Family } from '../../../shared/address.js';
import { specialSpaceProblem } from '../../../shared/special-ranges.js';
import type { Excerpt } from '../../../shared/dul.js';
import type { Settings } from '../../../shared/settings.js';
import type { ProgressReporter } from '../jobs/progress.js';
import { invalidInput } from '../errors.js';
import { readRecordBatches } from '../io/records.js';
import type { InputFile } from '../io/files.js';
import { addressOrder, RangeColumns } from '../listings/range-columns.js';
import type { PreviewSpool } from './preview-spool.js';

/** Items shown per list in a preview; the totals are always exact. */
const EXCERPT_SIZE = 1000;

export const PROGRESS_EVERY = 65_536;

const MAX_POLICY_NOTE = 2000;

/**
 * A submission file read and checked. The arrays hold every accepted line in file order;
 * `order` lists the positions of the distinct ranges in address order (duplicates left out),
 * so nothing is copied to sort a million entries. Notes and valid-until dates are few: by position.
 */
export interface ParsedSubmission {
  readonly source: string;
  readonly lines: number;
  readonly families: Family[];
  readonly firsts: bigint[];
  readonly lasts: bigint[];
  readonly prefixes: Array<number | null>;
  readonly policyNotes: ReadonlyMap<number, string>;
  readonly validUntils: ReadonlyMap<number, string>;
  readonly lineNumbers: number[];
  readonly order: Int32Array;
  readonly normalisations: Excerpt<string>;
  readonly duplicates: Excerpt<string>;
  readonly rejected: string[];
  readonly rejectedLines: number[];
}

/** The first items of a list, and (when the preview is spooled) every item to the spool. */
export class ExcerptBuilder<T> {
  total = 0;
  readonly items: T[] = [];
  constructor(private readonly sink?: (item: unknown) => void) {}
  add(item: T | (() => T)): void {
    this.total += 1;
    if (this.items.length >= EXCERPT_SIZE && !this.sink) return;
    const value = typeof item === 'function' ? (item as () => T)() : item;
    if (this.items.length < EXCERPT_SIZE) this.items.push(value);
    this.sink?.(value);
  }
  done(): Excerpt<T> {
    return { total: this.total, items: this.items };
  }
}

/**
 * A date of the ISP's terms. A bare day means the whole day (UTC): as a valid-until it runs to
 * the end of that day, as a start it begins at its first second.
 */
export function parseTermDate(text: string, what: string, isEnd: boolean): Date {
  const trimmed = text.trim();
  const isDay = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const isDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed);
  const date = isDay || isDateTime ? new Date(isDay ? `${trimmed}T00:00:00Z` : trimmed) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || (isDay && date.toISOString().slice(0, 10) !== trimmed)) {
    throw invalidInput(`${what} ${JSON.stringify(text)} is not a date (write YYYY-MM-DD or an ISO 8601 time with its offset)`);
  }
  return isDay && isEnd ? new Date(date.getTime() + 86_400_000) : date;
}

function describeFields(count: number): string {
  return `expected "range[,policy note][,valid-until]", found ${count} fields`;
}

/** Read a submission file: every line checked, duplicates merged, ranges in address order. */
export async function parseSubmissionFile(
  file: InputFile,
  settings: Settings,
  now: Date,
  onProgress: ProgressReporter = () => undefined,
  spool?: PreviewSpool,
): Promise<ParsedSubmission> {
  const families: Family[] = [];
  const firsts: bigint[] = [];
  const lasts: bigint[] = [];
  const prefixes: Array<number | null> = [];
  const policyNotes = new Map<number, string>();
  const validUntils = new Map<number, string>();
  const lineNumbers: number[] = [];
  const normalisations = new ExcerptBuilder<string>(spool?.sink('normalisations'));
  const rejected: string[] = [];
  const rejectedLines: number[] = [];
  const reject = (line: number, message: string) => {
    rejected.push(`line ${line}: ${message}`);
    rejectedLines.push(line);
  };
  let lines = 0;
  let isFirst = true;
  onProgress({ stage: 'reading', done: 0, total: 0 });
  for await (const batch of readRecordBatches(file, { maxBytes: settings.import.maxFileBytes })) {
    for (const record of batch) {
      if (record.line % PROGRESS_EVERY === 0) onProgress({ stage: 'reading', done: record.line, total: 0 });
      const [rangeText, noteText, validText] = record.fields;
      if (isFirst) {
        isFirst = false;
        if (rangeText.toLowerCase() === 'range') continue;
      }
      lines += 1;
      if (record.fields.length > 3) {
        reject(record.line, describeFields(record.fields.length));
        continue;
      }
      const parsed = parseRange(rangeText);
      if (!parsed.ok) {
        const delimiter = /[;\t|]/.exec(rangeText);
        reject(record.line, delimiter ? `fields are separated by commas, not ${JSON.stringify(delimiter[0])} (${parsed.error})` : parsed.error);
        continue;
      }
      const range = parsed.value;
      const special = specialSpaceProblem(range);
      if (special) {
        reject(record.line, special);
        continue;
      }
      const note = noteText === undefined || noteText === '' ? null : noteText;
      if (note !== null && note.length > MAX_POLICY_NOTE) {
        reject(record.line, `the policy note is ${note.length} characters; at most ${MAX_POLICY_NOTE}`);
        continue;
      }
      let validUntil: string | null = null;
      if (validText !== undefined && validText !== '') {
        let date: Date;
        try {
          date = parseTermDate(validText, 'valid-until', true);
        } catch (error) {
          reject(record.line, (error as Error).message);
          continue;
        }
        if (date.getTime() <= now.getTime()) {
          reject(record.line, `valid-until ${validText} has already passed`);
          continue;
        }
        validUntil = date.toISOString();
      }
      for (const text of range.notes) normalisations.add(`line ${record.line}: ${text}`);
      families.push(range.family);
      firsts.push(range.first);
      lasts.push(range.last);
      prefixes.push(range.prefix);
      if (note !== null) policyNotes.set(lineNumbers.length, note);
      if (validUntil !== null) validUntils.set(lineNumbers.length, validUntil);
      lineNumbers.push(record.line);
    }
  }

  onProgress({ stage: 'sorting', done: 0, total: families.length });
  const order = addressOrder(RangeColumns.of(families, firsts, lasts));
  const duplicates = new ExcerptBuilder<string>(spool?.sink('duplicates'));
  const distinct = new Int32Array(order.length);
  let count = 0;
  let previous = -1;
  for (const index of order) {
    if (previous !== -1 && families[previous] === families[index] && firsts[previous] === firsts[index] && lasts[previous] === lasts[index]) {
      const kept = previous;
      duplicates.add(() => `line ${lineNumbers[index]}: ${formatRange({ family: families[index], first: firsts[index], last: lasts[index] })} also stands on line ${lineNumbers[kept]}; merged`);
      continue;
    }
    previous = index;
    distinct[count] = index;
    count += 1;
  }
  return {
    source: basename(file.name),
    lines,
    families,
    firsts,
    lasts,
    prefixes,
    policyNotes,
    validUntils,
    lineNumbers,
    order: distinct.subarray(0, count),
    normalisations: normalisations.done(),
    duplicates: duplicates.done(),
    rejected,
    rejectedLines,
  };
}

/** Parse `--exclude` ranges; each must lie inside the submitted ranges. */
export function parseExclusions(texts: readonly string[], parsed: ParsedSubmission): AddressRange[] {
  const exclusions: AddressRange[] = [];
  for (const text of texts) {
    const result = parseRange(text);
    if (!result.ok) throw invalidInput(`exclusion ${JSON.stringify(text)}: ${result.error}`);
    const exclusion = { family: result.value.family, first: result.value.first, last: result.value.last };
    const covering: AddressRange[] = [];
    for (let index = 0; index < parsed.families.length; index += 1) {
      const range = { family: parsed.families[index], first: parsed.firsts[index], last: parsed.lasts[index] };
      if (rangesOverlap(range, exclusion)) covering.push(range);
    }
    const outside = subtractRanges(exclusion, covering);
    if (outside.length > 0) {
      throw invalidInput(`exclusion ${formatRange(exclusion)} is not inside the submission (${formatRange(outside[0])} is not submitted): an exclusion names space of the submitted ranges that must never be listed`);
    }
    exclusions.push(exclusion);
  }
  return exclusions;
}
