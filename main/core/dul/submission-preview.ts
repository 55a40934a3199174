/**
 * A DUL submission's preview: what its ranges overlap (other ISPs' DUL ranges, GAL and RBL,
 * found with the address index of lookup/range-index.ts, one per kind) and how it differs from the ISP's current
 * set, before anything is written. The same preview is what a commit writes (submissions.ts).
 */
import { formatRange, type AddressRange, type Family } from '../../../shared/address.js';
import type { RangeOverlap, SubmissionInput, SubmissionPreview } from '../../../shared/dul.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { committedSql } from '../rule/unfinished.js';
import { RangeIndex } from '../lookup/range-index.js';
import type { ProgressReporter } from '../jobs/progress.js';
import { invalidInput } from '../errors.js';
import type { InputFile } from '../io/files.js';
import { findIsp } from './isps.js';
import { PreviewSpool } from './preview-spool.js';
import { ExcerptBuilder, PROGRESS_EVERY, parseExclusions, parseSubmissionFile, parseTermDate, type ParsedSubmission } from './submission-file.js';

type OverlapKind = 'otherIsp' | 'gal' | 'rbl';

/** An address from SQLite's hex() of its key; IPv4 through a double, which is cheaper than bigint text. */
function valueOfHex(family: Family, hex: string): bigint {
  return family === 4 ? BigInt(parseInt(hex.slice(24), 16)) : BigInt(`0x${hex}`);
}

/** The ISP's current active DUL set, in address order. */
function currentSet(db: ReadDb, ispId: number): { ids: number[]; families: Family[]; firsts: bigint[]; lasts: bigint[] } {
  const set = { ids: [] as number[], families: [] as Family[], firsts: [] as bigint[], lasts: [] as bigint[] };
  for (const [id, family, first, last] of db.iterateRaw(currentSetSql(ispId))) {
    set.ids.push(id as number);
    set.families.push(family as Family);
    set.firsts.push(valueOfHex(family as Family, first as string));
    set.lasts.push(valueOfHex(family as Family, last as string));
  }
  return set;
}

/** The ISP's current active DUL set in address order (the preview's diff walks it beside the file's ranges). */
export function currentSetSql(ispId: number): Sql {
  return sql`SELECT l.id, l.family, hex(l.first), hex(l.last) FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active'
        WHERE s.isp_id = ${ispId} ORDER BY l.family, l.first, l.last`;
}

/**
 * Every active DUL, GAL and RBL listing outside the ISP's own submissions: what a submission's
 * ranges may overlap. One pass over the table (`+status`, `+list`: no index-driven random reads).
 */
export function overlapCandidatesSql(ispId: number): Sql {
  return sql`SELECT id, list, family, hex(first), hex(last), submission_id FROM listings l WHERE +status = 'active' AND +list IN ('DUL', 'GAL', 'RBL') AND ${committedSql('l')}
        AND (submission_id IS NULL OR submission_id NOT IN (SELECT id FROM dul_submissions WHERE isp_id = ${ispId}))`;
}

/** What a submission's ranges may overlap, one address index per kind: other ISPs' DUL ranges (with the ISP's name), GAL and RBL. */
interface OverlapIndexes {
  readonly byKind: Record<OverlapKind, RangeIndex>;
  /** The ISP of another ISP's DUL listing, by listing id. */
  readonly ispOf: Map<number, string | null>;
}

/** Overlap indexes of other ISPs' active DUL ranges, active GAL entries and active RBL listings. */
function overlapIndexes(db: ReadDb, ispId: number): OverlapIndexes {
  const isps = new Map(db.all<{ id: number; name: string }>(sql`SELECT s.id, i.name FROM dul_submissions s JOIN isps i ON i.id = s.isp_id`).map((row) => [row.id, row.name]));
  const entries: Record<OverlapKind, Array<{ family: Family; first: bigint; last: bigint; id: number }>> = { otherIsp: [], gal: [], rbl: [] };
  const ispOf = new Map<number, string | null>();
  // The ISP's own ranges are left out in SQL: they are most of the DUL rows when it resubmits.
  for (const [id, list, family, first, last, submission] of db.iterateRaw(overlapCandidatesSql(ispId))) {
    let kind: OverlapKind;
    if (list === 'DUL') {
      kind = 'otherIsp';
      ispOf.set(id as number, submission === null ? null : (isps.get(submission as number) ?? null));
    } else kind = list === 'GAL' ? 'gal' : 'rbl';
    entries[kind].push({ family: family as Family, first: valueOfHex(family as Family, first as string), last: valueOfHex(family as Family, last as string), id: id as number });
  }
  const indexOf = (kindEntries: Array<{ family: Family; first: bigint; last: bigint; id: number }>) => {
    // The index is loaded in (family, first) order; equal starts in id order (the row order read).
    kindEntries.sort((a, b) => a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : a.id - b.id));
    const index = new RangeIndex();
    const loader = index.startLoad(kindEntries.length);
    for (const entry of kindEntries) loader.push(entry.family, entry.first, entry.last, entry.id);
    loader.finish();
    return index;
  };
  return { byKind: { otherIsp: indexOf(entries.otherIsp), gal: indexOf(entries.gal), rbl: indexOf(entries.rbl) }, ispOf };
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
      const hit = indexes.byKind[kind].findOverlap(family, first, last);
      if (hit) {
        overlaps[kind].add(() => ({
          range: text(),
          line: parsed.lineNumbers[index],
          listingId: hit.id,
          list: kind === 'otherIsp' ? 'DUL' : kind.toUpperCase(),
          otherRange: formatRange({ family, first: hit.first, last: hit.last }),
          isp: kind === 'otherIsp' ? (indexes.ispOf.get(hit.id) ?? null) : null,
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

export interface SubmissionTerms {
  readonly received: string;
  readonly effective: string | null;
  readonly validUntil: string | null;
}

export function termsOf(input: SubmissionInput, now: Date): SubmissionTerms {
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
