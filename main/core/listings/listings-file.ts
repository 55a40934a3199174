/**
 * A file of listings read and checked, without writing anything: plain text (one range per line)
 * or CSV (`range[,txt]`, optional header), through the one reader of user files. The import and
 * its preview both read files this way, so the preview shows exactly what the import would do.
 */
import { ipv4Number, parseRange, type ParsedRange } from '../../../shared/address.js';
import { isSpecialIpv4, specialSpaceProblem } from '../../../shared/special-ranges.js';
import { readRecordBatches } from '../io/records.js';
import type { InputFile } from '../io/files.js';
import { checkTxt } from './txt.js';
import { RangeColumns } from './range-columns.js';
import type { ProgressReporter } from '../jobs/progress.js';

/** Problems and notes kept word for word; the counts go on past them. */
const MAX_REPORTED_PROBLEMS = 50;
const MAX_REPORTED_NOTES = 20;
const PROGRESS_EVERY = 65_536;

export interface ListingsFile {
  /** Entries read (blank and comment lines and a header are not entries). */
  readonly entries: number;
  /** The good entries, column-wise, with the line each stands on. */
  readonly ranges: RangeColumns;
  readonly prefixes: Array<number | null>;
  readonly texts: Array<string | null>;
  readonly lines: number[];
  /** Bad lines (`line N: why`), the first MAX_REPORTED_PROBLEMS, and how many in all. */
  readonly problems: string[];
  readonly problemCount: number;
  /** Normalisations (host bits cleared, IPv4-mapped input), the first MAX_REPORTED_NOTES, and how many in all. */
  readonly notes: string[];
  readonly noteCount: number;
}

export async function readListingsFile(
  input: InputFile,
  defaultTxt: string | null,
  maxBytes: number,
  onProgress: ProgressReporter,
): Promise<ListingsFile> {
  const file: ListingsFile = { entries: 0, ranges: new RangeColumns(), prefixes: [], texts: [], lines: [], problems: [], problemCount: 0, notes: [], noteCount: 0 };
  let entries = 0;
  let problemCount = 0;
  let noteCount = 0;
  const report = (line: number, message: string) => {
    problemCount += 1;
    if (file.problems.length < MAX_REPORTED_PROBLEMS) file.problems.push(`line ${line}: ${message}`);
  };
  onProgress({ stage: 'reading', done: 0, total: 0 });
  // A block of records at a time: one await a block, not one a line.
  for await (const batch of readRecordBatches(input, { maxBytes })) {
    for (const record of batch) {
      if (record.line % PROGRESS_EVERY === 0) onProgress({ stage: 'reading', done: record.line, total: 0 });
      const rangeText = record.fields[0];
      const txtText = record.fields[1] as string | undefined;
      if (record.line === 1 && rangeText.toLowerCase() === 'range') continue;
      entries += 1;
      if (record.fields.length > 2) {
        report(record.line, `expected "range" or "range,txt", found ${record.fields.length} fields`);
        continue;
      }
      // A plain IPv4 address (most lines of a feed) stays a number: no bigint and no object.
      const address = ipv4Number(rangeText);
      let range: ParsedRange | null = null;
      if (address === -1 || isSpecialIpv4(address, address)) {
        const parsed = parseRange(rangeText);
        if (!parsed.ok) {
          report(record.line, parsed.error);
          continue;
        }
        const special = specialSpaceProblem(parsed.value);
        if (special) {
          report(record.line, special);
          continue;
        }
        range = parsed.value;
      }
      let txt = defaultTxt;
      if (txtText !== undefined && txtText !== '') {
        try {
          txt = checkTxt(txtText);
        } catch (error) {
          report(record.line, (error as Error).message);
          continue;
        }
      }
      if (range === null) {
        file.ranges.pushIpv4(address, address);
        file.prefixes.push(32);
      } else {
        for (const note of range.notes) {
          noteCount += 1;
          if (file.notes.length < MAX_REPORTED_NOTES) file.notes.push(`line ${record.line}: ${note}`);
        }
        file.ranges.push(range.family, range.first, range.last);
        file.prefixes.push(range.prefix);
      }
      file.texts.push(txt);
      file.lines.push(record.line);
    }
  }
  return { ...file, entries, problemCount, noteCount };
}
