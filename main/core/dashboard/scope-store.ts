/**
 * Where the dashboard keeps a scope's union segments: chunks of up to 512 segments per row of
 * `dashboard_segments` (migration 0008), and the one way they change, by deltas (coverage.ts).
 */
import type { WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { applyDeltas, type Delta, type Segment, type UnitArithmetic } from './coverage.js';

/** Above this many deltas for one scope, its segments are read and rewritten whole. */
const WHOLE_SCOPE_DELTAS = 512;
/** Segments per stored chunk. */
const CHUNK_SEGMENTS = 512;
const SIGNED_OFFSET = 1n << 63n;

/** Stored chunk keys: IPv4 as is; IPv6 /64 indexes shifted into signed 64-bit. */
function toStored(key: number | bigint): number | bigint {
  return typeof key === 'bigint' ? key - SIGNED_OFFSET : key;
}

function fromStored<K extends number | bigint>(units: UnitArithmetic<K>, value: number | bigint): K {
  return (units.family === 6 ? BigInt(value) + SIGNED_OFFSET : Number(value)) as K;
}

/** A chunk's segments as (first, last, depth) little-endian unsigned triples: 32-bit for IPv4, 64-bit for IPv6. */
function encodeChunk<K extends number | bigint>(units: UnitArithmetic<K>, segments: readonly Segment<K>[], from: number, to: number): Buffer {
  if (units.family === 4) {
    const buffer = Buffer.allocUnsafe((to - from) * 12);
    for (let index = from, offset = 0; index < to; index += 1, offset += 12) {
      const segment = segments[index] as Segment<number>;
      buffer.writeUInt32LE(segment.first, offset);
      buffer.writeUInt32LE(segment.last, offset + 4);
      buffer.writeUInt32LE(segment.depth, offset + 8);
    }
    return buffer;
  }
  const buffer = Buffer.allocUnsafe((to - from) * 24);
  for (let index = from, offset = 0; index < to; index += 1, offset += 24) {
    const segment = segments[index] as Segment<bigint>;
    buffer.writeBigUInt64LE(segment.first, offset);
    buffer.writeBigUInt64LE(segment.last, offset + 8);
    buffer.writeBigUInt64LE(BigInt(segment.depth), offset + 16);
  }
  return buffer;
}

function decodeChunk<K extends number | bigint>(units: UnitArithmetic<K>, blob: Buffer, into: Array<Segment<K>>): void {
  if (units.family === 4) {
    for (let offset = 0; offset < blob.length; offset += 12) {
      into.push({ first: blob.readUInt32LE(offset) as K, last: blob.readUInt32LE(offset + 4) as K, depth: blob.readUInt32LE(offset + 8) });
    }
    return;
  }
  for (let offset = 0; offset < blob.length; offset += 24) {
    into.push({ first: blob.readBigUInt64LE(offset) as K, last: blob.readBigUInt64LE(offset + 8) as K, depth: Number(blob.readBigUInt64LE(offset + 16)) });
  }
}

/** The chunk of a scope and family starting at or before a unit (values: scope, family, unit). */
export const CHUNK_AT_OR_BEFORE_SQL = 'SELECT first, last, segments FROM dashboard_segments WHERE scope = ? AND family = ? AND first <= ? ORDER BY first DESC LIMIT 1';
/** The chunks of a scope and family starting inside a run of units (values: scope, family, first, last). */
export const CHUNKS_WITHIN_SQL = 'SELECT first, last, segments FROM dashboard_segments WHERE scope = ? AND family = ? AND first > ? AND first <= ?';

interface StoredChunk {
  first: number | bigint;
  last: number | bigint;
  segments: Buffer;
}

/** Apply one scope's deltas to its stored segments; returns the change in units covered. */
export function applyScope<K extends number | bigint>(db: WriteDb, scope: string, units: UnitArithmetic<K>, deltas: Array<Delta<K>>): bigint {
  const family = units.family;
  const select = (text: string) => {
    const statement = db.prepare(text);
    // IPv6 chunk keys use all 64 bits: read them as BigInt. Statements are cached per text, so each text keeps one mode.
    return family === 6 ? statement.safeIntegers(true) : statement;
  };
  const suffix = family === 6 ? ' /* v6 */' : '';
  const chunks = new Map<string, StoredChunk>();
  if (deltas.length > WHOLE_SCOPE_DELTAS) {
    for (const row of select(`SELECT first, last, segments FROM dashboard_segments WHERE scope = ? AND family = ?${suffix}`).iterate(scope, family)) {
      chunks.set(String((row as StoredChunk).first), row as StoredChunk);
    }
    db.run(sql`DELETE FROM dashboard_segments WHERE scope = ${scope} AND family = ${family}`);
  } else {
    const predecessor = select(`${CHUNK_AT_OR_BEFORE_SQL}${suffix}`);
    const within = select(`${CHUNKS_WITHIN_SQL}${suffix}`);
    for (const delta of deltas) {
      // Chunks cover disjoint runs, so the one starting at or before the delta is the only earlier one that can reach into it.
      const before = predecessor.get(scope, family, toStored(delta.first)) as StoredChunk | undefined;
      if (before && fromStored(units, before.last) >= delta.first) chunks.set(String(before.first), before);
      for (const row of within.iterate(scope, family, toStored(delta.first), toStored(delta.last))) chunks.set(String((row as StoredChunk).first), row as StoredChunk);
    }
    const remove = db.prepare('DELETE FROM dashboard_segments WHERE scope = ? AND family = ? AND first = ?');
    for (const chunk of chunks.values()) remove.run(scope, family, chunk.first);
  }
  const loaded: Array<Segment<K>> = [];
  const ordered = [...chunks.values()].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (const chunk of ordered) decodeChunk(units, chunk.segments, loaded);
  const result = applyDeltas(units, loaded, deltas);
  const insert = db.prepare('INSERT INTO dashboard_segments (scope, family, first, last, segments) VALUES (?, ?, ?, ?, ?)');
  for (let from = 0; from < result.segments.length; from += CHUNK_SEGMENTS) {
    const to = Math.min(result.segments.length, from + CHUNK_SEGMENTS);
    insert.run(scope, family, toStored(result.segments[from].first), toStored(result.segments[to - 1].last), encodeChunk(units, result.segments, from, to));
  }
  return result.after - result.before;
}

/** Every stored segment of one scope and family, in order. */
export function readScopeSegments<K extends number | bigint>(db: WriteDb, scope: string, units: UnitArithmetic<K>): Array<Segment<K>> {
  const statement = db.prepare(`SELECT segments FROM dashboard_segments WHERE scope = ? AND family = ? ORDER BY first${units.family === 6 ? ' /* v6 */' : ''}`);
  const segments: Array<Segment<K>> = [];
  for (const row of (units.family === 6 ? statement.safeIntegers(true) : statement).iterate(scope, units.family)) decodeChunk(units, (row as { segments: Buffer }).segments, segments);
  return segments;
}
