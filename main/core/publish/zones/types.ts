/**
 * The data that flows from resolving listings to writing zone files. Writers see only
 * disjoint, sorted segments: overlap resolution, GAL precedence and DUL exclusions are done
 * before, so that every output format answers exactly the same thing.
 */
import type { Family } from '../../../../shared/address.js';

/** One DNS answer for an address: an A record value and a TXT text (may contain `$`, the queried address). */
export interface ZoneAnswer {
  readonly a: string;
  readonly txt: string;
}

/** Zone-wide parameters for a writer. */
export interface ZoneParameters {
  /** Zone origin without trailing dot, e.g. `rbl.bl.example`. */
  readonly origin: string;
  readonly family: Family;
  /** Snapshot serial (SOA serial), e.g. 2026112801. */
  readonly serial: number;
  /** Name servers (FQDNs without trailing dot) for the NS records. */
  readonly nameServers: readonly string[];
  /** SOA RNAME as a domain (hostmaster.bl.example). */
  readonly hostmaster: string;
  /** TTL of the answers, in seconds. */
  readonly ttl: number;
  /** SOA refresh/retry/expire/minimum (negative caching TTL), seconds. */
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly negativeTtl: number;
  /** When the snapshot was made and when it stops being valid (unix seconds). */
  readonly created: number;
  readonly expires: number;
}

/**
 * A zone's segments column-wise (sorted, disjoint ranges, each with its answers): what publishing hands the
 * writers, so that a million segments are a few typed arrays rather than a million objects.
 * IPv4 bounds are plain numbers in 32-bit arrays; IPv6 keeps bigints (its lists are far smaller).
 * Segment i answers `answerSets[sets[i]]`.
 */
export type SegmentColumns = Ipv4SegmentColumns | Ipv6SegmentColumns;

interface SegmentColumnsBase {
  /** Number of segments (the arrays may be longer: read only the first `count`). */
  readonly count: number;
  readonly sets: Uint32Array;
  readonly answerSets: ReadonlyArray<readonly ZoneAnswer[]>;
}

export interface Ipv4SegmentColumns extends SegmentColumnsBase {
  readonly family: 4;
  readonly firsts: Uint32Array;
  readonly lasts: Uint32Array;
}

export interface Ipv6SegmentColumns extends SegmentColumnsBase {
  readonly family: 6;
  readonly firsts: readonly bigint[];
  readonly lasts: readonly bigint[];
}

/** What a writer reports about the file it wrote. */
export interface ZoneWriteResult {
  /** rbldnsd: CIDR lines; master format: owner names (wildcards and exact names). */
  readonly entries: number;
}
