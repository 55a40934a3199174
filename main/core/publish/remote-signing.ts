/**
 * Publishing signed on the publisher's own computer (team mode: the server never holds a signing
 * key). `prepare` stages a snapshot as any publish does (publish.ts: recorded `prepared`, zone
 * files and manifest written, the output folder locked) and answers the manifest's exact bytes;
 * the publisher's computer signs them; `commit` checks the signature against the signed-in
 * publisher's registered, unrevoked keys (auth/publisher-keys.ts), the key the manifest names and
 * the trusted comment it must carry, and only then makes the snapshot live. A refused signature
 * changes nothing: the snapshot keeps waiting. One never committed is rolled back when its time
 * (setting publish.signWithinSeconds) runs out, when its publisher abandons it, when this core
 * closes, or (the process died) at the next start like any unfinished publish.
 *
 * What waits lives in this core's memory with the folder's lock: a server sends every write to
 * its one writer thread (writer/), so prepare and commit meet the same core. Not a job for that
 * reason: a job's worker ends with its job.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../../../shared/settings.js';
import type { PreparedPublish, PublishResult } from '../../../shared/publishing.js';
import type { WriteDb } from '../db/connection.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { createLogger } from '../log.js';
import { listPublisherKeys, verifyPublisherSignature } from '../auth/publisher-keys.js';
import { findActor, requireActor } from '../investigators/investigators.js';
import { MANIFEST_FILE } from '../snapshot/index.js';
import { abandonSnapshot, finishSnapshot, stageSnapshot, type StageOptions, type StagedSnapshot } from './publish.js';

const log = createLogger('publish');
/** How many ended snapshots are remembered to say why a late commit finds nothing. */
const ENDED_REMEMBERED = 50;

interface Waiting {
  readonly staged: StagedSnapshot;
  readonly signBefore: Date;
  readonly timer: NodeJS.Timeout;
}

/** A key id as minisign prints it: uppercase, no leading zeros. */
function normalKeyId(text: string): string {
  return text.trim().toUpperCase().replace(/^0+(?=.)/, '');
}

export class RemoteSigning {
  private readonly waiting = new Map<number, Waiting>();
  /** Why a snapshot no longer waits (committed, abandoned, expired, failed), for a commit that comes after. */
  private readonly ended = new Map<number, string>();

  constructor(
    private readonly db: WriteDb,
    private readonly now: () => Date,
  ) {}

  /** Check the key, stage the snapshot and answer its manifest to sign (or why nothing was prepared). */
  async prepare(settings: Settings, options: StageOptions): Promise<PreparedPublish> {
    this.expireDue();
    const actor = requireActor(this.db, options.actor, 'publisher');
    const keyId = normalKeyId(options.keyId);
    const key = listPublisherKeys(this.db).find((candidate) => candidate.keyId === keyId);
    if (!key || key.publisher !== actor.name) {
      throw forbidden(`key ${keyId} is not a registered publisher key of ${actor.name}: an admin registers it first (repdesk keys register FILE.pub --publisher ${actor.name})`);
    }
    if (key.revokedAt !== null) throw forbidden(`key ${keyId} of ${actor.name} was revoked at ${key.revokedAt} by ${key.revokedBy}: sign with a key in force`);
    this.makeWayFor(actor);
    const now = this.now();
    const staging = await stageSnapshot(this.db, settings, now, { ...options, keyId });
    if ('blocked' in staging) {
      const { published: _published, path: _path, ...blocked } = staging.blocked;
      return { ...blocked, prepared: false, previousSerial: staging.previousSerial, manifest: null, manifestSha256: null, trustedComment: null, untrustedComment: null, signBefore: null };
    }
    const { staged } = staging;
    const signBefore = new Date(now.getTime() + settings.publish.signWithinSeconds * 1000);
    const timer = setTimeout(() => this.expire(staged.serial), signBefore.getTime() - now.getTime());
    // A command-line core must be able to end with a snapshot waiting (it is rolled back at close).
    timer.unref();
    this.waiting.set(staged.serial, { staged, signBefore, timer });
    log.info(`snapshot ${staged.serial} prepared by ${actor.name}, waiting for a signature by key ${keyId} until ${signBefore.toISOString()}`);
    const { unsigned } = staged;
    return {
      ...staged.base,
      prepared: true,
      serial: staged.serial,
      files: unsigned.files,
      needsApproval: false,
      approvedBy: staged.record.approvedBy?.name ?? null,
      previousSerial: staged.previousSerial,
      manifest: unsigned.manifestBytes.toString('base64'),
      manifestSha256: unsigned.manifestSha256,
      trustedComment: unsigned.trustedComment,
      untrustedComment: unsigned.untrustedComment,
      signBefore: signBefore.toISOString(),
    };
  }

  /**
   * Check the signature over the waiting snapshot's manifest and make it live. Refused
   * (`forbidden`, nothing changed, the snapshot still waits): another person than the one who
   * prepared it, a key not registered to them or revoked, a key other than the one the manifest
   * names, a signature over other bytes or with another trusted comment.
   */
  commit(actorName: string | null, serial: number, signature: string, settings: Settings): PublishResult {
    this.expireDue();
    const waiting = this.waitingFor(actorName, serial);
    const { staged } = waiting;
    const { unsigned } = staged;
    const signed = verifyPublisherSignature(this.db, staged.actor.name, unsigned.manifestBytes, signature);
    if (signed.keyId !== staged.base.keyId) {
      throw forbidden(`the signature is refused: snapshot ${serial}'s manifest names key ${staged.base.keyId}, and the signature was made with key ${signed.keyId}`);
    }
    if (signed.trustedComment !== unsigned.trustedComment) {
      throw forbidden(`the signature is refused: its trusted comment is ${JSON.stringify(signed.trustedComment)}, and snapshot ${serial}'s must be ${JSON.stringify(unsigned.trustedComment)}`);
    }
    this.stopWaiting(serial, waiting);
    const now = this.now();
    let manifestOnDisk: Buffer | null = null;
    try {
      manifestOnDisk = readFileSync(join(staged.incoming, MANIFEST_FILE));
    } catch {
      // judged below
    }
    if (!manifestOnDisk?.equals(unsigned.manifestBytes)) {
      // The signature would not match what DNS hosts fetch: never switch to it.
      const found = `snapshot ${serial}'s manifest in ${staged.incoming} ${manifestOnDisk ? 'was changed' : 'went missing'} while it waited for its signature`;
      this.end(serial, `${found}; it was rolled back`);
      abandonSnapshot(this.db, staged, `publish by ${staged.actor.name}`, now, found);
      throw conflict(`${found}; it was rolled back and nothing switched: prepare it again`);
    }
    try {
      const result = finishSnapshot(this.db, staged, signature, now, settings);
      this.end(serial, `snapshot ${serial} was already committed`);
      return result;
    } catch (error) {
      this.end(serial, `snapshot ${serial} failed as it was committed and was rolled back (${error instanceof Error ? error.message : String(error)})`);
      throw error;
    }
  }

  /** Roll back a waiting snapshot: by the publisher who prepared it, or an admin. */
  abandon(actorName: string | null, serial: number): { serial: number } {
    this.expireDue();
    const waiting = this.waitingFor(actorName, serial, true);
    this.stopWaiting(serial, waiting);
    const by = actorName ?? waiting.staged.actor.name;
    const found = `snapshot ${serial} was abandoned by ${by} before it was signed`;
    this.end(serial, `${found}; it was rolled back`);
    abandonSnapshot(this.db, waiting.staged, `abandoned by ${by}`, this.now(), found);
    return { serial };
  }

  /** Roll back every snapshot still waiting (the core closes: nobody could commit them any more). */
  close(): void {
    for (const [serial, waiting] of [...this.waiting]) {
      this.stopWaiting(serial, waiting);
      this.rollBackQuietly(waiting, `snapshot ${serial} was still waiting for its signature when the server stopped`);
    }
  }

  /**
   * One snapshot waits at a time (it holds the output folder). The same publisher preparing
   * again replaces theirs (a client that died after preparing); another's is waited out.
   */
  private makeWayFor(actor: { id: number; name: string }): void {
    for (const [serial, waiting] of [...this.waiting]) {
      const { staged } = waiting;
      if (staged.actor.id !== actor.id) {
        throw conflict(`snapshot ${serial}, prepared by ${staged.actor.name}, is waiting for their signature until ${waiting.signBefore.toISOString()}: publish once it is signed or rolled back`);
      }
      this.stopWaiting(serial, waiting);
      const found = `snapshot ${serial} was replaced by a new one ${actor.name} prepared before it was signed`;
      this.end(serial, `${found}; it was rolled back`);
      abandonSnapshot(this.db, staged, `publish by ${actor.name}`, this.now(), found);
    }
  }

  private waitingFor(actorName: string | null, serial: number, mayBeAdmin = false): Waiting {
    const waiting = this.waiting.get(serial);
    if (!waiting) throw notFound(this.ended.get(serial) ?? `no prepared snapshot ${serial} is waiting for a signature: prepare one first (publish.prepare)`);
    const actor = mayBeAdmin ? findActor(this.db, actorName) : requireActor(this.db, actorName, 'publisher');
    const isAllowed = actor !== null && (actor.id === waiting.staged.actor.id || (mayBeAdmin && actor.roles.includes('admin')));
    if (!isAllowed) {
      throw forbidden(`snapshot ${serial} was prepared by ${waiting.staged.actor.name}: only they ${mayBeAdmin ? 'or an admin can abandon' : 'can sign'} it`);
    }
    return waiting;
  }

  private stopWaiting(serial: number, waiting: Waiting): void {
    clearTimeout(waiting.timer);
    this.waiting.delete(serial);
  }

  private end(serial: number, why: string): void {
    this.ended.set(serial, why);
    for (const old of this.ended.keys()) {
      if (this.ended.size <= ENDED_REMEMBERED) break;
      this.ended.delete(old);
    }
  }

  /** Roll back every waiting snapshot whose time has run out (the timers do it too; this catches a late timer). */
  private expireDue(): void {
    const now = this.now().getTime();
    for (const [serial, waiting] of [...this.waiting]) if (waiting.signBefore.getTime() <= now) this.expire(serial);
  }

  private expire(serial: number): void {
    const waiting = this.waiting.get(serial);
    if (!waiting) return;
    this.stopWaiting(serial, waiting);
    const found = `snapshot ${serial} was not signed by ${waiting.staged.actor.name} before ${waiting.signBefore.toISOString()}`;
    this.end(serial, `${found}; it expired and was rolled back: prepare it again`);
    this.rollBackQuietly(waiting, found);
  }

  /** From a timer or at close: a failure is logged (what is left is settled at the next start or publish). */
  private rollBackQuietly(waiting: Waiting, found: string): void {
    try {
      abandonSnapshot(this.db, waiting.staged, 'expiry', this.now(), found);
      log.warn(`${found}; rolled it back`);
    } catch (error) {
      log.warn(`${found}; not rolled back yet (settled at the next start or publish): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
