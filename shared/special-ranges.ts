/**
 * Address space that must never be listed: private, loopback, link-local, multicast, reserved
 * and documentation blocks (IANA special-purpose registries). Listing any of it would answer
 * for addresses no mail comes from, or worse, for a customer's own network.
 */
import { formatRange, parseRange, rangesOverlap, type AddressRange } from './address.js';

export interface SpecialRange extends AddressRange {
  readonly text: string;
  readonly name: string;
}

const SPECIAL: ReadonlyArray<[string, string]> = [
  ['0.0.0.0/8', '"this network"'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'shared carrier-grade NAT space (RFC 6598)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['198.18.0.0/15', 'benchmarking (RFC 2544)'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (and broadcast)'],
  ['::/127', 'unspecified and loopback'],
  ['64:ff9b:1::/48', 'local-use IPv4/IPv6 translation'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique local (private)'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
];

/** The special-purpose blocks, parsed once. */
export const SPECIAL_RANGES: readonly SpecialRange[] = SPECIAL.map(([text, name]) => {
  const parsed = parseRange(text);
  if (!parsed.ok) throw new Error(`bad special range ${text}: ${parsed.error}`);
  return { family: parsed.value.family, first: parsed.value.first, last: parsed.value.last, text, name };
});

/** The first special-purpose block the range overlaps, or null. */
export function specialRangeOverlapping(range: AddressRange): SpecialRange | null {
  return SPECIAL_RANGES.find((special) => rangesOverlap(special, range)) ?? null;
}

/**
 * Why a range may never be listed, or null: it overlaps special-purpose space (which includes
 * every range covering the whole space, 0.0.0.0/0 and ::/0). One message for every way in.
 */
export function specialSpaceProblem(range: AddressRange): string | null {
  const special = specialRangeOverlapping(range);
  return special ? `${formatRange(range)} overlaps ${special.text}, ${special.name}: reserved or private space is never listed` : null;
}

/** The IPv4 blocks as pairs of numbers (first, last), for the per-line check of big imports. */
const SPECIAL_IPV4 = Float64Array.from(SPECIAL_RANGES.filter((special) => special.family === 4).flatMap((special) => [Number(special.first), Number(special.last)]));

/** Per first octet (0-255), 1 when some special block has addresses in it. */
const SPECIAL_FIRST_OCTETS = new Uint8Array(256);
for (let position = 0; position < SPECIAL_IPV4.length; position += 2) SPECIAL_FIRST_OCTETS.fill(1, Math.floor(SPECIAL_IPV4[position] / 2 ** 24), Math.floor(SPECIAL_IPV4[position + 1] / 2 ** 24) + 1);

/**
 * Whether an IPv4 range given as numbers (0..2^32-1) overlaps special-purpose space: the test of
 * `specialRangeOverlapping` without a bigint, for a million lines; `specialSpaceProblem` says how.
 */
export function isSpecialIpv4(first: number, last: number): boolean {
  // Most addresses: within one first octet that no special block touches.
  if (first >>> 24 === last >>> 24 && !SPECIAL_FIRST_OCTETS[first >>> 24]) return false;
  for (let position = 0; position < SPECIAL_IPV4.length; position += 2) {
    if (SPECIAL_IPV4[position] <= last && first <= SPECIAL_IPV4[position + 1]) return true;
  }
  return false;
}
