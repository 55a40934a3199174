/**
 * Lookup: every listing on every list whose range contains an address, with what the one rule
 * makes of each now, and what a mail server sees for the address on each list and in the
 * combined zone (the rule publishing applies: main/core/rule/).
 */
import { formatAddress, parseAddress } from '../../../shared/address.js';
import type { LookupResult } from '../../../shared/lookup.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { AppError, invalidInput } from '../errors.js';
import type { BulkLookupAnswer } from '../../../shared/lookup.js';
import { findListing, toListingView } from '../listings/listings.js';
import type { ListingRow } from '../listings/listing-row.js';
import { PublicationRule } from '../rule/answers.js';
import type { ListingIndex } from './listing-index.js';

/**
 * Look an address up at `now`. `rule` may be shared by the lookups of one request (a bulk
 * lookup): it caches what it reads (DUL terms and exclusions) for that time.
 */
export function lookupAddress(db: ReadDb, index: ListingIndex, ip: string, settings: Settings, now: Date, rule: PublicationRule = new PublicationRule(db, now)): LookupResult {
  const parsed = parseAddress(ip);
  if (!parsed.ok) throw invalidInput(parsed.error);
  const { family, value, notes } = parsed.value;
  const rows = index
    .find(family, value)
    .sort((a, b) => a - b)
    .map((id) => findListing(db, id))
    .filter((row): row is ListingRow => row !== undefined);
  const { answers, roles } = rule.answersAt(settings, family, value, rows);
  const listings = rows.map((row) => ({ ...toListingView(db, row), standing: rule.standing(row), role: roles.get(row.id) ?? 'not-in-force' }));
  return { ip: formatAddress(family, value), family, notes, listings, answers };
}

/**
 * Many addresses at once, on the one index this core holds and under one rule at `now`: each
 * answered as `lookupAddress` answers it, and a text that is not an address answered with the
 * reason instead of failing the others.
 */
export function lookupAddresses(db: ReadDb, index: ListingIndex, ips: readonly string[], settings: Settings, now: Date): { answers: BulkLookupAnswer[] } {
  const rule = new PublicationRule(db, now);
  index.expect(ips.length);
  const answers = ips.map((input): BulkLookupAnswer => {
    try {
      return { input, result: lookupAddress(db, index, input, settings, now, rule), error: null };
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid-input') return { input, result: null, error: error.message };
      throw error;
    }
  });
  return { answers };
}
