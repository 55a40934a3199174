/** Human-readable text for CLI output (the --json forms print the API values as they are). */
import type { ListingView, LookupResult } from '../../shared/contract.js';

export function formatListingLine(listing: ListingView): string {
  const qil = listing.list === 'QIL' ? ` level ${listing.level} until ${listing.expiresAt}` : '';
  const suppressed = listing.status === 'suppressed' && listing.suppressedUntil ? ` until ${listing.suppressedUntil}` : '';
  return `#${listing.id} ${listing.list} ${listing.range} ${listing.status}${suppressed} ${listing.reason}${qil} (by ${listing.investigator})`;
}

export function formatLookup(result: LookupResult): string {
  const lines = result.notes.map((note) => `note: ${note}`);
  if (result.listings.length === 0) lines.push(`${result.ip}: not listed`);
  else {
    lines.push(`${result.ip}: ${result.listings.length} listing${result.listings.length === 1 ? '' : 's'}`);
    for (const listing of result.listings) lines.push(`  ${formatListingLine(listing)}`);
  }
  return lines.join('\n');
}
