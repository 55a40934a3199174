/** Human-readable text for CLI output (the --json forms print the API values as they are). */
import type { ListingView } from '../../shared/listings.js';
import type { LookupListing, LookupResult } from '../../shared/lookup.js';
import type { PublishResult } from '../../shared/publishing.js';

export function formatListingLine(listing: ListingView): string {
  const qil = listing.list === 'QIL' ? ` level ${listing.level} until ${listing.expiresAt}` : '';
  const suppressed = listing.status === 'suppressed' && listing.suppressedUntil ? ` until ${listing.suppressedUntil}` : '';
  return `#${listing.id} ${listing.list} ${listing.range} ${listing.status}${suppressed} ${listing.reason}${qil} (by ${listing.investigator})`;
}

const ROLE_TEXT: Record<LookupListing['role'], string> = {
  answers: 'answers here',
  outranked: 'a more specific listing answers here',
  excluded: 'its ISP excludes this address',
  allowed: 'a GAL entry wins here',
  'not-in-force': 'not published',
};

export function formatLookup(result: LookupResult): string {
  const lines = result.notes.map((note) => `note: ${note}`);
  const isListedAnywhere = result.answers.lists.some((entry) => entry.answer !== null);
  if (result.listings.length === 0 && !isListedAnywhere) {
    lines.push(`${result.ip}: not listed`);
    return lines.join('\n');
  }
  lines.push(`${result.ip}: ${result.listings.length} listing${result.listings.length === 1 ? '' : 's'}`);
  for (const listing of result.listings) {
    const standing = listing.standing === listing.status ? '' : ` [${listing.standing} now]`;
    lines.push(`  ${formatListingLine(listing)}${standing}: ${ROLE_TEXT[listing.role]}`);
  }
  lines.push('a mail server sees:');
  for (const entry of result.answers.lists) {
    const from = entry.listingId !== null ? ` (#${entry.listingId})` : entry.answer !== null ? ' (RFC 5782 test point)' : '';
    const allowed = entry.allowedBy !== null ? ` (GAL #${entry.allowedBy} wins)` : '';
    lines.push(`  ${entry.list.padEnd(8)} ${entry.answer ? `${entry.answer.a} "${entry.answer.txt}"${from}` : 'not listed'}${allowed}`);
  }
  lines.push(`  ${'combined'.padEnd(8)} ${result.answers.combined.length === 0 ? 'not listed' : result.answers.combined.map((answer) => answer.a).join(', ')}`);
  return lines.join('\n');
}

/** What a snapshot would publish or did: the listings in force per list, the change against the last one, the safety report. */
export function formatSnapshotCounts(snapshot: Pick<PublishResult, 'listingsInForce' | 'changes' | 'safety'>): string[] {
  const lines = [`listings in force: ${Object.entries(snapshot.listingsInForce).map(([list, count]) => `${list} ${count}`).join(', ')}`];
  if (snapshot.changes) lines.push(`changes: ${Object.entries(snapshot.changes).map(([list, change]) => `${list} +${change.added} -${change.removed}`).join(', ')}`);
  lines.push('safety checks:');
  for (const check of snapshot.safety) {
    lines.push(`  ${check.status.toUpperCase().padEnd(14)} ${check.name}: ${check.message}`);
    for (const item of check.items) lines.push(`                 ${item}`);
  }
  return lines;
}

export function formatPublishResult(result: PublishResult): string {
  const lines: string[] = [];
  lines.push(result.published ? `published snapshot ${result.serial} of ${result.zone} at ${result.path} (key ${result.keyId})` : `NOT published (zone ${result.zone})`);
  lines.push(...formatSnapshotCounts(result));
  for (const file of result.files) lines.push(`  ${file.path.padEnd(22)} ${file.format.padEnd(7)} ${file.origin.padEnd(26)} ${String(file.entries).padStart(9)} entries ${String(file.size).padStart(11)} bytes`);
  if (result.approvedBy) lines.push(`large change approved by ${result.approvedBy}`);
  return lines.join('\n');
}
