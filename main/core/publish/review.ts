/**
 * What the Publish screen browses: the snapshots published from this database, and what each
 * one added and removed, listing by listing. (Large-change requests and their approval are
 * approve.ts.)
 */
import type { ListingView } from '../../../shared/listings.js';
import type { ListName } from '../../../shared/domain.js';
import type { ChangeCounts, SnapshotView } from '../../../shared/publishing.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { notFound } from '../errors.js';
import { listingReader } from '../listings/listings.js';
import { decodeIdSets } from './id-sets.js';

/** The snapshots published from this database (live ones), newest first. */
export function listSnapshots(db: ReadDb): SnapshotView[] {
  return db
    .all<{ serial: number; created_at: string; expires_at: string; zone: string; path: string; key_id: string; prepared: string; approved: string | null; counts: string }>(
      sql`SELECT s.serial, s.created_at, s.expires_at, s.zone, s.path, s.key_id, p.name AS prepared, a.name AS approved, s.counts
          FROM snapshots s JOIN investigators p ON p.id = s.prepared_by LEFT JOIN investigators a ON a.id = s.approved_by
          WHERE s.state = 'live' ORDER BY s.serial DESC`,
    )
    .map((row) => {
      const counts = JSON.parse(row.counts) as { listingsInForce: Record<ListName, number>; changes: ChangeCounts | null };
      return {
        serial: row.serial,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        zone: row.zone,
        path: row.path,
        keyId: row.key_id,
        preparedBy: row.prepared,
        approvedBy: row.approved,
        listingsInForce: counts.listingsInForce,
        changes: counts.changes,
      };
    });
}

/** One page of the listings a snapshot added or removed on a list, in id order after `afterId`. */
export function snapshotChanges(db: ReadDb, serial: number, list: ListName, kind: 'added' | 'removed', afterId: number, limit: number): { total: number; listings: ListingView[] } {
  const row = db.get<{ diff: Buffer }>(sql`SELECT diff FROM snapshots WHERE serial = ${serial} AND state = 'live'`);
  if (!row) throw notFound(`no snapshot ${serial}`);
  const ids = decodeIdSets(row.diff)[`${list}${kind === 'added' ? '+' : '-'}`] ?? [];
  let start = 0;
  let end = ids.length;
  while (start < end) {
    const middle = (start + end) >>> 1;
    if (ids[middle] <= afterId) start = middle + 1;
    else end = middle;
  }
  const read = listingReader(db);
  const listings = ids
    .slice(start, start + limit)
    .map(read)
    .filter((listing): listing is ListingView => listing !== undefined);
  return { total: ids.length, listings };
}
