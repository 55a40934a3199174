/** Lookup: every listing on every list whose range contains an address, with its status. */
import { formatAddress, parseAddress } from '../../../shared/address.js';
import type { ListingView, LookupResult } from '../../../shared/contract.js';
import type { ReadDb } from '../db/connection.js';
import { invalidInput } from '../errors.js';
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
