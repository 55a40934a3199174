/**
 * Bulk lookup: a list of addresses (pasted in the app, arguments, a file or standard input for
 * the CLI) split into entries the same way everywhere, each answered by the core's one lookup,
 * and the answers as CSV for a spreadsheet.
 */
import type { ListingView } from './listings.js';
import type { AddressAnswers, ListingPublication } from './published.js';
import { csvLine } from './csv.js';

/** The most addresses one `lookup.bulk` call answers; longer lists go in several calls. */
export const MAX_BULK_LOOKUP = 10_000;

/** One entry of an address list, with the line it stands on (1-based). */
export interface AddressEntry {
  readonly line: number;
  readonly text: string;
}

/**
 * The entries of a list of addresses: one or more per line, separated by spaces, tabs, commas
 * or semicolons (a column pasted from a spreadsheet, a line of a mail); blank lines and `#`
 * comments are skipped.
 */
export function addressEntries(text: string): AddressEntry[] {
  const entries: AddressEntry[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const comment = lines[index].indexOf('#');
    const line = comment === -1 ? lines[index] : lines[index].slice(0, comment);
    for (const part of line.split(/[\s,;]+/)) if (part !== '') entries.push({ line: index + 1, text: part });
  }
  return entries;
}

/** One address's answer: its lookup, or why the text is not an address. */
export interface BulkLookupAnswer {
  /** The text as given. */
  readonly input: string;
  readonly result: LookupResult | null;
  readonly error: string | null;
}

/** Whether a mail server sees the address on some list (the one rule publishing applies), not merely whether a listing contains it. */
export function isListed(result: LookupResult): boolean {
  return result.answers.lists.some((entry) => entry.answer !== null);
}

/**
 * What a mail server sees, one entry per list whose zone answers (`RBL 127.0.0.2`, with the QIL
 * level), and the blocklists a GAL entry overrides here (`RBL allowed by GAL #7`).
 */
export function mailServerSees(result: LookupResult): string[] {
  const seen: string[] = [];
  for (const entry of result.answers.lists) {
    if (entry.answer !== null) seen.push(`${entry.list} ${entry.answer.a}${entry.answer.level !== null ? ` (level ${entry.answer.level})` : ''}`);
    else if (entry.allowedBy !== null) seen.push(`${entry.list} allowed by GAL #${entry.allowedBy}`);
  }
  return seen;
}

const CSV_HEADER = ['input', 'address', 'listed', 'a mail server sees', 'lists', 'listing ids', 'statuses', 'problem'];

/** The answers as CSV: one row per address, what a mail server sees, its lists and listings in one cell each (`;`-separated). */
export function bulkLookupCsv(answers: readonly BulkLookupAnswer[]): string {
  let csv = csvLine(CSV_HEADER);
  for (const answer of answers) {
    const listings = answer.result?.listings ?? [];
    csv += csvLine([
      answer.input,
      answer.result?.ip ?? null,
      answer.result ? (isListed(answer.result) ? 'yes' : 'no') : null,
      answer.result ? mailServerSees(answer.result).join(';') : null,
      [...new Set(listings.map((listing) => listing.list))].join(';'),
      listings.map((listing) => listing.id).join(';'),
      listings.map((listing) => `${listing.list} #${listing.id} ${listing.status}`).join(';'),
      answer.error,
    ]);
  }
  return csv;
}

/** A listing containing the looked-up address: what the one rule makes of it now, and its part in the answer there. */
export interface LookupListing extends ListingView, ListingPublication {}

export interface LookupResult {
  readonly ip: string;
  readonly family: 4 | 6;
  readonly notes: readonly string[];
  /** Every listing whose range contains the address, in id order. */
  readonly listings: readonly LookupListing[];
  /** What a mail server sees for the address, per list and in the combined zone (the rule publishing applies). */
  readonly answers: AddressAnswers;
}
