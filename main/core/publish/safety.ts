/**
 * The safety checks run on a prepared snapshot before anything is written. Each is named in the
 * report. A failed check stops the publish; a change above the thresholds needs a second
 * publisher's approval; GAL conflicts are reported (GAL has already won) but do not stop it.
 */
import { formatRange, type Family } from '../../../shared/address.js';
import type { Settings } from '../../../shared/settings.js';
import type { ChangeCounts, SafetyCheck } from '../../../shared/publishing.js';
import { SPECIAL_RANGES } from '../../../shared/special-ranges.js';
import { TEST_POINTS } from '../rule/answers.js';
import type { Resolution } from './resolve/resolve.js';
import type { SegmentColumns } from './zones/types.js';

export type { CheckStatus, SafetyCheck, ChangeCounts } from '../../../shared/publishing.js';

const MAX_ITEMS = 30;

/** A bound of a segment: a number for IPv4, a bigint for IPv6 (they compare with each other). */
type Bound = number | bigint;

/** The index of the segment holding `value`, or -1. */
function containing(columns: SegmentColumns, value: bigint): number {
  const target: Bound = columns.family === 4 ? Number(value) : value;
  let low = 0;
  let high = columns.count - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (columns.lasts[middle] < target) low = middle + 1;
    else if (columns.firsts[middle] > target) high = middle - 1;
    else return middle;
  }
  return -1;
}

function isTestPoint(columns: SegmentColumns, index: number): boolean {
  const first = columns.firsts[index];
  return first === columns.lasts[index] && BigInt(first) === TEST_POINTS[columns.family].listed;
}

function rangeText(columns: SegmentColumns, index: number): string {
  return formatRange({ family: columns.family, first: BigInt(columns.firsts[index]), last: BigInt(columns.lasts[index]) });
}

function checkTestPoints(resolution: Resolution): SafetyCheck {
  const problems: string[] = [];
  for (const zone of resolution.zones) {
    for (const family of [4, 6] as const) {
      const { listed, unlisted } = TEST_POINTS[family];
      if (containing(zone.segments[family], listed) < 0) problems.push(`${zone.name} IPv${family}: the test point ${family === 4 ? '127.0.0.2' : '::ffff:7f00:2'} is not listed`);
      if (containing(zone.segments[family], unlisted) >= 0) problems.push(`${zone.name} IPv${family}: ${family === 4 ? '127.0.0.1' : '::ffff:7f00:1'} is listed and must never be`);
    }
  }
  return problems.length === 0
    ? { name: 'test-points', status: 'pass', message: 'every zone lists 127.0.0.2 and ::ffff:7f00:2 and neither 127.0.0.1 nor ::ffff:7f00:1 (RFC 5782)', items: [] }
    : { name: 'test-points', status: 'fail', message: `${problems.length} test-point problem(s)`, items: problems.slice(0, MAX_ITEMS) };
}

/** The indices of the segments wider than a block of `widestPrefix`. */
function tooWide(columns: SegmentColumns, widestPrefix: number): number[] {
  const found: number[] = [];
  if (columns.family === 4) {
    const widest = 2 ** (32 - widestPrefix);
    for (let index = 0; index < columns.count; index += 1) if (columns.lasts[index] - columns.firsts[index] + 1 > widest) found.push(index);
  } else {
    const widest = 1n << BigInt(128 - widestPrefix);
    for (let index = 0; index < columns.count; index += 1) if (columns.lasts[index] - columns.firsts[index] + 1n > widest) found.push(index);
  }
  return found;
}

function checkWholeSpace(resolution: Resolution, settings: Settings): SafetyCheck {
  const problems: string[] = [];
  let count = 0;
  for (const zone of resolution.zones) {
    if (zone.name === 'combined') continue;
    for (const family of [4, 6] as const) {
      const columns = zone.segments[family];
      const found = tooWide(columns, family === 4 ? settings.publish.widestPrefixV4 : settings.publish.widestPrefixV6);
      count += found.length;
      for (const index of found) if (problems.length < MAX_ITEMS) problems.push(`${zone.name}: ${rangeText(columns, index)}`);
    }
  }
  const limits = `/${settings.publish.widestPrefixV4} (IPv4) and /${settings.publish.widestPrefixV6} (IPv6)`;
  return count === 0
    ? { name: 'no-whole-space', status: 'pass', message: `no published block is wider than ${limits}`, items: [] }
    : { name: 'no-whole-space', status: 'fail', message: `${count} published block(s) wider than ${limits} (settings publish.widestPrefixV4/V6)`, items: problems };
}

/** Sorted, disjoint union of ranges, with bounds as the family's segments have them. */
function specialUnion(family: Family, ranges: ReadonlyArray<{ readonly first: bigint; readonly last: bigint }>): Array<{ first: Bound; last: Bound }> {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const union: Array<{ first: bigint; last: bigint }> = [];
  for (const { first, last } of sorted) {
    const top = union[union.length - 1];
    if (top !== undefined && first <= top.last + 1n) {
      if (last > top.last) top.last = last;
    } else {
      union.push({ first, last });
    }
  }
  return family === 4 ? union.map(({ first, last }) => ({ first: Number(first), last: Number(last) })) : union;
}

function checkSpecialSpace(resolution: Resolution): SafetyCheck {
  const problems: string[] = [];
  let count = 0;
  for (const zone of resolution.zones) {
    if (zone.name === 'combined') continue;
    for (const family of [4, 6] as const) {
      const specials = SPECIAL_RANGES.filter((special) => special.family === family);
      const mappedV4 = family === 6 ? { first: 0xffff00000000n, last: 0xffffffffffffn } : null;
      // Segments are sorted: walk them beside the union of the special blocks, and look for the
      // block by name only for a segment that meets the union (a million segments, ~20 blocks).
      const union = specialUnion(family, mappedV4 ? [...specials, mappedV4] : specials);
      const columns = zone.segments[family];
      let next = 0;
      for (let index = 0; index < columns.count; index += 1) {
        const first = columns.firsts[index];
        const last = columns.lasts[index];
        while (next < union.length && union[next].last < first) next += 1;
        if (next === union.length || union[next].first > last) continue;
        if (isTestPoint(columns, index)) continue;
        const special = specials.find((candidate) => candidate.first <= last && first <= candidate.last);
        const isMapped = mappedV4 !== null && mappedV4.first <= last && first <= mappedV4.last;
        if (special || isMapped) {
          count += 1;
          if (problems.length < MAX_ITEMS) {
            const what = special ? `${special.text}, ${special.name}` : '::ffff:0:0/96, IPv4-mapped';
            problems.push(`${zone.name}: ${rangeText(columns, index)} is in ${what}`);
          }
        }
      }
    }
  }
  return count === 0
    ? { name: 'special-space', status: 'pass', message: 'no private, loopback (but the test points), multicast, documentation or reserved space', items: [] }
    : { name: 'special-space', status: 'fail', message: `${count} block(s) in special-purpose space: delist them`, items: problems };
}

function checkGalConflicts(resolution: Resolution): SafetyCheck {
  if (resolution.galConflictCount === 0) return { name: 'gal-conflicts', status: 'pass', message: 'no blocklist entry overlaps a GAL entry', items: [] };
  return {
    name: 'gal-conflicts',
    status: 'warn',
    message: `${resolution.galConflictCount} blocklist piece(s) overlap GAL entries; GAL wins and they are left out of the blocklist zones`,
    items: resolution.galConflicts.slice(0, MAX_ITEMS).map((conflict) => `${conflict.list} ${conflict.range} overlaps GAL ${conflict.galRange}`),
  };
}

function checkChangeSize(changes: ChangeCounts | null, settings: Settings, isApproved: boolean): SafetyCheck {
  if (changes === null) {
    return { name: 'change-size', status: 'pass', message: 'first snapshot: there is no previous one to compare with', items: [] };
  }
  const { maxAddedPerList, maxRemovedPerList } = settings.publish;
  const large = Object.entries(changes)
    .filter(([, change]) => change.added > maxAddedPerList || change.removed > maxRemovedPerList)
    .map(([list, change]) => `${list}: +${change.added} -${change.removed} (limits +${maxAddedPerList} -${maxRemovedPerList})`);
  if (large.length === 0) return { name: 'change-size', status: 'pass', message: `every list changed within +${maxAddedPerList} -${maxRemovedPerList}`, items: [] };
  if (isApproved) return { name: 'change-size', status: 'pass', message: 'a large change, approved by a second publisher', items: large };
  return {
    name: 'change-size',
    status: 'needs-approval',
    message: 'the change is larger than the thresholds: a second publisher must approve it (Approve in the Publish screen, or repdesk publish --approve-large-change run by another publisher)',
    items: large,
  };
}

/** Run every check. */
export function runSafetyChecks(resolution: Resolution, settings: Settings, changes: ChangeCounts | null, isApproved: boolean): SafetyCheck[] {
  return [
    checkTestPoints(resolution),
    checkWholeSpace(resolution, settings),
    checkSpecialSpace(resolution),
    checkGalConflicts(resolution),
    checkChangeSize(changes, settings, isApproved),
  ];
}
