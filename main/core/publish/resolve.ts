/**
 * From listings to what the zones answer. Reads one consistent snapshot of the database, keeps
 * what is in force now (active; suppression lapsed; QIL not expired), resolves overlaps per list
 * (the most specific listing speaks; on QIL the least level wins), lets GAL win over every
 * blocklist (reporting each conflict), adds the RFC 5782 test points, and builds the combined
 * zone. Pure computation after the read: nothing here writes.
 *
 * IPv4 listings, the millions, travel column-wise in typed arrays from the read to the writers
 * (segments-v4.ts); IPv6 listings, far fewer, as objects with bigint bounds (segments.ts). Both
 * end as `SegmentColumns`, whose values index one registry of answers per resolution.
 */
import { formatRange, type Family } from '../../../shared/address.js';
import { LISTS, REASON_LABELS, type ListName, type Reason } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { combine, flatten, intersect, subtract, type Interval } from './segments.js';
import { flattenNumbers, intersectNumbers, subtractNumbers, withNumberPoint, type NumberSegments } from './segments-v4.js';
import { excludedPieces, readExclusions, readSubmissionIsps, type Holes } from '../dul/limits.js';
import { BLOCKLISTS, DEFAULT_PRECEDENCE_LEVEL, TEST_POINTS, TEST_POINT_TXT, answerText, answersBefore, returnCode } from '../rule/answers.js';
import { inForceSql, readTerms } from '../rule/in-force.js';
import type { Ipv4SegmentColumns, Ipv6SegmentColumns, SegmentColumns, ZoneAnswer } from './types.js';

export { BLOCKLISTS, TEST_POINTS, answerText, returnCode } from '../rule/answers.js';

/** A listing in force, as publishing sees it (IPv6 listings, and callers that have a few). */
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

const REASONS = Object.keys(REASON_LABELS) as Reason[];

/**
 * IPv4 listings in force, column-wise: row i is listing ids[i] on LISTS[lists[i]] for
 * firsts[i]..lasts[i], REASONS[reasons[i]], level levels[i] (0: none), TXT txts.get(i). Pieces of
 * one listing (an ISP's exclusion cut out of a DUL range) are rows with the same id.
 */
export interface Ipv4Listings {
  readonly count: number;
  readonly ids: Float64Array;
  readonly lists: Uint8Array;
  readonly reasons: Uint8Array;
  readonly levels: Uint8Array;
  readonly firsts: Uint32Array;
  readonly lasts: Uint32Array;
  readonly txts: ReadonlyMap<number, string>;
}

/** What publishing reads: IPv4 listings column-wise, IPv6 ones as objects. */
export interface ListingsInForce {
  readonly v4: Ipv4Listings;
  readonly v6: readonly PublishedListing[];
}

/** One zone's content: the segments per family. */
export interface ResolvedZone {
  readonly name: ListName | 'combined';
  readonly segments: { readonly 4: Ipv4SegmentColumns; readonly 6: Ipv6SegmentColumns };
}

export interface GalConflict {
  readonly list: ListName;
  readonly range: string;
  readonly galRange: string;
}

export interface Resolution {
  /** The listing ids in force per list, ascending (the basis of the diff between snapshots). */
  readonly inForce: Record<ListName, number[]>;
  /** Every list's zone, and the combined zone when asked for (else `combinedZone` makes it). */
  readonly zones: ResolvedZone[];
  readonly galConflicts: GalConflict[];
  readonly galConflictCount: number;
}

/** Grows typed-array columns of IPv4 listings as rows are read. */
class Ipv4ListingsBuilder {
  count = 0;
  ids = new Float64Array(1024);
  lists = new Uint8Array(1024);
  reasons = new Uint8Array(1024);
  levels = new Uint8Array(1024);
  firsts = new Uint32Array(1024);
  lasts = new Uint32Array(1024);
  /** The listing's DUL submission (0: none); for cutting exclusions, not kept in the result. */
  submissions = new Float64Array(1024);
  readonly txts = new Map<number, string>();

  push(id: number, list: number, reason: number, level: number, first: number, last: number, submission: number, txt: string | null): void {
    if (this.count === this.ids.length) this.grow();
    const row = this.count;
    this.ids[row] = id;
    this.lists[row] = list;
    this.reasons[row] = reason;
    this.levels[row] = level;
    this.firsts[row] = first;
    this.lasts[row] = last;
    this.submissions[row] = submission;
    if (txt !== null) this.txts.set(row, txt);
    this.count = row + 1;
  }

  /** Copy row `row` of `from` with other bounds. */
  pushPiece(from: Ipv4ListingsBuilder, row: number, first: number, last: number): void {
    this.push(from.ids[row], from.lists[row], from.reasons[row], from.levels[row], first, last, from.submissions[row], from.txts.get(row) ?? null);
  }

  finish(): Ipv4Listings {
    const { count } = this;
    return {
      count,
      ids: this.ids.slice(0, count),
      lists: this.lists.slice(0, count),
      reasons: this.reasons.slice(0, count),
      levels: this.levels.slice(0, count),
      firsts: this.firsts.slice(0, count),
      lasts: this.lasts.slice(0, count),
      txts: this.txts,
    };
  }

  private grow(): void {
    const size = this.ids.length * 2;
    const grown = <A extends Float64Array | Uint8Array | Uint32Array>(array: A, make: (length: number) => A): A => {
      const next = make(size);
      next.set(array);
      return next;
    };
    this.ids = grown(this.ids, (length) => new Float64Array(length));
    this.lists = grown(this.lists, (length) => new Uint8Array(length));
    this.reasons = grown(this.reasons, (length) => new Uint8Array(length));
    this.levels = grown(this.levels, (length) => new Uint8Array(length));
    this.firsts = grown(this.firsts, (length) => new Uint32Array(length));
    this.lasts = grown(this.lasts, (length) => new Uint32Array(length));
    this.submissions = grown(this.submissions, (length) => new Float64Array(length));
  }
}

/** Rows read per query: a chunk's text stays well under a MB, and each query under the slow-query log's 40 ms. */
const READ_CHUNK_ROWS = 8192;
const FIELD = '\u001f';
/** One row: id, list, family, first, last (IPv4: the low 32 bits' hex), reason, level, submission, has a TXT. */
const ROW_FORMAT = ['%d', '%s', '%d', '%s', '%s', '%s', '%s', '%s', '%d'].join(FIELD);

/**
 * Read the listings in force at `now` in one read transaction. A DUL listing past its
 * submission's valid-until has expired (expires_at), one whose submission's effective date is
 * still ahead is not in force yet (and what that submission replaced still is); the ISP's
 * exclusions are cut out of its DUL listings, which may leave several pieces with the same id.
 *
 * A million rows one by one cost more in the driver than in SQLite, so each chunk of rows (by
 * id, after the last one read) comes as one text (fields and rows split by the ASCII unit and
 * record separators, which no list or reason name contains); the free-text TXT is read on its
 * own, for the rows that have one. IPv4 rows go straight into typed arrays.
 */
export function readListingsInForce(db: ReadDb, now: Date): ListingsInForce {
  const at = now.toISOString();
  let v4 = new Ipv4ListingsBuilder();
  const v6: PublishedListing[] = [];
  return db.snapshot((snapshot) => {
    const submissionOfV6 = new Map<number, number>();
    const submissions = new Set<number>();
    // The one rule's SQL form; `+status` keeps the planner on the id order rather than the status index.
    const inForce = inForceSql(readTerms(snapshot, at), '', true);
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
      while (position < text.length) {
        let end = text.indexOf(FIELD, position);
        const id = decimalAt(text, position, end);
        position = end + 1;
        end = text.indexOf(FIELD, position);
        const list = knownIndex(LISTS, text, position, end, 'list');
        const isV4 = text.charCodeAt(end + 1) === 0x34;
        position = end + 3;
        end = text.indexOf(FIELD, position);
        const firstStart = position;
        const firstEnd = end;
        position = end + 1;
        end = text.indexOf(FIELD, position);
        const lastStart = position;
        const lastEnd = end;
        position = end + 1;
        end = text.indexOf(FIELD, position);
        const reason = knownIndex(REASONS, text, position, end, 'reason');
        position = end + 1;
        end = text.indexOf(FIELD, position);
        const level = end === position ? 0 : decimalAt(text, position, end);
        position = end + 1;
        end = text.indexOf(FIELD, position);
        const submission = end > position ? decimalAt(text, position, end) : 0;
        const hasTxt = text.charCodeAt(end + 1) === 0x31;
        position = end + 3; // past the flag and the row separator
        let txt: string | null = null;
        if (hasTxt) {
          texts ??= readTexts(snapshot, from, to, inForce);
          txt = texts.get(id) ?? null;
        }
        if (submission > 0) submissions.add(submission);
        if (isV4) {
          v4.push(id, list, reason, level, hexAt(text, firstStart, firstEnd), hexAt(text, lastStart, lastEnd), submission, txt);
        } else {
          if (submission > 0) submissionOfV6.set(id, submission);
          v6.push({
            id,
            list: LISTS[list],
            family: 6,
            first: BigInt(`0x${text.slice(firstStart, firstEnd)}`),
            last: BigInt(`0x${text.slice(lastStart, lastEnd)}`),
            reason: REASONS[reason],
            txt,
            level: level === 0 ? null : level,
          });
        }
      }
    }
    if (submissions.size === 0) return { v4: v4.finish(), v6 };
    const exclusions = readExclusions(snapshot, submissions);
    if (exclusions.size === 0) return { v4: v4.finish(), v6 };
    const ispOf = readSubmissionIsps(snapshot);
    v4 = withoutExclusions(v4, ispOf, exclusions);
    return { v4: v4.finish(), v6: v6WithoutExclusions(v6, submissionOfV6, ispOf, exclusions) };
  });
}

const DUL_INDEX = LISTS.indexOf('DUL');

/** The IPv4 rows with their ISP's exclusions cut out of the DUL ones (a row may become several pieces, or none). */
function withoutExclusions(rows: Ipv4ListingsBuilder, ispOf: ReadonlyMap<number, number>, exclusions: ReadonlyMap<string, Holes>): Ipv4ListingsBuilder {
  const result = new Ipv4ListingsBuilder();
  for (let row = 0; row < rows.count; row += 1) {
    const submission = rows.submissions[row];
    const holes = rows.lists[row] === DUL_INDEX && submission > 0 ? exclusions.get(`${ispOf.get(submission)}/4`) : undefined;
    const pieces = holes ? excludedPieces(holes, 4, BigInt(rows.firsts[row]), BigInt(rows.lasts[row])) : null;
    if (pieces === null) {
      result.pushPiece(rows, row, rows.firsts[row], rows.lasts[row]);
      continue;
    }
    for (const piece of pieces) result.pushPiece(rows, row, Number(piece.first), Number(piece.last));
  }
  return result;
}

function v6WithoutExclusions(
  listings: readonly PublishedListing[],
  submissionOf: ReadonlyMap<number, number>,
  ispOf: ReadonlyMap<number, number>,
  exclusions: ReadonlyMap<string, Holes>,
): PublishedListing[] {
  const result: PublishedListing[] = [];
  for (const listing of listings) {
    const submission = listing.list === 'DUL' ? submissionOf.get(listing.id) : undefined;
    const holes = submission === undefined ? undefined : exclusions.get(`${ispOf.get(submission)}/6`);
    const pieces = holes ? excludedPieces(holes, 6, listing.first, listing.last) : null;
    if (pieces === null) result.push(listing);
    else for (const piece of pieces) result.push({ ...listing, first: piece.first, last: piece.last });
  }
  return result;
}

/** Listings given one by one (tests, small callers) in the form `readListingsInForce` returns. */
export function listingsInForce(listings: readonly PublishedListing[]): ListingsInForce {
  const v4 = new Ipv4ListingsBuilder();
  const v6: PublishedListing[] = [];
  for (const listing of listings) {
    if (listing.family === 6) {
      v6.push(listing);
      continue;
    }
    if (listing.first < 0n || listing.first > listing.last || listing.last > 0xffffffffn) {
      throw new RangeError(`listing ${listing.id}: ${listing.first}..${listing.last} is not a range of IPv4 addresses`);
    }
    v4.push(listing.id, LISTS.indexOf(listing.list), REASONS.indexOf(listing.reason), listing.level ?? 0, Number(listing.first), Number(listing.last), 0, listing.txt);
  }
  return { v4: v4.finish(), v6 };
}

/** The listings of `inForce` one by one (IPv4 rows as objects), by id (pieces of one listing in address order). */
export function publishedListings(inForce: ListingsInForce): PublishedListing[] {
  const { v4 } = inForce;
  const listings: PublishedListing[] = [];
  for (let row = 0; row < v4.count; row += 1) {
    listings.push({
      id: v4.ids[row],
      list: LISTS[v4.lists[row]],
      family: 4,
      first: BigInt(v4.firsts[row]),
      last: BigInt(v4.lasts[row]),
      reason: REASONS[v4.reasons[row]],
      txt: v4.txts.get(row) ?? null,
      level: v4.levels[row] === 0 ? null : v4.levels[row],
    });
  }
  // Sorting is stable: the pieces of one listing keep their order.
  return [...listings, ...inForce.v6].sort((a, b) => a.id - b.id);
}

/** The index in `known` of text[start, end); an unknown name is a damaged row. */
function knownIndex(known: readonly string[], text: string, start: number, end: number, what: string): number {
  for (let index = 0; index < known.length; index += 1) {
    const value = known[index];
    if (value.length === end - start && text.startsWith(value, start)) return index;
  }
  throw new Error(`a listing in force has an unknown ${what} ${JSON.stringify(text.slice(start, end))}`);
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

/** The TXT of the listings in force with ids in (after, upTo] that have one. */
function readTexts(db: ReadDb, after: number, upTo: number, inForce: Sql): Map<number, string> {
  const texts = new Map<number, string>();
  for (const [id, txt] of db.iterateRaw(sql`SELECT id, txt FROM listings WHERE id > ${after} AND id <= ${upTo} AND txt IS NOT NULL AND ${inForce}`)) {
    texts.set(id as number, txt as string);
  }
  return texts;
}


/**
 * Every distinct answer of one resolution, numbered: listings that answer alike share one
 * answer, so equal neighbours merge by number and the writers format each answer once.
 */
class AnswerRegistry {
  readonly answers: ZoneAnswer[] = [];
  /** `answers[i]` alone: the answer sets of the per-list zones. */
  readonly singles: Array<readonly ZoneAnswer[]> = [];
  private readonly byContent = new Map<string, number>();
  /** Most listings have no TXT of their own: their answer depends on list, reason and level only. */
  private readonly byReason = new Map<number, number>();

  constructor(private readonly settings: Settings) {}

  of(a: string, txt: string): number {
    const key = `${a}\u0000${txt}`;
    let id = this.byContent.get(key);
    if (id === undefined) {
      id = this.answers.length;
      const answer: ZoneAnswer = Object.freeze({ a, txt });
      this.answers.push(answer);
      this.singles.push(Object.freeze([answer]));
      this.byContent.set(key, id);
    }
    return id;
  }

  forListing(list: ListName, reason: Reason, level: number | null, txt: string | null): number {
    const answerOf = () => this.of(returnCode(this.settings, list, level), answerText(this.settings, { list, reason, txt }));
    if (txt !== null) return answerOf();
    const key = (LISTS.indexOf(list) * 256 + REASONS.indexOf(reason)) * 256 + (level ?? 0);
    let id = this.byReason.get(key);
    if (id === undefined) this.byReason.set(key, (id = answerOf()));
    return id;
  }
}

const MAX_REPORTED_CONFLICTS = 200;

/** The IPv4 rows of one list, gathered: their row numbers and bounds side by side. */
interface Ipv4Items {
  readonly count: number;
  readonly rows: Uint32Array;
  readonly firsts: Uint32Array;
  readonly lasts: Uint32Array;
}

function ipv4Items(listings: Ipv4Listings, list: ListName): Ipv4Items {
  const listIndex = LISTS.indexOf(list);
  let count = 0;
  for (let row = 0; row < listings.count; row += 1) if (listings.lists[row] === listIndex) count += 1;
  const rows = new Uint32Array(count);
  const firsts = new Uint32Array(count);
  const lasts = new Uint32Array(count);
  let item = 0;
  for (let row = 0; row < listings.count; row += 1) {
    if (listings.lists[row] !== listIndex) continue;
    rows[item] = row;
    firsts[item] = listings.firsts[row];
    lasts[item] = listings.lasts[row];
    item += 1;
  }
  return { count, rows, firsts, lasts };
}

/** One list's IPv4 listings swept into segments whose values are answer numbers. */
function resolveIpv4List(listings: Ipv4Listings, items: Ipv4Items, list: ListName, registry: AnswerRegistry): NumberSegments {
  const { rows, firsts, lasts } = items;
  const answers = new Int32Array(items.count).fill(-1);
  const answerOf = (item: number): number => {
    let id = answers[item];
    if (id < 0) {
      const row = rows[item];
      const level = listings.levels[row];
      id = registry.forListing(list, REASONS[listings.reasons[row]], level === 0 ? null : level, listings.txts.get(row) ?? null);
      answers[item] = id;
    }
    return id;
  };
  // The rule's precedence (sizes compared only where listings overlap).
  const levelOf = (item: number): number => listings.levels[rows[item]] || DEFAULT_PRECEDENCE_LEVEL;
  const isQil = list === 'QIL';
  return flattenNumbers(items.count, firsts, lasts, (covering) => {
    let best = covering[0];
    for (let index = 1; index < covering.length; index += 1) {
      const candidate = covering[index];
      if (answersBefore(isQil, levelOf(candidate), lasts[candidate] - firsts[candidate], listings.ids[rows[candidate]], levelOf(best), lasts[best] - firsts[best], listings.ids[rows[best]])) {
        best = candidate;
      }
    }
    return answerOf(best);
  });
}

/** An IPv6 listing as the sweep's input interval, and that interval's value itself. */
interface Candidate extends Interval<Candidate> {
  readonly listing: PublishedListing;
  /** This listing's answer number, once known (-1 before). */
  answer: number;
}

function candidateOf(listing: PublishedListing): Candidate {
  const candidate: Candidate = { first: listing.first, last: listing.last, value: null as unknown as Candidate, listing, answer: -1 };
  candidate.value = candidate;
  return candidate;
}

function ipv6Resolver(list: ListName, registry: AnswerRegistry): (covering: readonly Candidate[]) => number {
  const answerOf = (candidate: Candidate): number => {
    if (candidate.answer < 0) {
      const { reason, level, txt } = candidate.listing;
      candidate.answer = registry.forListing(list, reason, level, txt);
    }
    return candidate.answer;
  };
  const isQil = list === 'QIL';
  const levelOf = (candidate: Candidate): number => candidate.listing.level ?? DEFAULT_PRECEDENCE_LEVEL;
  return (covering) => {
    let best = covering[0];
    for (let index = 1; index < covering.length; index += 1) {
      const candidate = covering[index];
      if (answersBefore(isQil, levelOf(candidate), candidate.last - candidate.first, candidate.listing.id, levelOf(best), best.last - best.first, best.listing.id)) best = candidate;
    }
    return answerOf(best);
  };
}

const sameNumber = (a: number, b: number): boolean => a === b;

/** Insert a single-address segment into sorted disjoint segments, unless one covers it already. */
function withPoint(segments: Array<Interval<number>>, value: bigint, answer: number): Array<Interval<number>> {
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

/** The listing ids in force per list, ascending, each once (pieces of one listing share its id). */
function idsInForce(listings: ListingsInForce): Record<ListName, number[]> {
  const counts = new Array<number>(LISTS.length).fill(0);
  const { v4 } = listings;
  for (let row = 0; row < v4.count; row += 1) counts[v4.lists[row]] += 1;
  for (const listing of listings.v6) counts[LISTS.indexOf(listing.list)] += 1;
  const ids = counts.map((count) => new Float64Array(count));
  const filled = new Array<number>(LISTS.length).fill(0);
  for (let row = 0; row < v4.count; row += 1) ids[v4.lists[row]][filled[v4.lists[row]]++] = v4.ids[row];
  for (const listing of listings.v6) {
    const list = LISTS.indexOf(listing.list);
    ids[list][filled[list]++] = listing.id;
  }
  return Object.fromEntries(
    LISTS.map((list, index) => {
      const sorted = ids[index].sort();
      const unique: number[] = [];
      for (const id of sorted) if (unique[unique.length - 1] !== id) unique.push(id);
      return [list, unique];
    }),
  ) as Record<ListName, number[]>;
}

/** Resolve the listings in force into every zone's segments. */
export function resolveZones(
  given: ListingsInForce | readonly PublishedListing[],
  settings: Settings,
  options: { readonly withCombined?: boolean } = {},
): Resolution {
  const listings = Array.isArray(given) ? listingsInForce(given as readonly PublishedListing[]) : (given as ListingsInForce);
  const registry = new AnswerRegistry(settings);
  const zones: ResolvedZone[] = [];
  const galConflicts: GalConflict[] = [];
  let galConflictCount = 0;
  const report = (list: ListName, family: Family, first: bigint, last: bigint, galFirst: bigint, galLast: bigint) => {
    if (galConflicts.length >= MAX_REPORTED_CONFLICTS) return;
    galConflicts.push({ list, range: formatRange({ family, first, last }), galRange: formatRange({ family, first: galFirst, last: galLast }) });
  };

  const v6ByList = new Map<ListName, Candidate[]>(LISTS.map((list) => [list, []]));
  for (const listing of listings.v6) (v6ByList.get(listing.list) as Candidate[]).push(candidateOf(listing));
  const gal4 = ipv4Items(listings.v4, 'GAL');
  const gal6 = v6ByList.get('GAL') as Candidate[];

  for (const list of LISTS) {
    const testPoint = registry.of(returnCode(settings, list, 1), TEST_POINT_TXT);

    let v4 = resolveIpv4List(listings.v4, list === 'GAL' ? gal4 : ipv4Items(listings.v4, list), list, registry);
    if (list !== 'GAL' && gal4.count > 0) {
      const conflicts = intersectNumbers(v4, gal4.count, gal4.firsts, gal4.lasts, MAX_REPORTED_CONFLICTS - galConflicts.length);
      galConflictCount += conflicts.count;
      for (const piece of conflicts.pieces) {
        report(list, 4, BigInt(piece.first), BigInt(piece.last), BigInt(gal4.firsts[piece.rangeIndex]), BigInt(gal4.lasts[piece.rangeIndex]));
      }
      v4 = subtractNumbers(v4, gal4.count, gal4.firsts, gal4.lasts);
    }
    v4 = withNumberPoint(v4, Number(TEST_POINTS[4].listed), testPoint);

    let v6: Array<Interval<number>> = flatten(v6ByList.get(list) as Candidate[], ipv6Resolver(list, registry), sameNumber);
    if (list !== 'GAL' && gal6.length > 0) {
      for (const piece of intersect(v6, gal6)) {
        galConflictCount += 1;
        const gal = gal6[piece.rangeIndex];
        report(list, 6, piece.first, piece.last, gal.first, gal.last);
      }
      v6 = subtract(v6, gal6);
    }
    v6 = withPoint(v6, TEST_POINTS[6].listed, testPoint);

    zones.push({
      name: list,
      segments: {
        4: { family: 4, count: v4.count, firsts: v4.firsts, lasts: v4.lasts, sets: v4.values, answerSets: registry.singles },
        6: ipv6Columns(v6, registry.singles),
      },
    });
  }
  const resolution: Resolution = { inForce: idsInForce(listings), zones, galConflicts, galConflictCount };
  if (options.withCombined ?? true) zones.push({ name: 'combined', segments: { 4: combinedIpv4(resolution), 6: combinedIpv6(resolution) } });
  return resolution;
}

function ipv6Columns(segments: ReadonlyArray<Interval<number>>, answerSets: ReadonlyArray<readonly ZoneAnswer[]>): Ipv6SegmentColumns {
  return {
    family: 6,
    count: segments.length,
    firsts: segments.map((segment) => segment.first),
    lasts: segments.map((segment) => segment.last),
    sets: Uint32Array.from(segments, (segment) => segment.value),
    answerSets,
  };
}

/** The combined zone of one family: where an address is on several blocklists, it answers all their codes. */
export function combinedZone(resolution: Resolution, family: Family): SegmentColumns {
  return family === 4 ? combinedIpv4(resolution) : combinedIpv6(resolution);
}

/**
 * What the combined zone is made of: the blocklists' zones of one family, with each segment's
 * answer numbered across them (a list zone's segment has exactly one answer), and the answer
 * sets of the combined zone, one per combination of answers, made as they are met.
 */
function blocklistParts<C extends SegmentColumns>(resolution: Resolution, family: Family) {
  const lists = BLOCKLISTS.map((list) => {
    const zone = resolution.zones.find((candidate) => candidate.name === list);
    if (!zone) throw new Error(`the ${list} zone is missing from the resolution`);
    return zone.segments[family] as C;
  });
  const numbers = new Map<ZoneAnswer, number>();
  const answers: ZoneAnswer[] = [];
  const translations = lists.map((columns) =>
    Uint32Array.from(columns.answerSets, (set) => {
      if (set.length !== 1) throw new Error('a list zone segment must have exactly one answer');
      let number = numbers.get(set[0]);
      if (number === undefined) {
        numbers.set(set[0], (number = answers.length));
        answers.push(set[0]);
      }
      return number;
    }),
  );
  const answerSets: Array<readonly ZoneAnswer[]> = [];
  const byKey = new Map<string, number>();
  const singles = new Int32Array(answers.length).fill(-1);
  /** The set number of answers `covering` (answer numbers, in list order). */
  const setOf = (covering: readonly number[]): number => {
    if (covering.length === 1) {
      let set = singles[covering[0]];
      if (set < 0) {
        singles[covering[0]] = set = answerSets.length;
        answerSets.push(Object.freeze([answers[covering[0]]]));
      }
      return set;
    }
    const key = covering.join(',');
    let set = byKey.get(key);
    if (set === undefined) {
      byKey.set(key, (set = answerSets.length));
      answerSets.push(Object.freeze(covering.map((number) => answers[number])));
    }
    return set;
  };
  return { lists, translations, answerSets, setOf };
}

function combinedIpv4(resolution: Resolution): Ipv4SegmentColumns {
  const { lists, translations, answerSets, setOf } = blocklistParts<Ipv4SegmentColumns>(resolution, 4);
  const total = lists.reduce((sum, columns) => sum + columns.count, 0);
  const firsts = new Uint32Array(total);
  const lasts = new Uint32Array(total);
  const values = new Uint32Array(total);
  let item = 0;
  lists.forEach((columns, index) => {
    firsts.set(columns.firsts.subarray(0, columns.count), item);
    lasts.set(columns.lasts.subarray(0, columns.count), item);
    const translation = translations[index];
    for (let segment = 0; segment < columns.count; segment += 1) values[item + segment] = translation[columns.sets[segment]];
    item += columns.count;
  });
  // Concatenated in list order, and each list is disjoint: covering items are in list order.
  const covered: number[] = [];
  const combined = flattenNumbers(total, firsts, lasts, (covering) => {
    covered.length = 0;
    for (const index of covering) covered.push(values[index]);
    return setOf(covered);
  });
  return { family: 4, count: combined.count, firsts: combined.firsts, lasts: combined.lasts, sets: combined.values, answerSets };
}

function combinedIpv6(resolution: Resolution): Ipv6SegmentColumns {
  const { lists, translations, answerSets, setOf } = blocklistParts<Ipv6SegmentColumns>(resolution, 6);
  const intervals = lists.map((columns, index) => {
    const translation = translations[index];
    const list: Array<Interval<number>> = [];
    for (let segment = 0; segment < columns.count; segment += 1) {
      list.push({ first: columns.firsts[segment], last: columns.lasts[segment], value: translation[columns.sets[segment]] });
    }
    return list;
  });
  return ipv6Columns(combine(intervals, (first, last, numbers): Interval<number> => ({ first, last, value: setOf(numbers) })), answerSets);
}
