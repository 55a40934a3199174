/** Lookup: every listing on every list whose range contains an address, with its status. */
import { formatAddress, parseAddress } from '../../../shared/address.js';
import type { ListingView, LookupResult } from '../../../shared/contract.js';
import type { ReadDb } from '../db/connection.js';
import { AppError, invalidInput } from '../errors.js';
import type { BulkLookupAnswer } from '../../../shared/lookup.js';
import { listingReader } from '../listings/listings.js';
import type { ListingIndex } from './listing-index.js';

export function lookupAddress(db: ReadDb, index: ListingIndex, ip: string): LookupResult {
  const parsed = parseAddress(ip);
  if (!parsed.ok) throw invalidInput(parsed.error);
  const { family, value, notes } = parsed.value;
  const read = listingReader(db);
  const listings = index
    .find(family, value)
    .sort((a, b) => a - b)
    .map(read)
    .filter((listing): listing is ListingView => listing !== undefined);
  return { ip: formatAddress(family, value), family, notes, listings };
}

/**
 * Many addresses at once, on the one index this core holds: each answered as `lookupAddress`
 * answers it, and a text that is not an address answered with the reason instead of failing
 * the others.
 */
export function lookupAddresses(db: ReadDb, index: ListingIndex, ips: readonly string[]): { answers: BulkLookupAnswer[] } {
  const answers = ips.map((input): BulkLookupAnswer => {
    try {
      return { input, result: lookupAddress(db, index, input), error: null };
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid-input') return { input, result: null, error: error.message };
      throw error;
    }
  });
  return { answers };
}
