/**
 * What the zone writers refuse, and how they say it: parameters that are not a zone's, segments
 * that are not sorted and disjoint ranges of the zone's family, an answer set that is missing or
 * empty, the whole space (/0), an A value that is not an IPv4 address. Every refusal is a
 * ZoneWriteError whose message names the offending value.
 */
import { formatAddress, maxAddress, parseAddress, type Family } from '../../../../shared/address.js';
import type { Ipv4SegmentColumns, Ipv6SegmentColumns, SegmentColumns, ZoneAnswer, ZoneParameters } from './types.js';

/** Thrown for input a writer refuses (overlap, /0, a TXT the format cannot carry...), with a message naming it. */
export class ZoneWriteError extends Error {
  override name = 'ZoneWriteError';
}

const DOMAIN_NAME = /^(?=.{1,253}$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;
const MAX_ADDRESS: Record<Family, bigint> = { 4: maxAddress(4), 6: maxAddress(6) };
const IPV4_MAX = 0xffffffff;

/** A single address or a range, as messages name it. */
export function describeRange(family: Family, first: bigint, last: bigint): string {
  return first === last ? formatAddress(family, first) : `${formatAddress(family, first)}-${formatAddress(family, last)}`;
}

/** An address value of `family`, or a ZoneWriteError. */
export function checkAddress(family: Family, value: bigint): void {
  if (family !== 4 && family !== 6) throw new ZoneWriteError(`family must be 4 or 6, not ${String(family)}`);
  if (value < 0n || value > maxAddress(family)) throw new ZoneWriteError(`${value} is not an IPv${family} address value`);
}

function checkDomain(what: string, name: string): void {
  if (typeof name !== 'string' || !DOMAIN_NAME.test(name)) {
    throw new ZoneWriteError(`${what} ${JSON.stringify(name)} is not a domain name (no trailing dot, letters, digits, '-' and '_' only)`);
  }
}

function checkCount(what: string, value: number, maximum: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > maximum) throw new ZoneWriteError(`${what} must be an integer 0..${maximum}, not ${value}`);
}

const UINT32_MAX = 0xffffffff;
const TTL_MAX = 0x7fffffff;

/** The zone-wide parameters, checked before a writer writes anything. */
export function checkParameters(parameters: ZoneParameters): void {
  if (parameters.family !== 4 && parameters.family !== 6) throw new ZoneWriteError(`family must be 4 or 6, not ${String(parameters.family)}`);
  checkDomain('origin', parameters.origin);
  checkDomain('hostmaster', parameters.hostmaster);
  if (parameters.nameServers.length === 0) throw new ZoneWriteError('at least one name server is needed for the NS records');
  for (const nameServer of parameters.nameServers) checkDomain('name server', nameServer);
  checkCount('serial', parameters.serial, UINT32_MAX);
  checkCount('ttl', parameters.ttl, TTL_MAX);
  checkCount('refresh', parameters.refresh, TTL_MAX);
  checkCount('retry', parameters.retry, TTL_MAX);
  checkCount('expire', parameters.expire, TTL_MAX);
  checkCount('negativeTtl', parameters.negativeTtl, TTL_MAX);
  checkCount('created', parameters.created, Number.MAX_SAFE_INTEGER);
  checkCount('expires', parameters.expires, Number.MAX_SAFE_INTEGER);
  if (parameters.expires <= parameters.created) throw new ZoneWriteError(`expires (${parameters.expires}) must be after created (${parameters.created})`);
}

/** The A value of an answer in canonical form; refused unless it is an IPv4 address other than 0.0.0.0. */
export function canonicalA(answer: ZoneAnswer): string {
  const parsed = typeof answer.a === 'string' ? parseAddress(answer.a) : null;
  if (!parsed || !parsed.ok || parsed.value.family !== 4 || parsed.value.notes.length > 0) {
    throw new ZoneWriteError(`A value ${JSON.stringify(answer.a)} is not an IPv4 address`);
  }
  if (parsed.value.value === 0n) throw new ZoneWriteError('A value 0.0.0.0 cannot be published');
  return formatAddress(4, parsed.value.value);
}

function notARange(family: Family, first: unknown, last: unknown): ZoneWriteError {
  return new ZoneWriteError(`segment ${String(first)}..${String(last)} is not a range of IPv${family} addresses`);
}

/**
 * The checks after the bounds' own: sorted and disjoint, an answer set that exists and is not
 * empty, not /0. Bounds as bigints: only called with them when something is wrong (IPv4) or
 * for IPv6, whose bounds are bigints anyway.
 */
function refusal(family: Family, first: bigint, last: bigint, previousLast: bigint, answers: readonly ZoneAnswer[] | undefined, set: number): ZoneWriteError | null {
  if (first <= previousLast) {
    return new ZoneWriteError(`segments must be sorted and disjoint: ${describeRange(family, first, last)} starts at or before the end of the previous one (${formatAddress(family, previousLast)})`);
  }
  if (answers === undefined) return new ZoneWriteError(`segment ${describeRange(family, first, last)} answers set ${set}, which the columns do not have`);
  if (answers.length === 0) return new ZoneWriteError(`segment ${describeRange(family, first, last)} has no answers`);
  if (first === 0n && last === MAX_ADDRESS[family]) {
    return new ZoneWriteError(`segment ${describeRange(family, first, last)} covers the whole IPv${family} space (/0); refused`);
  }
  return null;
}

/**
 * Checks IPv4 segment `index` against the end of the one before; plain numbers unless it is
 * refused. Takes the index, not the bounds: a number past 2^30 handed to a call is boxed on the
 * heap, and that per segment is what this form of the segments is for avoiding.
 */
export function checkIpv4Segment(columns: Ipv4SegmentColumns, index: number): void {
  const first = columns.firsts[index];
  const last = columns.lasts[index];
  const previousLast = index === 0 ? -1 : columns.lasts[index - 1];
  if (first > last) throw notARange(4, first, last);
  const answers = columns.answerSets[columns.sets[index]] as readonly ZoneAnswer[] | undefined;
  if (first <= previousLast || answers === undefined || answers.length === 0 || (first === 0 && last === IPV4_MAX)) {
    const error = refusal(4, BigInt(first), BigInt(last), BigInt(previousLast), answers, columns.sets[index]);
    if (error !== null) throw error;
  }
}

/** Checks IPv6 segment `index` against the end of the one before: bigints, in range, then as IPv4. */
export function checkIpv6Segment(columns: Ipv6SegmentColumns, index: number, previousLast: bigint): void {
  const first = columns.firsts[index];
  const last = columns.lasts[index];
  if (typeof first !== 'bigint' || typeof last !== 'bigint' || first > last || first < 0n || last > MAX_ADDRESS[6]) throw notARange(6, first, last);
  const error = refusal(6, first, last, previousLast, columns.answerSets[columns.sets[index]] as readonly ZoneAnswer[] | undefined, columns.sets[index]);
  if (error !== null) throw error;
}

/** `columns` fit a zone of `family`: the same family, and `count` within every column. */
export function checkColumns(columns: SegmentColumns, family: Family): void {
  if (columns.family !== family) throw new ZoneWriteError(`the segments are IPv${String(columns.family)} but the zone is IPv${family}`);
  const { count } = columns;
  if (!Number.isSafeInteger(count) || count < 0 || count > columns.firsts.length || count > columns.lasts.length || count > columns.sets.length) {
    throw new ZoneWriteError(`segment count ${count} does not fit the columns (${columns.firsts.length} firsts, ${columns.lasts.length} lasts, ${columns.sets.length} sets)`);
  }
}
