/**
 * From listings to what the zones answer. Reads one consistent snapshot of the database, keeps
 * what is in force now (active; suppression lapsed; QIL not expired), resolves overlaps per list
 * (the most specific listing speaks; on QIL the least level wins), lets GAL win over every
 * blocklist (reporting each conflict), adds the RFC 5782 test points, and builds the combined
 * zone. Pure computation after the read: nothing here writes.
 */
import { formatRange, type Family } from '../../../shared/address.js';
import { LISTS, REASON_LABELS, type ListName, type Reason } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { combine, flatten, intersect, subtract, type Interval } from './segments.js';
import { applyExclusions, readExclusions, readSubmissionIsps } from '../dul/limits.js';
import type { Segment, ZoneAnswer } from './types.js';

/** Lists published as blocklists (in the combined zone); GAL is the allow-list. */
export const BLOCKLISTS = ['RBL', 'DUL', 'QIL', 'MML'] as const satisfies readonly ListName[];

/** RFC 5782 test points: listed (2) and never listed (1), in each family's zone. */
export const TEST_POINTS: Record<Family, { listed: bigint; unlisted: bigint }> = {
  4: { listed: 0x7f000002n, unlisted: 0x7f000001n },
  6: { listed: 0xffff7f000002n, unlisted: 0xffff7f000001n },
};

const TEST_POINT_TXT = 'RFC 5782 test point: this address is always listed';

/** A listing in force, as publishing sees it. */
export interface PublishedListing {
  readonly id: number;
  readonly list: ListName;
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
  readonly reason: Reason;
  readonly txt: string | null;
  readonly level: number | null;
}

/** One zone's content: origin suffix and the segments per family. */
export interface ResolvedZone {
  readonly name: ListName | 'combined';
  readonly segments: Record<Family, Segment[]>;
}

export interface GalConflict {
  readonly list: ListName;
  readonly range: string;
  readonly galRange: string;
}

export interface Resolution {
  /** The listing ids in force per list (the basis of the diff between snapshots). */
  readonly inForce: Record<ListName, number[]>;
  /** Every list's zone, and the combined zone unless it was left to `combineBlocklists` elsewhere. */
  readonly zones: ResolvedZone[];
  /** Per family, the four blocklists' segments (RBL, DUL, QIL, MML): what the combined zone is made of. */
  readonly blocklists: Record<Family, Array<Array<Interval<ZoneAnswer>>>>;
  readonly galConflicts: GalConflict[];
  readonly galConflictCount: number;
}

/** Rows read per query: a chunk's text stays well under a MB, and each query under the slow-query log's 40 ms. */
const READ_CHUNK_ROWS = 8192;
const FIELD = '\u001f';
/** One row: id, list, family, first, last (IPv4: the low 32 bits' hex), reason, level, submission, has a TXT. */
const ROW_FORMAT = ['%d', '%s', '%d', '%s', '%s', '%s', '%s', '%s', '%d'].join(FIELD);

/**
 * Read the listings in force at `now` in one read transaction, sorted by id. A DUL listing past
 * its submission's valid-until has expired (expires_at), one whose submission's effective date
 * is still ahead is not in force yet (and what that submission replaced still is); the ISP's
 * exclusions are cut out of its DUL listings, which may leave several pieces with the same id.
 *
 * A million rows one by one cost more in the driver than in SQLite, so each chunk of rows (by
 * id, after the last one read) comes as one text (fields and rows split by the ASCII unit and record separators, which no
 * list or reason name contains); the free-text TXT is read on its own, for the rows that have one.
 */
export function readListingsInForce(db: ReadDb, now: Date): PublishedListing[] {
  const at = now.toISOString();
  const listings: PublishedListing[] = [];
  return db.snapshot((snapshot) => {
    const submissionOf = new Map<number, number>();
    const inForce = inForceCondition(snapshot, at);
    // Keyset chunks: the next READ_CHUNK_ROWS rows in force after the last id read.
    for (let after = Number.MIN_SAFE_INTEGER; ; ) {
      const chunk = snapshot.get<{ high: number | null; rows: string | null }>(sql`SELECT max(id) AS high, group_concat(printf(${ROW_FORMAT},
          id, list, family, hex(CASE family WHEN 4 THEN substr(first, 13) ELSE first END),
          hex(CASE family WHEN 4 THEN substr(last, 13) ELSE last END), reason, ifnull(level, ''),
          ifnull(submission_id, ''), txt IS NOT NULL), char(30)) AS rows
        FROM (SELECT id, list, family, first, last, reason, level, submission_id, txt FROM listings
              WHERE id > ${after} AND ${inForce} ORDER BY id LIMIT ${READ_CHUNK_ROWS})`);
      const text = chunk?.rows ?? null;
      if (text === null || chunk === undefined || chunk.high === null) break;
      const from = after;
      const to = chunk.high;
      after = to;
      let texts: Map<number, string> | null = null;
      let position = 0;
      // The rows come in the subquery's id order; checked, not assumed.
      let isSorted = true;
      const chunkStart = listings.length;
      while (position < text.length) {
        let end = text.indexOf(FIELD, position);
        const id = decimalAt(text, position, end);
        if (listings.length > chunkStart && id < listings[listings.length - 1].id) isSorted = false;
        position = end + 1;
        end = text.indexOf(FIELD, position);
        const list = knownText(LISTS, text, position, end) as ListName;
        const isV4 = text.charCodeAt(end + 1) === 0x34;
        position = end + 3;
        end = text.indexOf(FIELD, position);
        const first = isV4 ? BigInt(hexAt(text, position, end)) : BigInt(`0x${text.slice(position, end)}`);
        position = end + 1;
        end = text.indexOf(FIELD, position);
        const last = isV4 ? BigInt(hexAt(text, position, end)) : BigInt(`0x${text.slice(position, end)}`);
        position = end + 1;
        end = text.indexOf(FIELD, position);
        const reason = knownText(REASONS, text, position, end) as Reason;
        position = end + 1;
        end = text.indexOf(FIELD, position);
        const level = end === position ? null : decimalAt(text, position, end);
        position = end + 1;
        end = text.indexOf(FIELD, position);
        if (end > position) submissionOf.set(id, decimalAt(text, position, end));
        const hasTxt = text.charCodeAt(end + 1) === 0x31;
        position = end + 3; // past the flag and the row separator
        let txt: string | null = null;
        if (hasTxt) {
          texts ??= readTexts(snapshot, from, to, inForce);
          txt = texts.get(id) ?? null;
        }
        listings.push({ id, list, family: isV4 ? 4 : 6, first, last, reason, txt, level });
      }
      if (!isSorted) {
        const chunk = listings.splice(chunkStart).sort((a, b) => a.id - b.id);
        for (const listing of chunk) listings.push(listing);
      }
    }
    if (submissionOf.size === 0) return listings;
    return applyExclusions(listings, submissionOf, readSubmissionIsps(snapshot), readExclusions(snapshot, new Set(submissionOf.values())));
  });
}

const REASONS = Object.keys(REASON_LABELS);

/** text[start, end) as the same string object when it is one of `known` (a million rows share a few names). */
function knownText(known: readonly string[], text: string, start: number, end: number): string {
  for (const value of known) if (value.length === end - start && text.startsWith(value, start)) return value;
  return text.slice(start, end);
}

/** The non-negative integer written in decimal at text[start, end). */
function decimalAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index += 1) value = value * 10 + text.charCodeAt(index) - 0x30;
  return value;
}

/** The number written in (upper-case) hex at text[start, end), at most 13 digits. */
function hexAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index += 1) {
    const code = text.charCodeAt(index);
    value = value * 16 + (code <= 0x39 ? code - 0x30 : code - 0x37);
  }
  return value;
}

/**
 * The SQL condition "in force at `at`". `+status` keeps the planner on the id order rather than
 * the status index. DUL submissions whose effective date is still ahead are few (usually none):
 * their ranges wait, and a listing a pending replace took out of the ISP's set (dul_replaced,
 * sought by its key) stays in force until then.
 */
function inForceCondition(db: ReadDb, at: string): Sql {
  const pending = db.all<{ id: number; reverted: number }>(sql`SELECT id, reverted_at IS NOT NULL AS reverted FROM dul_submissions WHERE effective_at > ${at}`);
  if (pending.length === 0) {
    return sql`(+status = 'active' OR (+status = 'suppressed' AND suppressed_until <= ${at})) AND (expires_at IS NULL OR expires_at > ${at})`;
  }
  const waiting = JSON.stringify(pending.map((row) => row.id));
  const replacing = JSON.stringify(pending.filter((row) => row.reverted === 0).map((row) => row.id));
  return sql`(+status = 'active' OR (+status = 'suppressed' AND suppressed_until <= ${at})
      OR EXISTS (SELECT 1 FROM dul_replaced r WHERE r.submission_id IN (SELECT value FROM json_each(${replacing})) AND r.listing_id = listings.id))
    AND (expires_at IS NULL OR expires_at > ${at})
    AND (submission_id IS NULL OR submission_id NOT IN (SELECT value FROM json_each(${waiting})))`;
}

/** The TXT of the listings in force with ids in (after, upTo] that have one. */
function readTexts(db: ReadDb, after: number, upTo: number, inForce: Sql): Map<number, string> {
  const texts = new Map<number, string>();
  for (const [id, txt] of db.iterateRaw(sql`SELECT id, txt FROM listings WHERE id > ${after} AND id <= ${upTo} AND txt IS NOT NULL AND ${inForce}`)) {
    texts.set(id as number, txt as string);
  }
  return texts;
}

/** The A record a list answers (QIL: per level). */
export function returnCode(settings: Settings, list: ListName, level: number | null): string {
  if (list === 'QIL') return `${settings.returnCodes.qilPrefix}${level ?? 1}`;
  return settings.returnCodes[list];
}

/** The TXT a listing answers: what it is, why, and where to look it up (`$` = the address). */
export function answerText(settings: Settings, listing: Pick<PublishedListing, 'list' | 'reason' | 'txt'>): string {
  const what = `${listing.list}: ${REASON_LABELS[listing.reason]}`;
  const why = listing.txt ? ` - ${listing.txt}` : '';
  return `${what}${why}; see ${settings.lookupUrl}`;
}

/**
 * A listing as the sweep's input interval, and that interval's value itself: one object per
 * listing rather than three (interval, candidate, size), a million of them at publishing scale.
 */
interface Candidate extends Interval<Candidate> {
  readonly listing: PublishedListing;
  /** This listing's answer, once resolved (a field, not a map lookup per listing). */
  answer: ZoneAnswer | null;
}

function candidateOf(listing: PublishedListing): Candidate {
  const candidate: Candidate = { first: listing.first, last: listing.last, value: null as unknown as Candidate, listing, answer: null };
  candidate.value = candidate;
  return candidate;
}

/** Smaller first (sizes compared only where listings overlap), then the lower id. */
function isMoreSpecific(a: Candidate, b: Candidate): boolean {
  const sizeA = a.last - a.first;
  const sizeB = b.last - b.first;
  return sizeA < sizeB || (sizeA === sizeB && a.listing.id < b.listing.id);
}

function resolverFor(settings: Settings, list: ListName): (covering: readonly Candidate[]) => ZoneAnswer | null {
  // One answer object per distinct (code, text): listings that answer alike share it, so equal
  // neighbours merge by identity and the writers format each distinct answer once. The pieces of
  // one listing have a candidate each; they find the same answer by content.
  const byContent = new Map<string, ZoneAnswer>();
  // Most listings have no TXT of their own: their answer depends on reason and level only.
  const byReason = new Map<string, ZoneAnswer>();
  const answerOf = (candidate: Candidate): ZoneAnswer => {
    let answer = candidate.answer;
    if (answer === null && candidate.listing.txt === null) {
      const { level, reason } = candidate.listing;
      const key = level === null ? reason : `${level}\u0000${reason}`;
      answer = byReason.get(key) ?? null;
      if (answer === null) byReason.set(key, (answer = answerByContent(candidate)));
      candidate.answer = answer;
    }
    return answer ?? answerByContent(candidate);
  };
  const answerByContent = (candidate: Candidate): ZoneAnswer => {
    let answer = candidate.answer;
    if (answer === null) {
      const a = returnCode(settings, list, candidate.listing.level);
      const txt = answerText(settings, candidate.listing);
      const key = `${a}\u0000${txt}`;
      answer = byContent.get(key) ?? null;
      if (answer === null) byContent.set(key, (answer = { a, txt }));
      candidate.answer = answer;
    }
    return answer;
  };
  return (covering) => {
    let best = covering[0];
    for (let index = 1; index < covering.length; index += 1) {
      const candidate = covering[index];
      if (list === 'QIL') {
        const level = candidate.listing.level ?? 4;
        const bestLevel = best.listing.level ?? 4;
        if (level < bestLevel || (level === bestLevel && isMoreSpecific(candidate, best))) best = candidate;
      } else if (isMoreSpecific(candidate, best)) {
        best = candidate;
      }
    }
    return answerOf(best);
  };
}

function sameAnswer(a: ZoneAnswer, b: ZoneAnswer): boolean {
  return a === b || (a.a === b.a && a.txt === b.txt);
}

/** Insert a single-address segment into sorted disjoint segments (it must not overlap any). */
function withPoint(segments: Array<Interval<ZoneAnswer>>, value: bigint, answer: ZoneAnswer): Array<Interval<ZoneAnswer>> {
  // The first segment starting after the point (they are sorted): a binary search.
  let at = 0;
  let high = segments.length;
  while (at < high) {
    const middle = (at + high) >>> 1;
    if (segments[middle].first > value) high = middle;
    else at = middle + 1;
  }
  const before = segments[at - 1];
  if (before && before.last >= value) return segments; // already covered: the safety check reports it
  return [...segments.slice(0, at), { first: value, last: value, value: answer }, ...segments.slice(at)];
}

const MAX_REPORTED_CONFLICTS = 200;

/** Resolve the listings in force into every zone's segments. */
export function resolveZones(listings: readonly PublishedListing[], settings: Settings, options: { readonly withCombined?: boolean } = {}): Resolution {
  const inForce = Object.fromEntries(LISTS.map((list) => [list, [] as number[]])) as Record<ListName, number[]>;
  const byListFamily = new Map<string, Candidate[]>();
  // The last list and family seen, so that a run of listings of one list skips the key and map.
  let lastList: ListName | null = null;
  let lastFamily: Family | null = null;
  let lastIntervals: Candidate[] = [];
  for (const listing of listings) {
    // Pieces of one listing (an ISP's exclusion cut out of a DUL range) count once.
    const ids = inForce[listing.list];
    if (ids[ids.length - 1] !== listing.id) ids.push(listing.id);
    let intervals = lastIntervals;
    if (listing.list !== lastList || listing.family !== lastFamily) {
      const key = `${listing.list}/${listing.family}`;
      intervals = byListFamily.get(key) ?? [];
      if (intervals.length === 0) byListFamily.set(key, intervals);
      lastList = listing.list;
      lastFamily = listing.family;
      lastIntervals = intervals;
    }
    intervals.push(candidateOf(listing));
  }

  const zones: ResolvedZone[] = [];
  const galConflicts: GalConflict[] = [];
  let galConflictCount = 0;
  const perList = new Map<ListName, Record<Family, Array<Interval<ZoneAnswer>>>>();
  const galIntervals: Record<Family, Candidate[]> = { 4: byListFamily.get('GAL/4') ?? [], 6: byListFamily.get('GAL/6') ?? [] };

  for (const list of LISTS) {
    const segments = { 4: [], 6: [] } as Record<Family, Array<Interval<ZoneAnswer>>>;
    for (const family of [4, 6] as const) {
      let resolved: Array<Interval<ZoneAnswer>> = flatten(byListFamily.get(`${list}/${family}`) ?? [], resolverFor(settings, list), sameAnswer, zoneInterval);
      if (list !== 'GAL' && galIntervals[family].length > 0) {
        for (const piece of intersect(resolved, galIntervals[family])) {
          galConflictCount += 1;
          if (galConflicts.length < MAX_REPORTED_CONFLICTS) {
            const gal = galIntervals[family][piece.rangeIndex];
            galConflicts.push({
              list,
              range: formatRange({ family, first: piece.first, last: piece.last }),
              galRange: formatRange({ family, first: gal.first, last: gal.last }),
            });
          }
        }
        resolved = subtract(resolved, galIntervals[family]);
      }
      const points = TEST_POINTS[family];
      segments[family] = withPoint(resolved, points.listed, { a: returnCode(settings, list, 1), txt: TEST_POINT_TXT });
    }
    perList.set(list, segments);
    zones.push({ name: list, segments: { 4: segments[4].map(toSegment), 6: segments[6].map(toSegment) } });
  }

  const blocklists = {
    4: BLOCKLISTS.map((list) => (perList.get(list) as Record<Family, Array<Interval<ZoneAnswer>>>)[4]),
    6: BLOCKLISTS.map((list) => (perList.get(list) as Record<Family, Array<Interval<ZoneAnswer>>>)[6]),
  };
  if (options.withCombined ?? true) zones.push({ name: 'combined', segments: { 4: combineBlocklists(blocklists[4]), 6: combineBlocklists(blocklists[6]) } });
  return { inForce, zones, blocklists, galConflicts, galConflictCount };
}

/** The combined zone of one family: where an address is on several blocklists, it answers all their codes. */
export function combineBlocklists(lists: ReadonlyArray<ReadonlyArray<Interval<ZoneAnswer>>>): Segment[] {
  return combine(lists, (first, last, answers): Segment => ({ first, last, answers }));
}

const singleAnswers = new WeakMap<ZoneAnswer, readonly ZoneAnswer[]>();

function answersOf(answer: ZoneAnswer): readonly ZoneAnswer[] {
  let answers = singleAnswers.get(answer);
  if (!answers) singleAnswers.set(answer, (answers = [answer]));
  return answers;
}

/**
 * A resolved piece of a list: the blocklist interval the combined zone is made of (`value`) and
 * the list zone's segment (`answers`) in one object, not two per piece.
 */
type ZoneInterval = Interval<ZoneAnswer> & Segment;

function zoneInterval(first: bigint, last: bigint, value: ZoneAnswer): ZoneInterval {
  return { first, last, value, answers: answersOf(value) };
}

function toSegment(interval: Interval<ZoneAnswer>): Segment {
  // Pieces that GAL cut and the test point are new intervals; the sweep's are segments already.
  return 'answers' in interval ? (interval as ZoneInterval) : { first: interval.first, last: interval.last, answers: answersOf(interval.value) };
}
