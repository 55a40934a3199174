/**
 * Where the history is anchored outside its own table: every published snapshot's signed
 * manifest records the history's last event and its hash at that moment. The chain checks
 * itself, but events cut from its end (or the end rewritten) leave a valid chain; an anchor
 * the chain no longer holds names that.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { invalidInput } from '../errors.js';
import { readPublicKeyFiles } from '../publish/keys.js';
import { MANIFEST_FILE, SnapshotError, verifySnapshot, type Manifest } from '../publish/manifest.js';
import type { HistoryAnchor } from './history.js';

export type NamedAnchor = HistoryAnchor & { readonly source: string };

/**
 * The anchors to check: the newest snapshot this database published, read from its folder when
 * that still holds the manifest it published (same SHA-256), and a snapshot folder given by the
 * caller, verified first against the trusted public keys (the one a tampered database cannot
 * have rewritten).
 */
export async function historyAnchors(db: ReadDb, given: { readonly snapshot?: string; readonly pubkeys?: readonly string[] }): Promise<NamedAnchor[]> {
  const anchors: NamedAnchor[] = [];
  const newest = db.get<{ serial: number; path: string; manifest_sha256: string }>(sql`SELECT serial, path, manifest_sha256 FROM snapshots ORDER BY serial DESC LIMIT 1`);
  if (newest) {
    const path = join(newest.path, MANIFEST_FILE);
    const bytes = existsSync(path) ? readFileSync(path) : null;
    if (bytes !== null && createHash('sha256').update(bytes).digest('hex') === newest.manifest_sha256) {
      const history = historyOf(bytes);
      if (history) anchors.push({ ...history, source: `snapshot ${newest.serial}` });
    }
  }
  if (given.snapshot !== undefined) {
    if (!given.pubkeys || given.pubkeys.length === 0) throw invalidInput('a snapshot to check the history against needs --pubkey FILE (the team\'s public key)');
    const keys = readPublicKeyFiles(given.pubkeys);
    let manifest: Manifest;
    try {
      manifest = (await verifySnapshot(given.snapshot, keys)).manifest;
    } catch (error) {
      if (error instanceof SnapshotError) throw invalidInput(`snapshot ${given.snapshot}: ${error.message}`);
      throw error;
    }
    if (!manifest.history) throw invalidInput(`snapshot ${manifest.serial} records no history event (it was published before snapshots did)`);
    anchors.push({ ...manifest.history, source: `signed snapshot ${manifest.serial}` });
  } else if (given.pubkeys && given.pubkeys.length > 0) {
    throw invalidInput('--pubkey without --snapshot DIR: give the snapshot folder to check the history against');
  }
  return anchors;
}

function historyOf(bytes: Buffer): HistoryAnchor | null {
  try {
    const history = (JSON.parse(bytes.toString('utf8')) as Partial<Manifest>).history;
    return history && Number.isSafeInteger(history.event) && typeof history.hash === 'string' ? { event: history.event, hash: history.hash } : null;
  } catch {
    return null;
  }
}
