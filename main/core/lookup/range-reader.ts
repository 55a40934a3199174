/**
 * Every listing's range, read for the in-memory index: SQLite writes each chunk of rows as one
 * string of fixed-width fields (printf and hex in C), parsed here character by character into
 * typed arrays, then sorted by first address as numbers. A row as an array of JavaScript values
 * (what a plain query hands back) costs more than the rest together: 1.2M listings read in
 * about a third of the time, with no string or array per row.
 */
import type { ReadDb } from '../db/connection.js';
import { joinSql, sql, type Sql } from '../db/sql.js';
import { spansOf } from './span-lookup.js';
import { unfinishedBlocks, type UnfinishedBlock } from '../rule/unfinished.js';

/** IPv4 ranges by first address, as numbers. */
export interface Ipv4Ranges {
  readonly firsts: Uint32Array;
  readonly lasts: Uint32Array;
  readonly ids: Uint32Array;
}

/** IPv6 ranges by first address. */
export interface Ipv6Ranges {
  readonly firsts: bigint[];
  readonly lasts: bigint[];
  readonly ids: number[];
}

/** Rows per query: a chunk stays under the slow-query log threshold (40 ms). */
const CHUNK_ROWS = 16_384;
/** Per row: family (1), id (10 decimal digits), then first and last in hex (8 each for IPv4, 32 for IPv6). */
const ID_DIGITS = 10;

function hexValue(code: number): number {
  return code <= 57 ? code - 48 : code - 55;
}

function hexNumber(text: string, start: number): number {
  let value = 0;
  for (let position = start; position < start + 8; position += 1) value = value * 16 + hexValue(text.charCodeAt(position));
  return value;
}

function decimalNumber(text: string, start: number): number {
  let value = 0;
  for (let position = start; position < start + ID_DIGITS; position += 1) value = value * 10 + (text.charCodeAt(position) - 48);
  return value;
}

/** Every committed listing's range, and what the read saw: the newest id, and the blocks of imports in progress it left out. */
export interface AllRanges {
  readonly v4: Ipv4Ranges;
  readonly v6: Ipv6Ranges;
  readonly maxId: number;
  readonly skipped: UnfinishedBlock[];
}

/** One row of a chunk's text: family (1), id, then first and last in hex (8 digits each for IPv4, 32 for IPv6). */
const ROW_TEXT = sql`family || printf('%010d', id) || hex(CASE family WHEN 4 THEN substr(first, 13) ELSE first END) || hex(CASE family WHEN 4 THEN substr(last, 13) ELSE last END)`;

/** A chunk read by id: the next CHUNK_ROWS listings after id `after` that `leftOut` keeps, as one text, and the last id read. */
export function rangeChunkSql(after: number, leftOut: Sql): Sql {
  return sql`SELECT max(id) AS high, group_concat(${ROW_TEXT}, '') AS rows
        FROM (SELECT id, family, first, last FROM listings l WHERE id > ${after} AND ${leftOut} ORDER BY id LIMIT ${CHUNK_ROWS})`;
}

/**
 * The chunks of rows to read, as text: by id through the table (every listing), or with
 * `isRangesOnly` through the span index, span by span (single addresses, span 0, left out
 * without reading them), each span in (first, last, id) order from where the last chunk ended.
 */
function* rangeChunks(snapshot: ReadDb, leftOut: Sql, isRangesOnly: boolean): Generator<string> {
  if (!isRangesOnly) {
    for (let after = 0; ; ) {
      const chunk = snapshot.get<{ high: number | null; rows: string | null }>(rangeChunkSql(after, leftOut));
      if (!chunk || chunk.high === null || chunk.rows === null) return;
      after = chunk.high;
      yield chunk.rows;
    }
  }
  for (const family of [4, 6] as const) {
    const keyDigits = family === 4 ? 8 : 32;
    const keyOf = (hex: string) => Buffer.from(family === 4 ? `00000000000000000000ffff${hex}` : hex, 'hex');
    for (const span of spansOf(snapshot, family)) {
      if (span === 0) continue;
      let after = sql`1`;
      for (;;) {
        const chunk = snapshot.get<{ count: number; rows: string | null }>(sql`SELECT count(*) AS count, group_concat(${ROW_TEXT}, '') AS rows
          FROM (SELECT id, family, first, last FROM listings l WHERE family = ${family} AND span = ${span} AND ${after} AND ${leftOut} ORDER BY first, last, id LIMIT ${CHUNK_ROWS})`);
        if (!chunk || chunk.rows === null) break;
        yield chunk.rows;
        if (chunk.count < CHUNK_ROWS) break;
        // The next chunk starts after this one's last row (the text's last entry).
        const last = chunk.rows.slice(chunk.rows.length - (1 + ID_DIGITS + 2 * keyDigits));
        const id = decimalNumber(last, 1);
        after = sql`(first, last, id) > (${keyOf(last.slice(1 + ID_DIGITS, 1 + ID_DIGITS + keyDigits))}, ${keyOf(last.slice(1 + ID_DIGITS + keyDigits))}, ${id})`;
      }
    }
  }
}

/**
 * Read every listing's range (both families), each family sorted by first address; an import's
 * listings only once it has committed. `isRangesOnly`: leave out single addresses (span 0).
 */
export function readAllRanges(db: ReadDb, options: { readonly isRangesOnly?: boolean } = {}): AllRanges {
  let count = 0;
  const v6: Array<{ first: bigint; last: bigint; id: number }> = [];
  // Read with the memory map off: the rows are read in id order through the table's pages, which
  // would otherwise stay in the process's RSS (as publishing's read does; see withoutMemoryMap).
  return db.withoutMemoryMap(() => db.snapshot((snapshot) => {
    const maxId = snapshot.get<{ high: number | null }>(sql`SELECT max(id) AS high FROM listings`)?.high ?? 0;
    if (maxId >= 10 ** ID_DIGITS) throw new Error(`listing id ${maxId} is wider than the index reader's ${ID_DIGITS} digits`);
    const skipped = unfinishedBlocks(snapshot);
    // The blocks of imports in progress, read in this snapshot: none, nearly always, and then no test per row.
    const leftOut = joinSql([sql`1`, ...skipped.map((block) => sql`id NOT BETWEEN ${block.firstId} AND ${block.lastId}`)], ' AND ');
    let firsts = new Uint32Array(Math.max(16, options.isRangesOnly ? maxId >> 3 : maxId));
    let lasts = new Uint32Array(firsts.length);
    let ids = new Uint32Array(firsts.length);
    for (const text of rangeChunks(snapshot, leftOut, options.isRangesOnly === true)) {
      for (let position = 0; position < text.length; ) {
        const isV4 = text.charCodeAt(position) === 0x34;
        const id = decimalNumber(text, position + 1);
        position += 1 + ID_DIGITS;
        if (isV4) {
          if (count === firsts.length) {
            const grow = (array: Uint32Array) => {
              const bigger = new Uint32Array(array.length * 2);
              bigger.set(array);
              return bigger;
            };
            firsts = grow(firsts);
            lasts = grow(lasts);
            ids = grow(ids);
          }
          firsts[count] = hexNumber(text, position);
          lasts[count] = hexNumber(text, position + 8);
          ids[count] = id;
          count += 1;
          position += 16;
        } else {
          v6.push({ first: BigInt(`0x${text.slice(position, position + 32)}`), last: BigInt(`0x${text.slice(position + 32, position + 64)}`), id });
          position += 64;
        }
      }
    }
    // Sort IPv4 by first address with a native typed-array sort of (first, position) packed in one
    // number: a double holds first * 2^21 + position exactly below 2^21 rows, a 64-bit integer beyond.
    const isSmall = count < 2 ** 21;
    const packed = isSmall ? new Float64Array(count) : new BigUint64Array(count);
    for (let position = 0; position < count; position += 1) {
      if (isSmall) (packed as Float64Array)[position] = firsts[position] * 2 ** 21 + position;
      else (packed as BigUint64Array)[position] = (BigInt(firsts[position]) << 32n) | BigInt(position);
    }
    packed.sort();
    const sorted: Ipv4Ranges = { firsts: new Uint32Array(count), lasts: new Uint32Array(count), ids: new Uint32Array(count) };
    for (let position = 0; position < count; position += 1) {
      const from = isSmall ? (packed as Float64Array)[position] % 2 ** 21 : Number((packed as BigUint64Array)[position] & 0xffffffffn);
      sorted.firsts[position] = firsts[from];
      sorted.lasts[position] = lasts[from];
      sorted.ids[position] = ids[from];
    }
    v6.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.id - b.id));
    return { v4: sorted, v6: { firsts: v6.map((range) => range.first), lasts: v6.map((range) => range.last), ids: v6.map((range) => range.id) }, maxId, skipped };
  }));
}
