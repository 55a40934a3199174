/**
 * The first step of a publish, and all of a preview: read one snapshot of the database,
 * resolve what each list publishes, and diff it against the last live snapshot. Reads only.
 */
import { createHash } from 'node:crypto';
import { LISTS, type ListName } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { ChangeCounts, PublishPreview } from '../../../shared/publishing.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { requireActor } from '../investigators/investigators.js';
import { decodeIdSets, diffSorted, encodeIdSets } from './id-sets.js';
import { readListingsInForce } from '../rule/listings-in-force.js';
import { resolveZones, type Resolution } from './resolve/resolve.js';
import { runSafetyChecks } from './safety.js';

/** A prepared (not yet written) snapshot. */
export interface PreparedSnapshot {
  readonly resolution: Resolution;
  readonly changes: ChangeCounts | null;
  readonly changeDigest: string;
  /** The last live snapshot this one is diffed against (null: the first). */
  readonly previousSerial: number | null;
  readonly inForceBlob: Buffer;
  readonly diffBlob: Buffer;
  readonly listingsInForce: Record<ListName, number>;
}

/** The newest live snapshot's serial, what was in force then and its manifest's hash. */
export const LAST_LIVE_SNAPSHOT_SQL = sql`SELECT serial, in_force, manifest_sha256 FROM snapshots WHERE state = 'live' ORDER BY serial DESC LIMIT 1`;

/** The newest snapshot that went live (prepared ones are still being published, or were abandoned). */
export function lastLiveSnapshot(db: ReadDb): { serial: number; in_force: Buffer; manifest_sha256: string } | undefined {
  return db.get(LAST_LIVE_SNAPSHOT_SQL);
}

/** Read, resolve and diff against the last live snapshot. Reads only. */
export function prepareSnapshot(db: ReadDb, settings: Settings, now: Date): PreparedSnapshot {
  // Reading every listing through the memory map would leave the whole file in the RSS.
  const listings = db.withoutMemoryMap(() => readListingsInForce(db, now));
  // The combined zone is computed where it is written (publish, after the lists); previews skip it.
  const resolution = resolveZones(listings, settings, { withCombined: false });
  const last = lastLiveSnapshot(db);
  let changes: ChangeCounts | null = null;
  const diffSets: Record<string, number[]> = {};
  if (last) {
    const previous = decodeIdSets(last.in_force);
    changes = {} as ChangeCounts;
    for (const list of LISTS) {
      const { added, removed } = diffSorted(previous[list] ?? [], resolution.inForce[list]);
      changes[list] = { added: added.length, removed: removed.length, total: resolution.inForce[list].length };
      diffSets[`${list}+`] = added;
      diffSets[`${list}-`] = removed;
    }
  } else {
    for (const list of LISTS) diffSets[`${list}+`] = resolution.inForce[list];
  }
  const inForceBlob = encodeIdSets(resolution.inForce);
  return {
    resolution,
    changes,
    changeDigest: createHash('sha256').update(inForceBlob).update(last ? String(last.serial) : 'first').digest('hex'),
    previousSerial: last?.serial ?? null,
    inForceBlob,
    diffBlob: encodeIdSets(diffSets),
    listingsInForce: Object.fromEntries(LISTS.map((list) => [list, resolution.inForce[list].length])) as Record<ListName, number>,
  };
}

/** The SOA-style serial after `previous`: YYYYMMDDnn of today, and always larger than before. */
export function nextSerial(previous: number | null, now: Date): number {
  const today = Number(now.toISOString().slice(0, 10).replace(/-/g, '')) * 100;
  return Math.max(today, (previous ?? 0) + 1);
}

/** What the next publish would do: counts, changes and the safety report, writing nothing. */
export function previewPublish(db: ReadDb, actorName: string | null, settings: Settings, now: Date, zone?: string): PublishPreview {
  requireActor(db, actorName, 'publisher');
  const prepared = prepareSnapshot(db, settings, now);
  return {
    zone: (zone ?? settings.publish.zone).toLowerCase(),
    listingsInForce: prepared.listingsInForce,
    changes: prepared.changes,
    safety: runSafetyChecks(prepared.resolution, settings, prepared.changes, false),
    lastSerial: prepared.previousSerial,
  };
}
