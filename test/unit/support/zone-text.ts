/**
 * Zone writers for tests: segments as objects (`Segment[]`, the form a test writes by hand) made
 * column-wise, and the writers' bytes decoded to text. Publishing itself hands the writers
 * columns (`SegmentColumns`) and writes bytes; these only adapt that to what tests compare.
 */
import type { Family } from '../../../shared/address.js';
import type { SegmentColumns, ZoneAnswer, ZoneParameters, ZoneWriteResult } from '../../../main/core/publish/zones/types.js';
import { writeBindZoneColumns } from '../../../main/core/publish/zones/bind.js';
import { writeRbldnsdColumns } from '../../../main/core/publish/zones/rbldnsd.js';

/** An inclusive address range with the answers every address inside it gets. */
export interface Segment {
  readonly first: bigint;
  readonly last: bigint;
  readonly answers: readonly ZoneAnswer[];
}

/** `segments` column-wise. Answer arrays are kept by identity: equal arrays become one set. */
export function columnsOf(family: Family, segments: readonly Segment[]): SegmentColumns {
  const count = segments.length;
  const sets = new Uint32Array(count);
  const answerSets: Array<readonly ZoneAnswer[]> = [];
  const setIndex = new Map<readonly ZoneAnswer[], number>();
  for (let index = 0; index < count; index += 1) {
    const answers = segments[index].answers;
    let set = setIndex.get(answers);
    if (set === undefined) {
      set = answerSets.length;
      setIndex.set(answers, set);
      answerSets.push(answers);
    }
    sets[index] = set;
  }
  if (family === 4) {
    const firsts = new Uint32Array(count);
    const lasts = new Uint32Array(count);
    for (let index = 0; index < count; index += 1) {
      const { first, last } = segments[index];
      if (typeof first !== 'bigint' || typeof last !== 'bigint' || first < 0n || last > 0xffffffffn || first > last) {
        throw new RangeError(`segment ${String(first)}..${String(last)} is not a range of IPv4 addresses`);
      }
      firsts[index] = Number(first);
      lasts[index] = Number(last);
    }
    return { family, count, firsts, lasts, sets, answerSets };
  }
  return { family, count, firsts: segments.map((segment) => segment.first), lasts: segments.map((segment) => segment.last), sets, answerSets };
}

type ColumnWriter = typeof writeRbldnsdColumns;

function asText(writer: ColumnWriter, segments: readonly Segment[], parameters: ZoneParameters, write: (chunk: string) => void, chunkBytes: number): ZoneWriteResult {
  // Chunks end on a record, so each one is whole UTF-8.
  return writer(columnsOf(parameters.family, segments), parameters, (bytes) => write(bytes.toString('utf8')), chunkBytes);
}

/** The rbldnsd file of `segments` as text, in chunks of about `chunkBytes`. */
export function writeRbldnsd(segments: readonly Segment[], parameters: ZoneParameters, write: (chunk: string) => void, chunkBytes = 64 * 1024): ZoneWriteResult {
  return asText(writeRbldnsdColumns, segments, parameters, write, chunkBytes);
}

/** The master-format zone of `segments` as text, in chunks of about `chunkBytes`. */
export function writeBindZone(segments: readonly Segment[], parameters: ZoneParameters, write: (chunk: string) => void, chunkBytes = 64 * 1024): ZoneWriteResult {
  return asText(writeBindZoneColumns, segments, parameters, write, chunkBytes);
}
