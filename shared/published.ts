/**
 * What the zones answer for an address, as Lookup, the record and the queues show it: per list
 * the A record and TXT a mail server gets (`$` rendered with the address), or why nothing. The
 * core computes it with the one rule publishing uses (main/core/rule/).
 */
import type { ListName, Standing } from './domain.js';

/** One answer of a zone: the A record, the TXT as the server sends it, and the QIL level it stands for. */
export interface AnswerView {
  readonly a: string;
  readonly txt: string;
  readonly level: number | null;
}

/** What one list's zone answers for the address. */
export interface ListAnswer {
  readonly list: ListName;
  /** Null: the zone does not list the address (NXDOMAIN). */
  readonly answer: AnswerView | null;
  /** The listing whose answer it is; null for the RFC 5782 test point or no answer. */
  readonly listingId: number | null;
  /** A blocklist the GAL overrides here: the GAL listing that wins (and no answer). */
  readonly allowedBy: number | null;
}

/**
 * A listing's part in the answer at one address: it `answers`; another listing of its list
 * answers instead (`outranked`: more specific, or a lower QIL level); its ISP excludes the
 * address (`excluded`); a GAL entry wins (`allowed`); or it is not in force at all (`not-in-force`:
 * its standing says why).
 */
export type RoleAtAddress = 'answers' | 'outranked' | 'excluded' | 'allowed' | 'not-in-force';

/** What a listing shows where its answer is concerned. */
export interface ListingPublication {
  readonly standing: Standing;
  readonly role: RoleAtAddress;
}

/** What a mail server sees for one address: every list's zone, and the combined zone (every blocklist's answer). */
export interface AddressAnswers {
  readonly lists: readonly ListAnswer[];
  readonly combined: readonly AnswerView[];
}
