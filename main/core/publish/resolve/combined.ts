/**
 * The combined zone: where an address is on several blocklists, it answers all their codes.
 * Made from the blocklists' resolved zones (after GAL and the test points), for one family at a
 * time, when it is written (after the lists' own files).
 */
import type { Family } from '../../../../shared/address.js';
import { BLOCKLISTS } from '../../rule/answers.js';
import { combine } from '../segments/set-operations.js';
import type { Interval } from '../segments/types.js';
import { flattenNumbers } from '../segments/ipv4.js';
import type { Ipv4SegmentColumns, Ipv6SegmentColumns, SegmentColumns, ZoneAnswer } from '../zones/types.js';
import { ipv6Columns } from './precedence.js';
import type { Resolution } from './types.js';

/** The combined zone of one family: where an address is on several blocklists, it answers all their codes. */
export function combinedZone(resolution: Pick<Resolution, 'zones'>, family: Family): SegmentColumns {
  return family === 4 ? combinedIpv4(resolution) : combinedIpv6(resolution);
}

/**
 * What the combined zone is made of: the blocklists' zones of one family, with each segment's
 * answer numbered across them (a list zone's segment has exactly one answer), and the answer
 * sets of the combined zone, one per combination of answers, made as they are met.
 */
function blocklistParts<C extends SegmentColumns>(resolution: Pick<Resolution, 'zones'>, family: Family) {
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

export function combinedIpv4(resolution: Pick<Resolution, 'zones'>): Ipv4SegmentColumns {
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

export function combinedIpv6(resolution: Pick<Resolution, 'zones'>): Ipv6SegmentColumns {
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
