/**
 * GAL precedence: a GAL entry in force wins over every blocklist. Each blocklist's resolved
 * segments lose what GAL covers, and every such overlap is a conflict the safety report names
 * (the first MAX_REPORTED_CONFLICTS of them, all of them counted).
 */
import { formatRange, type Family } from '../../../../shared/address.js';
import type { ListName } from '../../../../shared/domain.js';
import { intersect, subtract } from '../segments/set-operations.js';
import type { Interval } from '../segments/types.js';
import { intersectNumbers, subtractNumbers, type NumberSegments } from '../segments/ipv4.js';
import type { Candidate, Ipv4Items } from './precedence.js';
import type { GalConflict } from './types.js';

const MAX_REPORTED_CONFLICTS = 200;

/** The conflicts of one resolution: the first ones named, all counted. */
export class GalConflicts {
  readonly named: GalConflict[] = [];
  count = 0;

  private report(list: ListName, family: Family, first: bigint, last: bigint, galFirst: bigint, galLast: bigint): void {
    if (this.named.length >= MAX_REPORTED_CONFLICTS) return;
    this.named.push({ list, range: formatRange({ family, first, last }), galRange: formatRange({ family, first: galFirst, last: galLast }) });
  }

  /** `list`'s IPv4 segments less the GAL entries (`gal`), the overlaps reported. */
  withoutGalIpv4(list: ListName, segments: NumberSegments, gal: Ipv4Items): NumberSegments {
    if (gal.count === 0) return segments;
    const conflicts = intersectNumbers(segments, gal.count, gal.firsts, gal.lasts, MAX_REPORTED_CONFLICTS - this.named.length);
    this.count += conflicts.count;
    for (const piece of conflicts.pieces) {
      this.report(list, 4, BigInt(piece.first), BigInt(piece.last), BigInt(gal.firsts[piece.rangeIndex]), BigInt(gal.lasts[piece.rangeIndex]));
    }
    return subtractNumbers(segments, gal.count, gal.firsts, gal.lasts);
  }

  /** `list`'s IPv6 segments less the GAL entries (`gal`), the overlaps reported. */
  withoutGalIpv6(list: ListName, segments: Array<Interval<number>>, gal: readonly Candidate[]): Array<Interval<number>> {
    if (gal.length === 0) return segments;
    for (const piece of intersect(segments, gal)) {
      this.count += 1;
      const entry = gal[piece.rangeIndex];
      this.report(list, 6, piece.first, piece.last, entry.first, entry.last);
    }
    return subtract(segments, gal);
  }
}
