/** Segments column-wise (see `SegmentColumns`) from the `Segment[]` form that tests and small callers use. */
import type { Family } from '../../../shared/address.js';
import type { Segment, SegmentColumns, ZoneAnswer } from './types.js';

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
