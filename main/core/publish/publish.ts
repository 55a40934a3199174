/**
 * Publishing a signed zone snapshot: prepare (read one snapshot of the database, resolve, diff
 * against the last snapshot, run the safety checks), then write every zone file in both formats
 * into a temporary folder, fsync, sign the manifest in minisign's format, rename the folder into
 * `<out>/<serial>/` and switch `<out>/current` atomically. A crash at any point leaves the
 * previous snapshot current and whole.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { LISTS, type ListName } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { Family } from '../../../shared/address.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { forbidden, invalidInput } from '../errors.js';
import { historyHead, openHistory } from '../audit/history.js';
import { requireActor, type Actor } from '../investigators/investigators.js';
import { decodeIdSets, diffSorted, encodeIdSets } from './id-sets.js';
import { formatKeyId, sign, type MinisignKeyPair } from './minisign.js';
import { combinedZone, readListingsInForce, resolveZones, returnCode, type Resolution } from './resolve.js';
import { runSafetyChecks } from './safety.js';
import type { ChangeCounts, PublishPreview, PublishResult, SnapshotView } from '../../../shared/publishing.js';
import type { ZoneParameters } from './types.js';
import { writeBindZoneColumns, writeRbldnsdColumns, ZoneWriteError } from './zones.js';
import { HashedFile, fsyncFolder } from './files.js';
import { MANIFEST_FILE, SIGNATURE_FILE, type Manifest, type ManifestFile } from './manifest.js';
export type { PublishResult };

/** Progress of long work: what stage, how far. */
export interface PublishProgress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

export interface PublishOptions {
  readonly out: string;
  readonly key: MinisignKeyPair;
  readonly actor: string | null;
  /** Overrides the settings' base zone. */
  readonly zone?: string;
  /** This actor approves a large change that another publisher prepared (or will publish). */
  readonly approveLargeChange?: boolean;
  readonly onProgress?: (progress: PublishProgress) => void;
  /** Testing crash safety: throw at a named point of the write. */
  readonly failAt?: 'files' | 'manifest' | 'rename' | 'pointer';
}

/** A prepared (not yet written) snapshot. */
export interface PreparedSnapshot {
  readonly resolution: Resolution;
  readonly changes: ChangeCounts | null;
  readonly changeDigest: string;
  readonly previousSerial: number | null;
  readonly inForceBlob: Buffer;
  readonly diffBlob: Buffer;
}

interface SnapshotRow {
  serial: number;
  in_force: Buffer;
  manifest_sha256: string;
}

/** Read, resolve and diff against the last snapshot. Reads only. */
export function prepareSnapshot(db: ReadDb, settings: Settings, now: Date): PreparedSnapshot {
  // Reading every listing through the memory map would leave the whole file in the RSS.
  const listings = db.withoutMemoryMap(() => readListingsInForce(db, now));
  // The combined zone is computed where it is written (publish, after the lists); previews skip it.
  const resolution = resolveZones(listings, settings, { withCombined: false });
  const last = db.get<SnapshotRow>(sql`SELECT serial, in_force, manifest_sha256 FROM snapshots ORDER BY serial DESC LIMIT 1`);
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
  };
}

/** The SOA-style serial after `previous`: YYYYMMDDnn of today, and always larger than before. */
export function nextSerial(previous: number | null, now: Date): number {
  const today = Number(now.toISOString().slice(0, 10).replace(/-/g, '')) * 100;
  return Math.max(today, (previous ?? 0) + 1);
}

/** Zone origins: lists as <list>.<zone> (IPv4) and <list>.v6.<zone> (IPv6); combined as <zone> and v6.<zone>. */
export function zoneOrigin(zone: string, name: ListName | 'combined', family: Family): string {
  const prefix = name === 'combined' ? '' : `${name.toLowerCase()}.`;
  return family === 4 ? `${prefix}${zone}` : `${prefix}v6.${zone}`;
}

function fileBaseName(name: ListName | 'combined'): string {
  return name.toLowerCase();
}

interface ApprovalRow {
  id: number;
  change_digest: string;
  requested_by: number;
  approved_by: number | null;
  base_serial: number | null;
  in_force: Buffer | null;
}

/**
 * Whether request `row` covers the change `prepared` would publish: made for exactly this
 * content, or for content that differs from this by no more than the change-size thresholds on
 * every list (what is allowed without an approval anyway) and compared with the same snapshot.
 */
function covers(row: ApprovalRow, prepared: PreparedSnapshot, settings: Settings): boolean {
  if (row.change_digest === prepared.changeDigest) return true;
  if (row.in_force === null || row.base_serial !== (prepared.previousSerial ?? 0)) return false;
  const asked = decodeIdSets(row.in_force);
  const { maxAddedPerList, maxRemovedPerList } = settings.publish;
  return LISTS.every((list) => {
    const drift = diffSorted(asked[list] ?? [], prepared.resolution.inForce[list]);
    return drift.added.length <= maxAddedPerList && drift.removed.length <= maxRemovedPerList;
  });
}

/**
 * Approval of a large change: by two different publishers, for this change (see `covers`). The
 * one who asked is the preparer of record, whichever of the two runs the publish that uses it.
 */
function resolveApproval(
  db: WriteDb,
  actor: Actor,
  prepared: PreparedSnapshot,
  settings: Settings,
  isApproving: boolean,
  summary: string,
  now: string,
): { approved: boolean; approvedBy: Actor | null; preparedBy: Actor | null; requestId: number | null } {
  const rows = db
    .all<ApprovalRow>(sql`SELECT id, change_digest, requested_by, approved_by, base_serial, in_force FROM publish_approvals WHERE used_by_serial IS NULL ORDER BY id`)
    .filter((row) => covers(row, prepared, settings))
    // A request for exactly this content first.
    .sort((a, b) => Number(b.change_digest === prepared.changeDigest) - Number(a.change_digest === prepared.changeDigest));
  const person = (id: number | null): Actor | null => {
    const row = db.get<{ id: number; name: string }>(sql`SELECT id, name FROM investigators WHERE id = ${id}`);
    return row ? { id: row.id, name: row.name, roles: [] } : null;
  };
  const complete = rows.find((row) => row.approved_by !== null && (row.requested_by === actor.id || row.approved_by === actor.id));
  if (complete) {
    return { approved: true, approvedBy: person(complete.approved_by), preparedBy: person(complete.requested_by), requestId: complete.id };
  }
  if (isApproving) {
    const byOther = rows.find((row) => row.requested_by !== actor.id && row.approved_by === null);
    if (byOther) {
      db.run(sql`UPDATE publish_approvals SET approved_by = ${actor.id}, approved_at = ${now} WHERE id = ${byOther.id}`);
      return { approved: true, approvedBy: actor, preparedBy: person(byOther.requested_by), requestId: byOther.id };
    }
  }
  if (!rows.some((row) => row.requested_by === actor.id)) {
    db.run(sql`INSERT INTO publish_approvals (change_digest, requested_by, requested_at, summary, base_serial, in_force)
      VALUES (${prepared.changeDigest}, ${actor.id}, ${now}, ${summary}, ${prepared.previousSerial ?? 0}, ${prepared.inForceBlob})`);
  }
  return { approved: false, approvedBy: null, preparedBy: null, requestId: null };
}

function readCurrentManifest(out: string): { serial: number; sha256: string } | null {
  const path = join(out, 'current', MANIFEST_FILE);
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  const manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
  return { serial: manifest.serial, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Remove snapshot folders beyond the newest `keep` (never the current one), and leftovers of crashed runs. */
function pruneSnapshots(out: string, keep: number): void {
  let current: string | null = null;
  try {
    current = readlinkSync(join(out, 'current'));
  } catch {
    current = null;
  }
  const entries = readdirSync(out);
  for (const entry of entries) {
    if (entry.startsWith('.incoming-') || entry.startsWith('.current-')) rmSync(join(out, entry), { recursive: true, force: true });
  }
  const serials = entries.filter((entry) => /^\d+$/.test(entry)).sort((a, b) => Number(b) - Number(a));
  for (const entry of serials.slice(keep)) if (entry !== current) rmSync(join(out, entry), { recursive: true, force: true });
}

/** A clear refusal for the output folder that cannot be written (else the error as it is). */
function outputFolderError(error: unknown, out: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return forbidden(`cannot write into ${out}: permission denied`);
  if (code === 'EROFS') return forbidden(`cannot write into ${out}: read-only file system`);
  if (code === 'ENOTDIR' || code === 'EEXIST') return invalidInput(`cannot write into ${out}: it, or a folder above it, is a file, not a folder`);
  return error;
}

/** Prepare, check, and (when every check passes) write, sign and switch to a new snapshot. */
export async function publishSnapshot(db: WriteDb, settings: Settings, now: Date, options: PublishOptions): Promise<PublishResult> {
  const actor = requireActor(db, options.actor, 'publisher');
  const zone = (options.zone ?? settings.publish.zone).toLowerCase();
  if (!/^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(zone)) throw invalidInput(`--zone ${JSON.stringify(zone)} is not a domain name`);
  const progress = options.onProgress ?? (() => undefined);
  const keyId = formatKeyId(options.key.keyId);

  progress({ stage: 'reading and resolving', done: 0, total: 1 });
  const prepared = prepareSnapshot(db, settings, now);
  const { resolution } = prepared;
  const listingsInForce = Object.fromEntries(LISTS.map((list) => [list, resolution.inForce[list].length])) as Record<ListName, number>;

  const summary = JSON.stringify(prepared.changes ?? listingsInForce);
  const nowText = now.toISOString();
  let approval = { approved: false, approvedBy: null as Actor | null, preparedBy: null as Actor | null, requestId: null as number | null };
  let safety = runSafetyChecks(resolution, settings, prepared.changes, false);
  const needsApproval = safety.some((check) => check.status === 'needs-approval');
  if (needsApproval) {
    approval = db.transaction(() => resolveApproval(db, actor, prepared, settings, options.approveLargeChange ?? false, summary, nowText));
    safety = runSafetyChecks(resolution, settings, prepared.changes, approval.approved);
  } else if (options.approveLargeChange) {
    approval = { approved: false, approvedBy: null, preparedBy: null, requestId: null };
  }
  // With an approval, the publisher who asked for it prepared the change (the other one approved it).
  const preparer = approval.preparedBy ?? actor;
  const base = { zone, listingsInForce, changes: prepared.changes, safety, preparedBy: preparer.name, keyId };
  const blocked = safety.some((check) => check.status === 'fail' || check.status === 'needs-approval');
  if (blocked) {
    return { ...base, published: false, serial: null, path: null, files: [], needsApproval: safety.some((check) => check.status === 'needs-approval'), approvedBy: null };
  }

  try {
    mkdirSync(options.out, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw outputFolderError(error, options.out);
  }
  const currentManifest = readCurrentManifest(options.out);
  let serial = nextSerial(Math.max(prepared.previousSerial ?? 0, currentManifest?.serial ?? 0) || null, now);
  // A crash between the rename and the pointer switch leaves a whole folder that never became
  // current: go past it (a serial is never reused) rather than refusing every publish after.
  while (existsSync(join(options.out, String(serial)))) serial += 1;
  const created = Math.floor(now.getTime() / 1000);
  const expires = created + settings.publish.validityHours * 3600;
  const incoming = join(options.out, `.incoming-${serial}-${process.pid}`);
  rmSync(incoming, { recursive: true, force: true });
  try {
    mkdirSync(incoming, { mode: 0o755 });
  } catch (error) {
    throw outputFolderError(error, options.out);
  }

  try {
    const files: ManifestFile[] = [];
    const parametersFor = (name: ListName | 'combined', family: Family): ZoneParameters => ({
      origin: zoneOrigin(zone, name, family),
      family,
      serial,
      nameServers: settings.publish.nameServers,
      hostmaster: settings.publish.hostmaster,
      ttl: settings.publish.ttl,
      refresh: settings.publish.refresh,
      retry: settings.publish.retry,
      expire: settings.publish.expire,
      negativeTtl: settings.publish.negativeTtl,
      created,
      expires,
    });
    const zones = resolution.zones.filter((resolved) => resolved.name !== 'combined');
    const total = zones.length * 4 + 1;
    let done = 0;
    for (const resolved of zones) {
      for (const family of [4, 6] as const) {
        const parameters = parametersFor(resolved.name, family);
        const segments = resolved.segments[family];
        const base = fileBaseName(resolved.name);
        // rbldnsd serves the combined zone as the per-list datasets under one name: no file of its own.
        progress({ stage: `writing ${base} IPv${family} (rbldnsd)`, done, total });
        const dataset = family === 4 ? 'ip4trie' : 'ip6trie';
        const rbldnsdPath = `${base}.${dataset}`;
        const rbldnsdFile = new HashedFile(join(incoming, rbldnsdPath));
        const written = writeRbldnsdColumns(segments, parameters, rbldnsdFile.writeBytes);
        files.push({ path: rbldnsdPath, format: 'rbldnsd', dataset, zone: resolved.name, origin: parameters.origin, family, entries: written.entries, ...rbldnsdFile.finish() });
        done += 1;
        progress({ stage: `writing ${base} IPv${family} (BIND)`, done, total });
        const path = `${base}.v${family}.zone`;
        const file = new HashedFile(join(incoming, path));
        const { entries } = writeBindZoneColumns(segments, parameters, file.writeBytes);
        files.push({ path, format: 'bind', dataset: null, zone: resolved.name, origin: parameters.origin, family, entries, ...file.finish() });
        done += 1;
        if (options.failAt === 'files' && done === 2) throw new Error('simulated crash while writing files');
      }
    }
    progress({ stage: 'writing the combined zone', done, total });
    // The combined zone is made of the blocklists' zones when it is written, after them.
    for (const family of [4, 6] as const) {
      const parameters = parametersFor('combined', family);
      const path = `${fileBaseName('combined')}.v${family}.zone`;
      const file = new HashedFile(join(incoming, path));
      const { entries } = writeBindZoneColumns(combinedZone(resolution, family), parameters, file.writeBytes);
      files.push({ path, format: 'bind', dataset: null, zone: 'combined', origin: parameters.origin, family, entries, ...file.finish() });
    }
    done += 1;

    progress({ stage: 'signing', done, total });
    const manifest: Manifest = {
      format: 'repdesk-snapshot/1',
      serial,
      zone,
      created: new Date(created * 1000).toISOString(),
      expires: new Date(expires * 1000).toISOString(),
      previousManifestSha256: currentManifest?.sha256 ?? null,
      keyId,
      preparedBy: preparer.name,
      approvedBy: approval.approvedBy?.name ?? null,
      lists: Object.fromEntries(
        LISTS.map((list) => [
          list,
          {
            origin: zoneOrigin(zone, list, 4),
            originV6: zoneOrigin(zone, list, 6),
            returnCode: list === 'QIL' ? `${settings.returnCodes.qilPrefix}L` : returnCode(settings, list, null),
            listings: listingsInForce[list],
            kind: list === 'GAL' ? 'allow' : 'block',
          },
        ]),
      ) as Manifest['lists'],
      combined: { origin: zoneOrigin(zone, 'combined', 4), originV6: zoneOrigin(zone, 'combined', 6), lists: ['RBL', 'DUL', 'QIL', 'MML'] },
      files,
      history: historyHead(db),
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    const manifestFile = new HashedFile(join(incoming, MANIFEST_FILE));
    manifestFile.write(manifestBytes.toString('utf8'));
    const manifestHash = manifestFile.finish().sha256;
    if (options.failAt === 'manifest') throw new Error('simulated crash after writing the manifest');
    const signatureFile = new HashedFile(join(incoming, SIGNATURE_FILE));
    signatureFile.write(sign(options.key, manifestBytes, `repdesk snapshot ${serial} zone ${zone} expires ${manifest.expires}`, `RepDesk snapshot ${serial} signed by key ${keyId}`));
    signatureFile.finish();
    fsyncFolder(incoming);

    if (options.failAt === 'rename') throw new Error('simulated crash before the rename');
    const final = join(options.out, String(serial));
    renameSync(incoming, final);
    fsyncFolder(options.out);
    if (options.failAt === 'pointer') throw new Error('simulated crash before switching current');
    const pointer = join(options.out, `.current-${process.pid}`);
    rmSync(pointer, { force: true });
    symlinkSync(String(serial), pointer);
    renameSync(pointer, join(options.out, 'current'));
    fsyncFolder(options.out);

    db.transaction(() => {
      db.run(sql`INSERT INTO snapshots (serial, created_at, expires_at, zone, path, manifest_sha256, key_id, prepared_by, approved_by, counts, report, in_force, diff)
        VALUES (${serial}, ${manifest.created}, ${manifest.expires}, ${zone}, ${final}, ${manifestHash}, ${keyId}, ${preparer.id}, ${approval.approvedBy?.id ?? null},
                ${JSON.stringify({ listingsInForce, changes: prepared.changes, files: files.map(({ path, entries }) => ({ path, entries })) })},
                ${JSON.stringify(safety)}, ${prepared.inForceBlob}, ${prepared.diffBlob})`);
      if (approval.requestId !== null) db.run(sql`UPDATE publish_approvals SET used_by_serial = ${serial} WHERE id = ${approval.requestId}`);
      openHistory(db, () => nowText).append({
        actor: actor.name,
        action: 'snapshot.published',
        subjectType: 'snapshot',
        subjectId: serial,
        details: { serial, zone, path: final, keyId, approvedBy: approval.approvedBy?.name ?? null, listingsInForce, changes: prepared.changes },
      });
    });
    pruneSnapshots(options.out, settings.publish.keep);
    // No progress report after the commit: a cancel arriving now must not report "nothing changed".
    return { ...base, published: true, serial, path: final, files, needsApproval: false, approvedBy: approval.approvedBy?.name ?? null };
  } catch (error) {
    rmSync(incoming, { recursive: true, force: true });
    if (error instanceof ZoneWriteError) throw invalidInput(`zone data cannot carry a value: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? outputFolderError(error, options.out) : error;
  }
}

/** What the next publish would do: counts, changes and the safety report, writing nothing. */
export function previewPublish(db: ReadDb, actorName: string | null, settings: Settings, now: Date, zone?: string): PublishPreview {
  requireActor(db, actorName, 'publisher');
  const prepared = prepareSnapshot(db, settings, now);
  const listingsInForce = Object.fromEntries(LISTS.map((list) => [list, prepared.resolution.inForce[list].length])) as Record<ListName, number>;
  return {
    zone: (zone ?? settings.publish.zone).toLowerCase(),
    listingsInForce,
    changes: prepared.changes,
    safety: runSafetyChecks(prepared.resolution, settings, prepared.changes, false),
    lastSerial: prepared.previousSerial,
  };
}

/** The snapshots published from this database, newest first. */
export function listSnapshots(db: ReadDb): SnapshotView[] {
  return db
    .all<{ serial: number; created_at: string; expires_at: string; zone: string; path: string; key_id: string; prepared: string; approved: string | null; counts: string }>(
      sql`SELECT s.serial, s.created_at, s.expires_at, s.zone, s.path, s.key_id, p.name AS prepared, a.name AS approved, s.counts
          FROM snapshots s JOIN investigators p ON p.id = s.prepared_by LEFT JOIN investigators a ON a.id = s.approved_by ORDER BY s.serial DESC`,
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
