/**
 * The listings in force at a time, read in bulk: publishing's read. The rule's SQL form
 * (in-force.ts) picks the rows in one read transaction; the ISP's exclusions are cut out of its
 * DUL listings (as `PublicationRule.publishedPieces` does one listing at a time), which may leave
 * several pieces with the same id. IPv4 listings, the millions, come column-wise in typed
 * arrays; IPv6 listings, far fewer, as objects with bigint bounds.
 */
import type { Family } from '../../../shared/address.js';
import { LISTS, REASON_LABELS, type ListName, type Reason } from '../../../shared/domain.js';
import type { ReadDb } from '../db/connection.js';
import { identifier, joinSql, sql, type Sql } from '../db/sql.js';
import { excludedPieces, readExclusions, readSubmissionIsps, type Holes } from './dul-limits.js';
import { inForceSql, readTerms } from './in-force.js';

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

/** Every reason, in a fixed order: a listing's reason is its index here in the columns. */
export const REASONS = Object.keys(REASON_LABELS) as Reason[];

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
const ROW_END = 0x1e;
/**
 * One row: family (4 or 6), first and last in hex, fixed width (IPv4: the low 32 bits, 8 digits
 * each; IPv6: 32 each), id, then the list and reason as one code (list * REASON_CODES + reason),
 * level, submission, has a TXT. Codes instead of the names: a third less text to make and read.
 */
const ROW_FORMAT = ['%d%s%s%d', '%d', '%s', '%s', '%d'].join(FIELD);
const REASON_CODES = 16;
/** A name no listing has: its code, past every known one, marks a damaged row. */
const UNKNOWN_CODE = 99;

/** `CASE column WHEN name0 THEN 0 ... ELSE UNKNOWN_CODE END`: a listing's list or reason as its index in `names`. */
function indexSql(column: 'list' | 'reason', names: readonly string[]): Sql {
  const cases = names.map((name, index) => sql`WHEN ${name} THEN ${index}`);
  return sql`CASE ${identifier(column, ['list', 'reason'])} ${joinSql(cases, ' ')} ELSE ${UNKNOWN_CODE} END`;
}

/** A row's list and reason as one code: list index * REASON_CODES + reason index. */
const LIST_REASON_CODE = sql`${indexSql('list', LISTS)} * ${REASON_CODES} + ${indexSql('reason', REASONS)}`;

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
  return db.snapshot((snapshot) => {
    const rows: ChunkRows = { v4: new Ipv4ListingsBuilder(), v6: [], submissions: new Set(), submissionOfV6: new Map() };
    // The one rule's SQL form; `+status` keeps the planner on the id order rather than the status index.
    const inForce = inForceSql(readTerms(snapshot, at), '', true);
    // Keyset chunks: the next READ_CHUNK_ROWS rows in force after the last id read.
    for (let after = Number.MIN_SAFE_INTEGER; ; ) {
      const chunk = snapshot.get<{ high: number | null; rows: string | null }>(inForceChunkSql(after, inForce));
      const text = chunk?.rows ?? null;
      if (text === null || chunk === undefined || chunk.high === null) break;
      const from = after;
      const to = chunk.high;
      after = to;
      parseChunk(text, rows, () => readTexts(snapshot, from, to, inForce), (id) => damagedRow(snapshot, id));
    }
    const { v4, v6, submissions, submissionOfV6 } = rows;
    if (submissions.size === 0) return { v4: v4.finish(), v6 };
    const exclusions = readExclusions(snapshot, submissions);
    if (exclusions.size === 0) return { v4: v4.finish(), v6 };
    const ispOf = readSubmissionIsps(snapshot);
    return { v4: withoutExclusions(v4, ispOf, exclusions).finish(), v6: v6WithoutExclusions(v6, submissionOfV6, ispOf, exclusions) };
  });
}

/** One chunk: the next READ_CHUNK_ROWS listings in force (`inForce`, the rule's SQL form) after id `after`, as one text, and the last id read. */
export function inForceChunkSql(after: number, inForce: Sql): Sql {
  return sql`SELECT max(id) AS high, group_concat(printf(${ROW_FORMAT},
          family, hex(CASE family WHEN 4 THEN substr(first, 13) ELSE first END), hex(CASE family WHEN 4 THEN substr(last, 13) ELSE last END),
          id, ${LIST_REASON_CODE}, ifnull(level, ''), ifnull(submission_id, ''), txt IS NOT NULL), char(30)) AS rows
        FROM (SELECT id, list, family, first, last, reason, level, submission_id, txt FROM listings
              WHERE id > ${after} AND ${inForce} ORDER BY id LIMIT ${READ_CHUNK_ROWS})`;
}

/** What the chunks read so far hold: the rows, and the DUL submissions they come from. */
interface ChunkRows {
  readonly v4: Ipv4ListingsBuilder;
  readonly v6: PublishedListing[];
  /** Every submission with a listing in force (its exclusions are read once the rows are). */
  readonly submissions: Set<number>;
  readonly submissionOfV6: Map<number, number>;
}

/**
 * The rows of one chunk's text into `rows` (ROW_FORMAT, rows ended by ROW_END); `readTexts` gives
 * the chunk's TXT by id, asked the first time a row has one; `damaged` says what is wrong with a
 * row whose list or reason is none of the known ones.
 */
function parseChunk(text: string, rows: ChunkRows, readTexts: () => Map<number, string>, damaged: (id: number) => Error): void {
  const { v4, v6, submissions, submissionOfV6 } = rows;
  let texts: Map<number, string> | null = null;
  let position = 0;
  while (position < text.length) {
    const isV4 = text.charCodeAt(position) === 0x34;
    const width = isV4 ? 8 : 32;
    const firstStart = position + 1;
    const lastStart = firstStart + width;
    position = lastStart + width;
    let end = text.indexOf(FIELD, position);
    const id = decimalAt(text, position, end);
    position = end + 1;
    end = text.indexOf(FIELD, position);
    const code = decimalAt(text, position, end);
    const list = (code / REASON_CODES) | 0;
    const reason = code % REASON_CODES;
    if (list >= LISTS.length || reason >= REASONS.length) throw damaged(id);
    position = end + 1;
    end = text.indexOf(FIELD, position);
    const level = end === position ? 0 : decimalAt(text, position, end);
    position = end + 1;
    end = text.indexOf(FIELD, position);
    const submission = end > position ? decimalAt(text, position, end) : 0;
    const hasTxt = text.charCodeAt(end + 1) === 0x31;
    // Past the flag and the row's end (none after the last row).
    position = end + 3;
    if (position <= text.length && text.charCodeAt(position - 1) !== ROW_END) throw new Error(`listing ${id}: the chunk's text is not in the form it was asked for`);
    let txt: string | null = null;
    if (hasTxt) {
      texts ??= readTexts();
      txt = texts.get(id) ?? null;
    }
    if (submission > 0) submissions.add(submission);
    if (isV4) {
      v4.push(id, list, reason, level, hexAt(text, firstStart, lastStart), hexAt(text, lastStart, lastStart + width), submission, txt);
    } else {
      if (submission > 0) submissionOfV6.set(id, submission);
      v6.push({
        id,
        list: LISTS[list],
        family: 6,
        first: BigInt(`0x${text.slice(firstStart, lastStart)}`),
        last: BigInt(`0x${text.slice(lastStart, lastStart + width)}`),
        reason: REASONS[reason],
        txt,
        level: level === 0 ? null : level,
      });
    }
  }
}

/** What is wrong with listing `id`, whose list or reason did not map to a known one. */
function damagedRow(db: ReadDb, id: number): Error {
  const row = db.get<{ list: string; reason: string }>(sql`SELECT list, reason FROM listings WHERE id = ${id}`);
  if (row && !(LISTS as readonly string[]).includes(row.list)) return new Error(`a listing in force has an unknown list ${JSON.stringify(row.list)}`);
  return new Error(`a listing in force has an unknown reason ${JSON.stringify(row?.reason ?? null)}`);
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
