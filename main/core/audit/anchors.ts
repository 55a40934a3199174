/**
 * Where the history is anchored outside its own table. The chain checks itself, but events cut
 * from its end, or an end rewritten with freshly computed hashes, leave a valid chain; only a
 * record kept elsewhere names that. The records: signed checkpoints in the file beside the
 * database (checkpoints.ts), the checkpoint (and last event) each snapshot's signed manifest
 * holds (the newest this database published, the one its output folder's `current` holds, and
 * one given with its publisher key), each checked before it is trusted. An anchor that should
 * be there and is not (a missing folder, a deleted or cut checkpoint file, a checkpoint by
 * another key) is a problem: the history is then not reported intact.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { invalidInput } from '../errors.js';
import { readPublicKeyFiles, MANIFEST_FILE, SnapshotError, verifySnapshot, currentSerial, type Manifest } from '../snapshot/index.js';
import { isSignedByItsKey, keyFingerprint, parseCheckpoint, type Checkpoint, type CheckpointFile } from './checkpoints.js';
import type { HistoryAnchor } from './history.js';

/** An event recorded outside the history, with where it was found; `isListed` false: checked, not listed in the report. */
export type NamedAnchor = HistoryAnchor & { readonly source: string; readonly signedAt?: string; readonly isListed?: boolean };

export interface CollectedAnchors {
  readonly anchors: NamedAnchor[];
  /** Anchors expected and not found, unreadable or not trusted: the history cannot be called intact. */
  readonly problems: string[];
}

export interface AnchorSources {
  /** The database's checkpoint file (null: a database without a file). */
  readonly checkpointFile: CheckpointFile | null;
  /** Output folders whose `current` may hold a newer snapshot than the database records (the configured one). */
  readonly outFolders: readonly string[];
}

interface ManifestAnchor {
  readonly source: string;
  readonly manifest: Partial<Manifest>;
  /** The publisher's signature was checked against a key the caller gave (so its checkpoint key is trusted). */
  readonly isPublisherChecked: boolean;
}

function readManifestFile(folder: string): { bytes: Buffer; manifest: Partial<Manifest> } | null {
  try {
    const bytes = readFileSync(join(folder, MANIFEST_FILE));
    return { bytes, manifest: JSON.parse(bytes.toString('utf8')) as Partial<Manifest> };
  } catch {
    return null;
  }
}

function describe(checkpoint: Checkpoint): string {
  return `event ${checkpoint.event}, signed ${checkpoint.at}`;
}

/** The newest live snapshot's manifest, and any newer one an output folder's `current` holds, signed with this database's checkpoint key. */
function snapshotsOnDisk(db: ReadDb, sources: AnchorSources, localKey: string | null, problems: string[]): ManifestAnchor[] {
  const found: ManifestAnchor[] = [];
  const newest = db.get<{ serial: number; path: string; manifest_sha256: string }>(
    sql`SELECT serial, path, manifest_sha256 FROM snapshots WHERE state = 'live' ORDER BY serial DESC LIMIT 1`,
  );
  if (newest) {
    const read = readManifestFile(newest.path);
    if (!read) problems.push(`snapshot ${newest.serial}'s folder ${newest.path} is missing or holds no manifest: the history anchor it holds could not be read`);
    else if (createHash('sha256').update(read.bytes).digest('hex') !== newest.manifest_sha256) {
      problems.push(`snapshot ${newest.serial}'s manifest in ${newest.path} is not the one published (its SHA-256 differs from the recorded one)`);
    } else found.push({ source: `snapshot ${newest.serial}`, manifest: read.manifest, isPublisherChecked: false });
  }
  const folders = new Set([...(newest ? [dirname(newest.path)] : []), ...sources.outFolders]);
  for (const out of folders) {
    const serial = currentSerial(out);
    if (serial === null || (newest && serial <= newest.serial)) continue;
    // Switched and not yet marked live (a publish finishing, or one to be settled at the next start): recorded.
    if (db.get(sql`SELECT 1 AS found FROM snapshots WHERE serial = ${serial}`)) continue;
    const read = readManifestFile(join(out, 'current'));
    const checkpoint = parseCheckpoint(read?.manifest.checkpoint);
    // Another database's snapshot in a shared folder is not ours to account for; ours carries our key.
    if (!read || !checkpoint || checkpoint.key !== localKey || !isSignedByItsKey(checkpoint)) continue;
    problems.push(`${out}/current is snapshot ${serial}, signed with this database's checkpoint key, but the database records no such snapshot (its record was removed?)`);
    found.push({ source: `${out}/current (snapshot ${serial})`, manifest: read.manifest, isPublisherChecked: false });
  }
  return found;
}

/** A snapshot folder the caller gives, checked against the publisher keys first (the one a tampered database cannot have rewritten). */
async function givenSnapshot(given: { readonly snapshot?: string; readonly pubkeys?: readonly string[] }): Promise<ManifestAnchor | null> {
  if (given.snapshot === undefined) {
    if (given.pubkeys && given.pubkeys.length > 0) throw invalidInput('--pubkey without --snapshot DIR: give the snapshot folder to check the history against');
    return null;
  }
  if (!given.pubkeys || given.pubkeys.length === 0) throw invalidInput("a snapshot to check the history against needs --pubkey FILE (the team's public key)");
  const keys = readPublicKeyFiles(given.pubkeys);
  let manifest: Manifest;
  try {
    manifest = (await verifySnapshot(given.snapshot, keys)).manifest;
  } catch (error) {
    if (error instanceof SnapshotError) throw invalidInput(`snapshot ${given.snapshot}: ${error.message}`);
    throw error;
  }
  if (!manifest.history) throw invalidInput(`snapshot ${manifest.serial} records no history event (it was published before snapshots did)`);
  return { source: `signed snapshot ${manifest.serial}`, manifest, isPublisherChecked: true };
}

/** Every anchor to check the chain against, and what is wrong with the ones that should be there. */
export async function collectAnchors(db: ReadDb, given: { readonly snapshot?: string; readonly pubkeys?: readonly string[] }, sources: AnchorSources): Promise<CollectedAnchors> {
  const problems: string[] = [];
  const anchors: NamedAnchor[] = [];
  const file = sources.checkpointFile;
  let localKey: string | null = null;
  try {
    localKey = file?.custody.existingPublicKey()?.toString('base64') ?? null;
  } catch (error) {
    problems.push(`the checkpoint key cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const manifests = [...snapshotsOnDisk(db, sources, localKey, problems)];
  const signed = await givenSnapshot(given);
  if (signed) manifests.push(signed);

  // Checkpoint keys are trusted when they are this database's, or vouched for by a publisher's signature.
  const trusted = new Set<string>(localKey ? [localKey] : []);
  for (const { manifest, isPublisherChecked } of manifests) {
    const checkpoint = parseCheckpoint(manifest.checkpoint);
    if (isPublisherChecked && checkpoint) trusted.add(checkpoint.key);
  }
  const untrustedReason = (checkpoint: Checkpoint): string | null => {
    if (!isSignedByItsKey(checkpoint)) return 'fails its signature (forged or damaged)';
    if (trusted.has(checkpoint.key)) return null;
    if (trusted.size === 0) return `is signed by key ${keyFingerprint(checkpoint.key)}, and the checkpoint key ${file?.custody.description ?? ''} is missing, so it cannot be trusted`;
    return `is signed by key ${keyFingerprint(checkpoint.key)}, not by this database's checkpoint key (${[...trusted].map(keyFingerprint).join(', ')})`;
  };

  const contents = file?.readAll() ?? { exists: false, checkpoints: [], unreadableLines: [] };
  for (const line of contents.unreadableLines) problems.push(`line ${line} of the checkpoint file ${file?.path} cannot be read as a checkpoint`);
  let newestInFile: (Checkpoint & { line: number }) | null = null;
  for (const checkpoint of contents.checkpoints) {
    const reason = untrustedReason(checkpoint);
    if (reason) {
      problems.push(`the checkpoint on line ${checkpoint.line} of ${file?.path} (${describe(checkpoint)}) ${reason}`);
      continue;
    }
    if (!newestInFile || checkpoint.event >= newestInFile.event) newestInFile = checkpoint;
    anchors.push({ event: checkpoint.event, hash: checkpoint.hash, source: `the checkpoint signed ${checkpoint.at} (line ${checkpoint.line} of ${file?.path})`, signedAt: checkpoint.at, isListed: false });
  }
  if (newestInFile) {
    anchors.push({ event: newestInFile.event, hash: newestInFile.hash, source: `checkpoint file (newest of ${contents.checkpoints.length})`, signedAt: newestInFile.at });
  }

  for (const { source, manifest } of manifests) {
    const checkpoint = parseCheckpoint(manifest.checkpoint);
    if (checkpoint) {
      const reason = untrustedReason(checkpoint);
      if (reason) {
        problems.push(`the checkpoint ${source} records (${describe(checkpoint)}) ${reason}`);
        continue;
      }
      const isKept = contents.checkpoints.some((kept) => kept.event === checkpoint.event && kept.signature === checkpoint.signature);
      if (!contents.exists) problems.push(`the checkpoint file ${file?.path ?? '(none: this database has no file)'} is missing, but ${source} recorded a checkpoint in it (${describe(checkpoint)})`);
      else if (!isKept) problems.push(`the checkpoint file ${file?.path} lacks the checkpoint ${source} recorded (${describe(checkpoint)}): checkpoints were removed from it`);
      anchors.push({ event: checkpoint.event, hash: checkpoint.hash, source, signedAt: checkpoint.at });
    } else if (manifest.history && Number.isSafeInteger(manifest.history.event) && typeof manifest.history.hash === 'string') {
      // Snapshots published before checkpoints: the last event as the signed manifest recorded it.
      anchors.push({ event: manifest.history.event, hash: manifest.history.hash, source });
    }
  }
  return { anchors, problems };
}
