/**
 * What is published for an address at a time T: the rule's per-address half (in-force.ts has the
 * per-listing half). Per list, of the listings in force that contain the address (a DUL range
 * less its ISP's exclusions), the most specific answers (a smaller range, then a lower id; on
 * QIL the least level first); a GAL entry in force wins over every blocklist; a zone with no
 * answer for its RFC 5782 test point answers it; the A record is the list's return code (QIL:
 * per level) and the TXT names the list, the reason, the listing's own text and the lookup URL,
 * `$` standing for the address. Publishing resolves whole zones with the same precedence and
 * answers (publish/resolve/); test/unit/core/published-answers.test.ts checks Lookup against
 * the published rbldnsd files on random data.
 */
import { formatAddress, mergeRanges, readAddressKeyHex, type AddressRange, type Family } from '../../../shared/address.js';
import { LISTS, REASON_LABELS, type ListName, type Reason, type Standing } from '../../../shared/domain.js';
import type { AddressAnswers, AnswerView, ListAnswer, RoleAtAddress } from '../../../shared/published.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { excludedPieces, readSubmissionIsps, type Holes } from './dul-limits.js';
import type { ListingRow } from './listing-row.js';
import { InForceAt, inForceSql, type InForceTerms, type RuleRow } from './in-force.js';

/** Lists published as blocklists (in the combined zone); GAL is the allow-list. */
export const BLOCKLISTS = ['RBL', 'DUL', 'QIL', 'MML'] as const satisfies readonly ListName[];

/** RFC 5782 test points: listed (2) and never listed (1), in each family's zone. */
export const TEST_POINTS: Record<Family, { listed: bigint; unlisted: bigint }> = {
  4: { listed: 0x7f000002n, unlisted: 0x7f000001n },
  6: { listed: 0xffff7f000002n, unlisted: 0xffff7f000001n },
};

export const TEST_POINT_TXT = 'RFC 5782 test point: this address is always listed';

/** The A record a list answers (QIL: per level, 1 without one). */
export function returnCode(settings: Settings, list: ListName, level: number | null): string {
  return list === 'QIL' ? qilReturnCode(settings, String(level ?? 1)) : settings.returnCodes[list];
}

/** The A record a list answers as a snapshot's manifest names it: QIL's with `L` for the level. */
export function listReturnCode(settings: Settings, list: ListName): string {
  return list === 'QIL' ? qilReturnCode(settings, 'L') : returnCode(settings, list, null);
}

function qilReturnCode(settings: Settings, level: string): string {
  return `${settings.returnCodes.qilPrefix}${level}`;
}

/** The TXT a listing answers: what it is, why, and where to look it up (`$` = the address). */
export function answerText(settings: Settings, listing: { readonly list: ListName; readonly reason: Reason; readonly txt: string | null }): string {
  const what = `${listing.list}: ${REASON_LABELS[listing.reason]}`;
  const why = listing.txt ? ` - ${listing.txt}` : '';
  return `${what}${why}; see ${settings.lookupUrl}`;
}

/** The level a QIL entry answers at when it has none recorded. */
export const DEFAULT_PRECEDENCE_LEVEL = 4;

/**
 * Whether listing a answers before listing b where both cover an address on one list: on QIL
 * the least level first; then the smaller range (`size` = last - first of the piece that covers
 * the address); then the lower id. Publishing's resolution applies the same order per segment.
 */
export function answersBefore<Size extends number | bigint>(isQil: boolean, levelA: number, sizeA: Size, idA: number, levelB: number, sizeB: Size, idB: number): boolean {
  if (isQil && levelA !== levelB) return levelA < levelB;
  return sizeA < sizeB || (sizeA === sizeB && idA < idB);
}

interface Covering {
  readonly row: ListingRow;
  /** The part of the listing that covers the address (its range, or its piece after exclusions). */
  readonly size: bigint;
}

/**
 * The rule at one time, with what it reads cached for the requests of one call (a lookup, a
 * record, a bulk lookup): the DUL terms, the ISPs' exclusions in force, which submissions have
 * listings in force.
 */
export class PublicationRule {
  private readonly inForce: InForceAt;
  private ispOf: Map<number, number> | null = null;
  private readonly holesByIsp = new Map<string, Holes | null>();
  private readonly submissionInForce = new Map<number, boolean>();
  /** What every zone answers for an address no listing contains (but a test point), per family under one settings: made once, shared. */
  private unlisted: { readonly settings: Settings; readonly answers: Partial<Record<Family, AddressAnswers>> } | null = null;

  constructor(
    private readonly db: ReadDb,
    now: Date,
  ) {
    this.inForce = new InForceAt(db, now);
  }

  get terms(): InForceTerms {
    return this.inForce.terms;
  }

  /** What the rule makes of a listing now. */
  standing(row: RuleRow): Standing {
    return this.inForce.standing(row);
  }

  /**
   * The exclusions cut out of a DUL listing from `submissionId`: those of every submission of its
   * ISP (not reverted) that has a listing in force, sorted and merged per family; null for none.
   */
  holes(submissionId: number, family: Family): Holes | null {
    this.ispOf ??= readSubmissionIsps(this.db);
    const isp = this.ispOf.get(submissionId);
    if (isp === undefined) return null;
    const key = `${isp}/${family}`;
    if (this.holesByIsp.has(key)) return this.holesByIsp.get(key) ?? null;
    const ranges: AddressRange[] = [];
    for (const [submission, first, last] of this.db.iterateRaw(
      sql`SELECT e.submission_id, hex(e.first), hex(e.last) FROM dul_exclusions e JOIN dul_submissions s ON s.id = e.submission_id
          WHERE s.isp_id = ${isp} AND e.family = ${family} AND (s.reverted_at IS NULL OR s.reverted_at > ${this.terms.at})`,
    )) {
      if (!this.hasListingInForce(submission as number)) continue;
      ranges.push({ family, first: readAddressKeyHex(first as string).value, last: readAddressKeyHex(last as string).value });
    }
    const holes = ranges.length === 0 ? null : mergeRanges(ranges);
    this.holesByIsp.set(key, holes);
    return holes;
  }

  private hasListingInForce(submission: number): boolean {
    let known = this.submissionInForce.get(submission);
    if (known === undefined) {
      known = this.db.get(sql`SELECT 1 FROM listings WHERE submission_id = ${submission} AND ${inForceSql(this.terms)} LIMIT 1`) !== undefined;
      this.submissionInForce.set(submission, known);
    }
    return known;
  }

  /**
   * The published parts of a listing: none when it is not in force, else its range less its
   * ISP's exclusions (a DUL range), in address order.
   */
  publishedPieces(row: ListingRow, standing: Standing = this.standing(row)): AddressRange[] {
    if (standing !== 'active') return [];
    const first = readAddressKeyHex(row.first);
    const range: AddressRange = { family: first.family, first: first.value, last: readAddressKeyHex(row.last).value };
    if (row.list !== 'DUL' || row.submission_id === null) return [range];
    const holes = this.holes(row.submission_id, range.family);
    return (holes && excludedPieces(holes, range.family, range.first, range.last)) ?? [range];
  }

  /** The answer a listing gives (`$` rendered with `address`). */
  answerOf(settings: Settings, row: Pick<ListingRow, 'list' | 'reason' | 'txt' | 'level'>, address: string): AnswerView {
    const text = answerText(settings, row);
    return { a: returnCode(settings, row.list, row.level), txt: text.split('$').join(address), level: row.list === 'QIL' ? (row.level ?? 1) : null };
  }

  /**
   * Whether a listing's range, less its ISP's exclusions, contains the address; with
   * `isWhileInForce`, as it would be were it in force (a listing removed for now).
   */
  coversAt(row: ListingRow, family: Family, value: bigint, isWhileInForce = false): boolean {
    const standing = isWhileInForce ? 'active' : this.standing(row);
    return this.publishedPieces(row, standing).some((piece) => piece.family === family && piece.first <= value && value <= piece.last);
  }

  /**
   * What every zone answers for one address, given every listing whose stored range contains
   * it (the address index finds them), and each listing's part in it.
   */
  answersAt(settings: Settings, family: Family, value: bigint, containing: readonly ListingRow[]): { answers: AddressAnswers; roles: Map<number, RoleAtAddress> } {
    // Most addresses of a bulk lookup are in no listing: they share one answer, made once, instead of five new ones each.
    if (containing.length === 0 && value !== TEST_POINTS[family].listed) {
      if (this.unlisted?.settings !== settings) this.unlisted = { settings, answers: {} };
      const answers = (this.unlisted.answers[family] ??= this.answersOf(settings, family, value, containing).answers);
      return { answers, roles: new Map() };
    }
    return this.answersOf(settings, family, value, containing);
  }

  private answersOf(settings: Settings, family: Family, value: bigint, containing: readonly ListingRow[]): { answers: AddressAnswers; roles: Map<number, RoleAtAddress> } {
    const roles = new Map<number, RoleAtAddress>();
    const byList = new Map<ListName, Covering[]>(LISTS.map((list) => [list, []]));
    for (const row of containing) {
      const standing = this.standing(row);
      if (standing !== 'active') {
        roles.set(row.id, 'not-in-force');
        continue;
      }
      const piece = this.publishedPieces(row, standing).find((candidate) => candidate.family === family && candidate.first <= value && value <= candidate.last);
      if (!piece) {
        roles.set(row.id, 'excluded');
        continue;
      }
      (byList.get(row.list) as Covering[]).push({ row, size: piece.last - piece.first });
    }
    const address = formatAddress(family, value);
    const best = (list: ListName): Covering | null => {
      const isQil = list === 'QIL';
      let chosen: Covering | null = null;
      for (const candidate of byList.get(list) as Covering[]) {
        if (
          chosen === null ||
          answersBefore(isQil, candidate.row.level ?? DEFAULT_PRECEDENCE_LEVEL, candidate.size, candidate.row.id, chosen.row.level ?? DEFAULT_PRECEDENCE_LEVEL, chosen.size, chosen.row.id)
        ) {
          chosen = candidate;
        }
      }
      return chosen;
    };
    const gal = best('GAL');
    const lists: ListAnswer[] = LISTS.map((list) => {
      const covering = byList.get(list) as Covering[];
      const allowedBy = list !== 'GAL' && gal !== null ? gal.row.id : null;
      const chosen = allowedBy === null ? best(list) : null;
      for (const candidate of covering) roles.set(candidate.row.id, allowedBy !== null ? 'allowed' : candidate === chosen ? 'answers' : 'outranked');
      if (chosen) return { list, answer: this.answerOf(settings, chosen.row, address), listingId: chosen.row.id, allowedBy };
      // A zone answers its test point unless a listing already does (GAL does not override it).
      const isTestPoint = value === TEST_POINTS[family].listed;
      const answer = isTestPoint ? { a: returnCode(settings, list, 1), txt: TEST_POINT_TXT, level: list === 'QIL' ? 1 : null } : null;
      return { list, answer, listingId: null, allowedBy };
    });
    const combined = lists.filter((entry) => entry.list !== 'GAL' && entry.answer !== null).map((entry) => entry.answer as AnswerView);
    return { answers: { lists, combined }, roles };
  }
}
