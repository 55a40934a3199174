/**
 * What a published zone must answer, computed by brute force from the listings a test created
 * (not from the publisher's segments): which listings are in force, which one speaks per list,
 * GAL winning over the blocklists, the RFC 5782 test points, the combined zone as the union of
 * the blocklists, and the `$` substitution of each server (rbldnsd: the queried address; master
 * format: the address on an exact name, `<block>/<n> (range)` on a wildcard).
 */
import { formatAddress, type Family } from '../../../shared/address.js';
import { REASON_LABELS, type ListName, type Reason } from '../../../shared/domain.js';
import { masterOwnerPrefix, type OwnerCache, type RunAt } from './master-owner.js';

/** A listing as the test created it, with the status changes it made. */
export interface OracleListing {
  readonly id: number;
  readonly list: ListName;
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
  readonly reason: Reason;
  readonly txt: string | null;
  readonly level: number | null;
  status: 'active' | 'suppressed' | 'delisted' | 'expired';
  suppressedUntil: Date | null;
  expiresAt: Date | null;
}

/** The settings the answers depend on. */
export interface AnswerSettings {
  readonly returnCodes: { readonly RBL: string; readonly DUL: string; readonly MML: string; readonly GAL: string; readonly qilPrefix: string };
  readonly lookupUrl: string;
}

export type ZoneName = ListName | 'combined';

export interface Expected {
  readonly status: 'NOERROR' | 'NXDOMAIN';
  readonly a: string[];
  readonly txt: string[];
}

interface Part {
  readonly list: ListName;
  readonly a: string;
  /** The TXT with `$` not yet substituted. */
  readonly text: string;
}

const BLOCKLISTS: readonly ListName[] = ['RBL', 'DUL', 'QIL', 'MML'];
const BITS: Record<Family, number> = { 4: 32, 6: 128 };
export const TEST_POINTS: Record<Family, { listed: bigint; unlisted: bigint }> = {
  4: { listed: 0x7f000002n, unlisted: 0x7f000001n },
  6: { listed: 0xffff7f000002n, unlisted: 0xffff7f000001n },
};
const TEST_POINT_TEXT = 'RFC 5782 test point: this address is always listed';

export function isInForce(listing: OracleListing, now: Date): boolean {
  const active = listing.status === 'active' || (listing.status === 'suppressed' && listing.suppressedUntil !== null && listing.suppressedUntil <= now);
  return active && (listing.expiresAt === null || listing.expiresAt > now);
}

/** DNS text arrives from dig as bytes; compare UTF-8 text in the same form. */
function latin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function isMoreSpecific(a: OracleListing, b: OracleListing): boolean {
  const sizeA = a.last - a.first;
  const sizeB = b.last - b.first;
  return sizeA < sizeB || (sizeA === sizeB && a.id < b.id);
}

export class PublishOracle {
  private readonly ownerCaches = new Map<string, OwnerCache>();
  private readonly inForce: OracleListing[];
  /** Per family: every address where some listing (or test point) starts or stops; answers are constant in between. */
  private readonly boundaries: Record<Family, bigint[]>;
  private readonly signatures = new Map<string, string>();
  private readonly runs = new Map<string, { first: bigint; last: bigint }>();

  constructor(
    listings: readonly OracleListing[],
    private readonly settings: AnswerSettings,
    now: Date,
  ) {
    this.inForce = listings.filter((listing) => isInForce(listing, now));
    this.boundaries = { 4: [], 6: [] };
    for (const family of [4, 6] as const) {
      const points = new Set<bigint>([0n]);
      for (const listing of listings) {
        if (listing.family !== family) continue;
        points.add(listing.first);
        points.add(listing.last + 1n);
      }
      for (const point of [TEST_POINTS[family].listed, TEST_POINTS[family].unlisted]) {
        points.add(point);
        points.add(point + 1n);
      }
      this.boundaries[family] = [...points].filter((point) => point < 1n << BigInt(BITS[family])).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
  }

  /** The in-force listings of `list` and `family` that contain `value`. */
  covering(list: ListName, family: Family, value: bigint): OracleListing[] {
    return this.inForce.filter((listing) => listing.list === list && listing.family === family && listing.first <= value && value <= listing.last);
  }

  private returnCode(list: ListName, level: number | null): string {
    return list === 'QIL' ? `${this.settings.returnCodes.qilPrefix}${level ?? 1}` : this.settings.returnCodes[list];
  }

  private listAnswer(list: ListName, family: Family, value: bigint): Part | null {
    if (list !== 'GAL' && this.covering('GAL', family, value).length > 0) return null;
    const covering = this.covering(list, family, value);
    if (covering.length === 0) {
      return value === TEST_POINTS[family].listed ? { list, a: this.returnCode(list, 1), text: TEST_POINT_TEXT } : null;
    }
    let candidates = covering;
    if (list === 'QIL') {
      const least = Math.min(...covering.map((listing) => listing.level ?? 4));
      candidates = covering.filter((listing) => (listing.level ?? 4) === least);
    }
    let best = candidates[0];
    for (const candidate of candidates) if (isMoreSpecific(candidate, best)) best = candidate;
    const why = best.txt ? ` - ${best.txt}` : '';
    return { list, a: this.returnCode(list, best.level), text: `${list}: ${REASON_LABELS[best.reason]}${why}; see ${this.settings.lookupUrl}` };
  }

  /** Every answer part a zone gives for `value` (several in the combined zone). */
  parts(zone: ZoneName, family: Family, value: bigint): Part[] {
    const lists = zone === 'combined' ? BLOCKLISTS : [zone];
    return lists.flatMap((list) => this.listAnswer(list, family, value) ?? []);
  }

  /** Whether `zone` lists `value` at all. */
  isListed(zone: ZoneName, family: Family, value: bigint): boolean {
    return this.parts(zone, family, value).length > 0;
  }

  private elementaryIndex(family: Family, value: bigint): number {
    const points = this.boundaries[family];
    let low = 0;
    let high = points.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (points[middle] <= value) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private signature(zone: ZoneName, family: Family, index: number): string {
    const key = `${zone}/${family}/${index}`;
    let signature = this.signatures.get(key);
    if (signature === undefined) {
      signature = this.parts(zone, family, this.boundaries[family][index])
        .map((part) => `${part.list}|${part.a}|${part.text}`)
        .sort()
        .join('\n');
      this.signatures.set(key, signature);
    }
    return signature;
  }

  /** The largest range around `value` over which the zone's answer (before `$` substitution) stays the same. */
  run(zone: ZoneName, family: Family, value: bigint): { first: bigint; last: bigint } {
    const index = this.elementaryIndex(family, value);
    const key = `${zone}/${family}/${index}`;
    let run = this.runs.get(key);
    if (run === undefined) {
      const points = this.boundaries[family];
      const signature = this.signature(zone, family, index);
      let low = index;
      let high = index;
      while (low > 0 && this.signature(zone, family, low - 1) === signature) low -= 1;
      while (high < points.length - 1 && this.signature(zone, family, high + 1) === signature) high += 1;
      const last = high === points.length - 1 ? (1n << BigInt(BITS[family])) - 1n : points[high + 1] - 1n;
      run = { first: points[low], last };
      this.runs.set(key, run);
    }
    return run;
  }

  /** Prefix length of the owner name that answers `value` in a master-format zone (see master-owner.ts). */
  ownerBits(zone: ZoneName, family: Family, value: bigint): number {
    const runAt: RunAt = (address) => {
      const run = this.run(zone, family, address);
      const signature = this.signature(zone, family, this.elementaryIndex(family, address));
      return { first: run.first, last: run.last, key: signature === '' ? null : signature };
    };
    let cache = this.ownerCaches.get(zone);
    if (cache === undefined) this.ownerCaches.set(zone, (cache = new Map()));
    const owner = masterOwnerPrefix(family, value, runAt, cache);
    if (owner === null) throw new Error(`${formatAddress(family, value)} is not listed in ${zone}`);
    return owner;
  }

  private expected(parts: readonly Part[], substitution: string): Expected {
    if (parts.length === 0) return { status: 'NXDOMAIN', a: [], txt: [] };
    const a = [...new Set(parts.map((part) => part.a))].sort();
    const txt = [...new Set(parts.map((part) => latin1(part.text.split('$').join(substitution))))].sort();
    return { status: 'NOERROR', a, txt };
  }

  /** What rbldnsd answers: `$` is the queried address. */
  expectRbldnsd(zone: ZoneName, family: Family, value: bigint): Expected {
    return this.expected(this.parts(zone, family, value), formatAddress(family, value));
  }

  /** What NSD answers from the master-format zone: `$` is the address on an exact name, the wildcard's block otherwise. */
  expectMaster(zone: ZoneName, family: Family, value: bigint): Expected {
    const parts = this.parts(zone, family, value);
    if (parts.length === 0) return this.expected(parts, '');
    const bits = BITS[family];
    const owner = this.ownerBits(zone, family, value);
    if (owner === bits) return this.expected(parts, formatAddress(family, value));
    const network = (value >> BigInt(bits - owner)) << BigInt(bits - owner);
    return this.expected(parts, `${formatAddress(family, network)}/${owner} (range)`);
  }
}
