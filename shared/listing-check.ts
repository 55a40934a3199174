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

/** A list that may be long: how many, and the first of them (`line N: ...`). */
export interface ExcerptOf<T> {
  readonly total: number;
  readonly items: readonly T[];
}

/**
 * What importing a file of listings would do, read and checked without writing
 * (`listings.importPreview`, a background job): counts, the lines merged (a range that already
 * stood earlier in the file), ranges already listed, normalisations, overlaps with listings in
 * force, and the bad lines with their numbers (any bad line stops the import).
 */
export interface ListingsImportPreview {
  readonly source: string;
  readonly list: ListName;
  /** Entries read, good ranges among them by family, and how many the import would add. */
  readonly entries: number;
  readonly ranges: number;
  readonly ipv4: number;
  readonly ipv6: number;
  readonly willImport: number;
  readonly merged: ExcerptOf<string>;
  readonly alreadyListed: ExcerptOf<string>;
  readonly normalisations: ExcerptOf<string>;
  readonly overlaps: ExcerptOf<string>;
  readonly rejected: ExcerptOf<string>;
}
