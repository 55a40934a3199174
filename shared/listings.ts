/** Listings (reputation records) and their history as every view and transport shows them. */
import type { ListName, ListingStatus, Reason } from './domain.js';
import type { ClientKind } from './team.js';

/** A listing as the API shows it. */
export interface ListingView {
  readonly id: number;
  readonly list: ListName;
  /** Canonical text: address, CIDR or a-b range. */
  readonly range: string;
  readonly family: 4 | 6;
  readonly prefix: number | null;
  readonly reason: Reason;
  readonly investigator: string;
  readonly status: ListingStatus;
  readonly suppressedUntil: string | null;
  readonly txt: string | null;
  readonly level: number | null;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface HistoryEventView {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly reason: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  /** The client the event's call came through, and the address it came from (null: not recorded, e.g. before 0010). */
  readonly client: ClientKind | null;
  readonly address: string | null;
}

export interface ImportSummary {
  readonly imported: number;
  /** Lines whose range already stood earlier in the file (imported once), and ranges already listed on the list (skipped). */
  readonly merged: number;
  readonly alreadyListed: number;
  readonly list: ListName;
  /** Normalisations made (host bits cleared, IPv4-mapped input), with line numbers. */
  readonly notes: readonly string[];
  readonly notesOmitted: number;
}
