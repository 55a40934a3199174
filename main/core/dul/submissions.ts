/**
 * DUL submissions: an ISP's file of dynamic ranges read through the one record reader and the
 * one range parser, previewed against what is listed (normalisations, duplicates, rejected
 * lines, overlaps with other ISPs' DUL ranges, GAL and RBL, the diff against the ISP's current
 * set), committed as a replace or an addition in one transaction, and reverted exactly.
 */
import { basename } from 'node:path';
import {
  formatRange,
  parseRange,
  rangesOverlap,
  readAddressKeyHex,
  subtractRanges,
  writeAddressKey,
  type AddressRange,
  type Family,
} from '../../../shared/address.js';
import { specialSpaceProblem } from '../../../shared/special-ranges.js';
import type { Excerpt, RangeOverlap, RevertResult, SubmissionInput, SubmissionPreview, SubmissionResult } from '../../../shared/dul.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import type { ProgressReporter } from '../jobs/progress.js';
import { DEFERRABLE_LISTING_INDEXES, withDeferredIndexes } from '../db/bulk-indexes.js';
import { conflict, invalidInput, notFound } from '../errors.js';
import { ListingBatch, delistMany, restoreCopies } from '../listings/batches.js';
import { listingWriter } from '../listings/changes.js';
import { requireActor } from '../investigators/investigators.js';
import { readRecordBatches } from '../io/records.js';
import type { InputFile } from '../io/files.js';
import { addressOrder } from '../listings/listings.js';
import { findIsp, getSubmission } from './isps.js';
import { PreviewSpool } from './preview-spool.js';

/** Items shown per list in a preview; the totals are always exact. */
const EXCERPT_SIZE = 1000;
const PROGRESS_EVERY = 65_536;
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
class ExcerptBuilder<T> {
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
  const order = addressOrder(families, firsts, lasts);
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

/** Intervals sorted by start with the running maximum end: "which of these overlap R" by binary search. */
class OverlapIndex {
  private readonly firsts: bigint[] = [];
  private readonly lasts: bigint[] = [];
  private readonly maxLasts: bigint[] = [];
  private readonly ids: number[] = [];
  private readonly labels: Array<string | null> = [];

  constructor(entries: Array<{ first: bigint; last: bigint; id: number; label: string | null }>) {
    entries.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let max = -1n;
    for (const entry of entries) {
      this.firsts.push(entry.first);
      this.lasts.push(entry.last);
      max = entry.last > max ? entry.last : max;
      this.maxLasts.push(max);
      this.ids.push(entry.id);
      this.labels.push(entry.label);
    }
  }

  get size(): number {
    return this.firsts.length;
  }

  /** The first entry (scanning down from the highest start) that overlaps [first, last], or -1. */
  find(first: bigint, last: bigint): { first: bigint; last: bigint; id: number; label: string | null } | null {
    let low = 0;
    let high = this.firsts.length - 1;
    let at = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.firsts[middle] <= last) {
        at = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    for (let index = at; index >= 0 && this.maxLasts[index] >= first; index -= 1) {
      if (this.lasts[index] >= first) return { first: this.firsts[index], last: this.lasts[index], id: this.ids[index], label: this.labels[index] };
    }
    return null;
  }
}

type OverlapKind = 'otherIsp' | 'gal' | 'rbl';

function hexToValue(hex: string): bigint {
  return readAddressKeyHex(hex).value;
}

/** An address from SQLite's hex() of its key; IPv4 through a double, which is cheaper than bigint text. */
function valueOfHex(family: Family, hex: string): bigint {
  return family === 4 ? BigInt(parseInt(hex.slice(24), 16)) : BigInt(`0x${hex}`);
}

/** The ISP's current active DUL set, in address order. */
function currentSet(db: ReadDb, ispId: number): { ids: number[]; families: Family[]; firsts: bigint[]; lasts: bigint[] } {
  const set = { ids: [] as number[], families: [] as Family[], firsts: [] as bigint[], lasts: [] as bigint[] };
  for (const [id, family, first, last] of db.iterateRaw(
    sql`SELECT l.id, l.family, hex(l.first), hex(l.last) FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active'
        WHERE s.isp_id = ${ispId} ORDER BY l.family, l.first, l.last`,
  )) {
    set.ids.push(id as number);
    set.families.push(family as Family);
    set.firsts.push(valueOfHex(family as Family, first as string));
    set.lasts.push(valueOfHex(family as Family, last as string));
  }
  return set;
}

/** Overlap indexes of other ISPs' active DUL ranges, active GAL entries and active RBL listings, per family. */
function overlapIndexes(db: ReadDb, ispId: number): Map<string, OverlapIndex> {
  const isps = new Map(db.all<{ id: number; name: string }>(sql`SELECT s.id, i.name FROM dul_submissions s JOIN isps i ON i.id = s.isp_id`).map((row) => [row.id, row.name]));
  const entries = new Map<string, Array<{ first: bigint; last: bigint; id: number; label: string | null }>>();
  // The ISP's own ranges are left out in SQL: they are most of the DUL rows when it resubmits.
  for (const [id, list, family, first, last, submission] of db.iterateRaw(
    sql`SELECT id, list, family, hex(first), hex(last), submission_id FROM listings WHERE +status = 'active' AND +list IN ('DUL', 'GAL', 'RBL')
        AND (submission_id IS NULL OR submission_id NOT IN (SELECT id FROM dul_submissions WHERE isp_id = ${ispId}))`,
  )) {
    let kind: OverlapKind;
    let label: string | null = null;
    if (list === 'DUL') {
      kind = 'otherIsp';
      label = submission === null ? null : (isps.get(submission as number) ?? null);
    } else kind = list === 'GAL' ? 'gal' : 'rbl';
    const key = `${kind}/${family as number}`;
    let bucket = entries.get(key);
    if (!bucket) entries.set(key, (bucket = []));
    bucket.push({ first: hexToValue(first as string), last: hexToValue(last as string), id: id as number, label });
  }
  return new Map([...entries].map(([key, bucket]) => [key, new OverlapIndex(bucket)]));
}

interface PreviewWork {
  readonly preview: SubmissionPreview;
  /** Positions (in the parsed arrays) to insert, and the current listing ids to delist. */
  readonly toInsert: number[];
  readonly toDelist: number[];
}

/** Compare two ranges in (family, first, last) order. */
function compareEntry(family: Family, first: bigint, last: bigint, otherFamily: Family, otherFirst: bigint, otherLast: bigint): number {
  if (family !== otherFamily) return family - otherFamily;
  if (first !== otherFirst) return first < otherFirst ? -1 : 1;
  return last === otherLast ? 0 : last < otherLast ? -1 : 1;
}

/** Everything a submission would do, against the database as `db` sees it now. Writes nothing. */
export function computePreview(
  db: ReadDb,
  parsed: ParsedSubmission,
  input: { isp: string; mode: 'replace' | 'add'; validUntil: string | null; exclusions: readonly AddressRange[] },
  onProgress: ProgressReporter = () => undefined,
  spool?: PreviewSpool,
): PreviewWork {
  const isp = findIsp(db, input.isp);
  onProgress({ stage: 'comparing', done: 0, total: parsed.order.length });
  const current = currentSet(db, isp.id);
  const indexes = overlapIndexes(db, isp.id);
  const overlaps: Record<OverlapKind, ExcerptBuilder<RangeOverlap>> = {
    otherIsp: new ExcerptBuilder(spool?.sink('otherIspOverlaps')),
    gal: new ExcerptBuilder(spool?.sink('galOverlaps')),
    rbl: new ExcerptBuilder(spool?.sink('rblOverlaps')),
  };
  const added = new ExcerptBuilder<string>(spool?.sink('added'));
  const removed = new ExcerptBuilder<string>(input.mode === 'replace' ? spool?.sink('removed') : undefined);
  const toInsert: number[] = [];
  const toDelist: number[] = [];
  let unchanged = 0;
  let ipv4 = 0;
  const currentRange = (position: number) => formatRange({ family: current.families[position], first: current.firsts[position], last: current.lasts[position] });
  let cursor = 0;
  const count = parsed.order.length;
  for (let position = 0; position < count; position += 1) {
    if (position % PROGRESS_EVERY === 0) onProgress({ stage: 'comparing', done: position, total: count });
    const index = parsed.order[position];
    const family = parsed.families[index];
    const first = parsed.firsts[index];
    const last = parsed.lasts[index];
    if (family === 4) ipv4 += 1;
    const text = () => formatRange({ family, first, last });
    for (const kind of ['otherIsp', 'gal', 'rbl'] as const) {
      const overlapIndex = indexes.get(`${kind}/${family}`);
      if (!overlapIndex) continue;
      const hit = overlapIndex.find(first, last);
      if (hit) {
        overlaps[kind].add(() => ({
          range: text(),
          line: parsed.lineNumbers[index],
          listingId: hit.id,
          list: kind === 'otherIsp' ? 'DUL' : kind.toUpperCase(),
          otherRange: formatRange({ family, first: hit.first, last: hit.last }),
          isp: hit.label,
        }));
      }
    }
    let comparison = 1;
    while (cursor < current.ids.length && (comparison = compareEntry(family, first, last, current.families[cursor], current.firsts[cursor], current.lasts[cursor])) > 0) {
      if (input.mode === 'replace') {
        const position = cursor;
        removed.add(() => currentRange(position));
      }
      toDelist.push(current.ids[cursor]);
      cursor += 1;
    }
    if (cursor < current.ids.length && comparison === 0) {
      unchanged += 1;
      toDelist.push(current.ids[cursor]);
      cursor += 1;
      if (input.mode === 'add') continue;
    } else added.add(text);
    toInsert.push(index);
  }
  for (; cursor < current.ids.length; cursor += 1) {
    if (input.mode === 'replace') {
      const position = cursor;
      removed.add(() => currentRange(position));
    }
    toDelist.push(current.ids[cursor]);
  }
  const preview: SubmissionPreview = {
    isp: isp.name,
    mode: input.mode,
    source: parsed.source,
    lines: parsed.lines,
    ranges: count,
    ipv4,
    ipv6: count - ipv4,
    validUntil: input.validUntil,
    exclusions: input.exclusions.map(formatRange),
    normalisations: parsed.normalisations,
    duplicates: parsed.duplicates,
    rejected: parsed.rejected,
    rejectedLines: parsed.rejectedLines,
    otherIspOverlaps: overlaps.otherIsp.done(),
    galOverlaps: overlaps.gal.done(),
    rblOverlaps: overlaps.rbl.done(),
    diff: { added: added.done(), removed: removed.done(), unchanged },
    spool: spool?.id ?? null,
  };
  return { preview, toInsert, toDelist: input.mode === 'replace' ? toDelist : [] };
}

interface SubmissionTerms {
  readonly received: string;
  readonly effective: string | null;
  readonly validUntil: string | null;
}

function termsOf(input: SubmissionInput, now: Date): SubmissionTerms {
  const validUntil = input.validUntil === undefined ? null : parseTermDate(input.validUntil, '--valid-until', true);
  if (validUntil && validUntil.getTime() <= now.getTime()) throw invalidInput(`--valid-until ${input.validUntil} has already passed`);
  const effective = input.effective === undefined ? null : parseTermDate(input.effective, '--effective', false);
  if (effective && validUntil && effective.getTime() >= validUntil.getTime()) {
    throw invalidInput(`--effective ${input.effective} is not before --valid-until ${input.validUntil}: the ranges would never be in force`);
  }
  return {
    received: input.received === undefined ? now.toISOString() : parseTermDate(input.received, '--submitted', false).toISOString(),
    effective: effective?.toISOString() ?? null,
    validUntil: validUntil?.toISOString() ?? null,
  };
}

/** The dry run: what committing this submission would do. Writes nothing. */
export async function previewSubmission(db: ReadDb, input: SubmissionInput, file: InputFile, settings: Settings, now: Date, onProgress?: ProgressReporter): Promise<SubmissionPreview> {
  findIsp(db, input.isp);
  const terms = termsOf(input, now);
  const spool = new PreviewSpool();
  try {
    const parsed = await parseSubmissionFile(file, settings, now, onProgress, spool);
    const exclusions = parseExclusions(input.exclude, parsed);
    const preview = db.snapshot((snapshot) => computePreview(snapshot, parsed, { isp: input.isp, mode: input.mode, validUntil: terms.validUntil, exclusions }, onProgress, spool).preview);
    spool.finish();
    return preview;
  } catch (error) {
    spool.discard();
    throw error;
  }
}

function sameLines(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((line, index) => line === b[index]);
}

function earlier(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/**
 * Commit a submission: replace the ISP's active DUL set with the file's ranges (the old
 * listings are delisted, the new ones created and linked to the submission) or add to it. One
 * transaction. Refused while any line is rejected, unless `confirmRejected` names exactly the
 * rejected lines (the user saw them in the preview and accepts leaving them out).
 */
export async function commitSubmission(
  db: WriteDb,
  actorName: string | null,
  input: SubmissionInput,
  file: InputFile,
  settings: Settings,
  now: Date,
  onProgress: ProgressReporter = () => undefined,
): Promise<SubmissionResult> {
  requireActor(db, actorName, 'liaison');
  findIsp(db, input.isp);
  const terms = termsOf(input, now);
  const parsed = await parseSubmissionFile(file, settings, now, onProgress);
  if (parsed.rejected.length > 0 && !(input.confirmRejected && sameLines(input.confirmRejected, parsed.rejectedLines))) {
    const count = parsed.rejected.length;
    throw invalidInput(`${parsed.source}: ${count} bad line${count === 1 ? '' : 's'}; nothing was imported`, parsed.rejected);
  }
  if (parsed.order.length === 0) throw invalidInput(`${parsed.source} has no ranges to list; nothing was imported`);
  const exclusions = parseExclusions(input.exclude, parsed);
  const at = now.toISOString();
  const result = db.transaction(() =>
    withDeferredIndexes(db, DEFERRABLE_LISTING_INDEXES, input.mode === 'replace' ? parsed.order.length * 2 : parsed.order.length, () => {
    const actor = requireActor(db, actorName, 'liaison');
    const isp = findIsp(db, input.isp);
    const work = computePreview(db, parsed, { isp: isp.name, mode: input.mode, validUntil: terms.validUntil, exclusions }, onProgress);
    const { preview } = work;
    const submissionId = Number(
      db.run(sql`INSERT INTO dul_submissions (isp_id, mode, source, submitted_by, received_at, effective_at, valid_until, policy_notes, investigator_id,
          added, removed, unchanged, created_at)
        VALUES (${isp.id}, ${input.mode}, ${parsed.source}, ${input.submittedBy ?? null}, ${terms.received}, ${terms.effective}, ${terms.validUntil},
          ${input.policyNotes ?? null}, ${actor.id}, ${preview.diff.added.total}, ${preview.diff.removed.total}, ${preview.diff.unchanged}, ${at})`).lastInsertRowid,
    );
    const writer = listingWriter(db, actor.name, at);
    const { history } = writer;
    const exclusionInsert = db.prepare('INSERT INTO dul_exclusions (submission_id, family, first, last) VALUES (?, ?, ?, ?)');
    for (const exclusion of exclusions) {
      exclusionInsert.run(submissionId, exclusion.family, Buffer.from(keyOf(exclusion.family, exclusion.first)), Buffer.from(keyOf(exclusion.family, exclusion.last)));
    }

    if (work.toDelist.length > 0) {
      onProgress({ stage: 'delisting', done: 0, total: work.toDelist.length });
      // A replace delists the ISP's whole active set, which is exactly what the preview read in
      // this transaction: remembered for a revert, then delisted in one statement.
      const replaced = db.run(sql`INSERT INTO dul_replaced (submission_id, listing_id)
        SELECT ${submissionId}, l.id FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active'
        WHERE s.isp_id = ${isp.id} AND s.id <> ${submissionId}`).changes;
      if (replaced !== work.toDelist.length) throw new Error(`the ISP's set changed during the import (${replaced} listings, ${work.toDelist.length} previewed)`);
      delistMany(writer, sql`SELECT listing_id FROM dul_replaced WHERE submission_id = ${submissionId}`, {
        why: `replaced by DUL submission #${submissionId} of ${isp.name}`,
        details: { submission: submissionId, isp: isp.name },
      });
    }

    const batch = new ListingBatch(writer, { list: 'DUL', reason: 'dynamic', investigatorId: actor.id, submissionId });
    const notes: Array<[number, string]> = [];
    let done = 0;
    for (const index of work.toInsert) {
      done += 1;
      if (done % PROGRESS_EVERY === 0) onProgress({ stage: 'writing', done, total: work.toInsert.length });
      const family = parsed.families[index];
      batch.keysOf(family, parsed.firsts[index], parsed.lasts[index]);
      const id = batch.add(family, parsed.prefixes[index], null, null, earlier(parsed.validUntils.get(index) ?? null, terms.validUntil));
      const note = parsed.policyNotes.get(index);
      if (note !== undefined) notes.push([id, note]);
    }
    batch.finish('listings.imported', {
      why: `DUL submission #${submissionId} of ${isp.name}`,
      details: { list: 'DUL', reason: 'dynamic', submission: submissionId, isp: isp.name, source: parsed.source },
    });
    // The ISP's notes on its ranges, once the listings they belong to are in.
    const noteInsert = db.prepare('INSERT INTO dul_range_notes (listing_id, note) VALUES (?, ?)');
    for (const [id, note] of notes) noteInsert.run(id, note);
    history.append({
      actor: actor.name,
      action: 'dul.submitted',
      subjectType: 'dul-submission',
      subjectId: submissionId,
      details: {
        isp: isp.name,
        mode: input.mode,
        source: parsed.source,
        submittedBy: input.submittedBy ?? null,
        received: terms.received,
        effective: terms.effective,
        validUntil: terms.validUntil,
        exclusions: preview.exclusions,
        added: preview.diff.added.total,
        removed: preview.diff.removed.total,
        unchanged: preview.diff.unchanged,
        rejectedLines: parsed.rejectedLines.length,
      },
    });
    return { submissionId, preview };
  }),
  );
  return { submission: getSubmission(db, result.submissionId), preview: result.preview };
}

function keyOf(family: Family, value: bigint): Uint8Array {
  const key = new Uint8Array(16);
  writeAddressKey(family, value, key, 0);
  return key;
}

/**
 * Revert a submission: its listings are delisted and the listings its replace delisted are
 * created again (same ranges, terms, notes and original submission), so the ISP's active set
 * is exactly what it was before. Only the ISP's latest submission still in force can be reverted.
 */
export function revertSubmission(db: WriteDb, actorName: string | null, id: number, now: Date): RevertResult {
  const at = now.toISOString();
  const counts = db.transaction(() => {
    const actor = requireActor(db, actorName, 'liaison');
    const submission = db.get<{ id: number; isp_id: number; reverted_at: string | null; name: string }>(
      sql`SELECT s.id, s.isp_id, s.reverted_at, i.name FROM dul_submissions s JOIN isps i ON i.id = s.isp_id WHERE s.id = ${id}`,
    );
    if (!submission) throw notFound(`no DUL submission #${id}`);
    if (submission.reverted_at !== null) throw conflict(`DUL submission #${id} was already reverted at ${submission.reverted_at}`);
    const later = db.get<{ id: number }>(sql`SELECT id FROM dul_submissions WHERE isp_id = ${submission.isp_id} AND id > ${id} AND reverted_at IS NULL ORDER BY id LIMIT 1`);
    if (later) throw conflict(`DUL submission #${later.id} of ${submission.name} came after #${id}; revert it first`);
    const writer = listingWriter(db, actor.name, at);
    const { history } = writer;
    const delisted = delistMany(writer, sql`SELECT id FROM listings WHERE submission_id = ${id} AND status = 'active'`, {
      why: `DUL submission #${id} of ${submission.name} reverted`,
      details: { submission: id, isp: submission.name },
    });

    // The previous set comes back as new listings (listings keep their status history), copied
    // from the delisted ones in address order, in one contiguous run of ids.
    const restored = restoreCopies(writer, sql`SELECT listing_id FROM dul_replaced WHERE submission_id = ${id}`, {
      why: `DUL submission #${id} of ${submission.name} reverted: the previous set is restored`,
      details: { submission: id, isp: submission.name },
    });
    const count = restored.count;
    if (count > 0) {
      db.run(sql`INSERT INTO dul_range_notes (listing_id, note)
        SELECT n.id, note.note FROM dul_replaced r JOIN dul_range_notes note ON note.listing_id = r.listing_id JOIN listings o ON o.id = r.listing_id
        JOIN listings n ON n.family = o.family AND n.first = o.first AND n.last = o.last AND n.id BETWEEN ${restored.firstId} AND ${restored.lastId}
        WHERE r.submission_id = ${id}`);
    }
    db.run(sql`UPDATE dul_submissions SET reverted_at = ${at}, reverted_by = ${actor.id} WHERE id = ${id}`);
    history.append({
      actor: actor.name,
      action: 'dul.reverted',
      subjectType: 'dul-submission',
      subjectId: id,
      details: { isp: submission.name, delisted, restored: count },
    });
    return { delisted, restored: count };
  });
  return { submission: getSubmission(db, id), ...counts };
}
