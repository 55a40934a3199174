/**
 * What "New listing" shows before anything is saved: the range as it will be stored (host bits
 * cleared, a-b ranges as their CIDR blocks), the answer a mail server will get, what the add
 * would refuse (special-purpose space among it), and what deserves a second look (overlapping
 * listings, GAL entries, a block wider than publishing allows). `listings.check` computes it
 * without writing.
 */
import type { ListName, ListingStatus } from './domain.js';

export type ListingWarningKind = 'duplicate' | 'overlap' | 'gal' | 'too-wide';

export interface ListingWarning {
  readonly kind: ListingWarningKind;
  readonly message: string;
  /** The listings it concerns (overlaps, GAL entries, the duplicate), at most a few hundred. */
  readonly listings: ReadonlyArray<{ readonly id: number; readonly list: ListName; readonly range: string; readonly status: ListingStatus }>;
}

export interface ListingCheck {
  /** The range as it will be stored, its family and CIDR blocks (the first 64) and address count. */
  readonly range: string;
  readonly family: 4 | 6;
  readonly cidrs: readonly string[];
  readonly cidrsOmitted: number;
  readonly addressCount: string;
  /** Normalisations made to the text typed (host bits cleared, IPv4-mapped form). */
  readonly notes: readonly string[];
  /** What a mail server asking for the first address will get, `$` already replaced. */
  readonly answer: { readonly a: string; readonly txt: string; readonly queriedAddress: string };
  /** QIL: the level and expiry the listing will take (the settings' defaults when none given). */
  readonly level: number | null;
  readonly expiresAt: string | null;
  /** Why saving would be refused as typed (a reason not on the list, a bad TXT...); empty when it can be saved. */
  readonly problems: readonly string[];
  readonly warnings: readonly ListingWarning[];
}
