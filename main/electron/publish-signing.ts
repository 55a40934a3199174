/**
 * Team mode's publish, the desktop's side: the team server prepares a snapshot and answers its
 * manifest's exact bytes; the publisher's own computer shows what it is about to sign (serial,
 * per-list counts, the change against the last live snapshot), signs the bytes with the key kept
 * here with safeStorage (decrypted in the main process for this signing only), and sends the
 * signature back. The main process signs only a manifest it relayed from the server itself, after
 * checking its bytes against the hash the server gave, and only once the person confirmed in a
 * native dialog the page cannot answer for them.
 */
import { createHash } from 'node:crypto';
import type { ApiResult } from '../../shared/result.js';
import { LISTS } from '../../shared/domain.js';
import type { PreparedPublish } from '../../shared/publishing.js';
import { AppError, forbidden, invalidInput } from '../core/errors.js';
import { formatKeyId, sign } from '../core/snapshot/index.js';
import { readSigningKey, type KeyVault } from './keys.js';

function count(value: number): string {
  return value.toLocaleString('en');
}

/** The native confirmation before signing: what will go live, list by list, against what. */
export function signingConfirmation(prepared: PreparedPublish, server: string): { title: string; message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number } {
  const lines = LISTS.map((list) => {
    const change = prepared.changes?.[list];
    const moved = change ? ` (+${count(change.added)}, -${count(change.removed)})` : '';
    return `${list}: ${count(prepared.listingsInForce[list] ?? 0)} in force${moved}`;
  });
  const against = prepared.previousSerial === null ? 'the first snapshot (nothing published before)' : `the change against snapshot ${prepared.previousSerial}`;
  const warnings = prepared.safety.filter((check) => check.status === 'warn').map((check) => `Warning: ${check.message}`);
  return {
    title: 'Sign the snapshot',
    message: `Sign snapshot ${prepared.serial} of ${prepared.zone} with key ${prepared.keyId}?`,
    detail: [
      `Prepared by ${server}; ${against}:`,
      ...lines,
      ...warnings,
      `Manifest SHA-256 ${prepared.manifestSha256}`,
      prepared.signBefore ? `Unless signed before ${prepared.signBefore}, the server rolls it back.` : '',
      'Once signed, the server checks the signature and makes this snapshot live.',
    ]
      .filter((line) => line !== '')
      .join('\n'),
    buttons: ['Sign and publish', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
  };
}

/**
 * Sign a prepared manifest with the key kept here: its bytes must be the ones the server hashed,
 * the manifest must name this key, and the signature carries the server's trusted comment (which
 * the server checks). Answers the `.minisig` text to send back.
 */
export function signPreparedManifest(vault: KeyVault, prepared: PreparedPublish): string {
  if (!prepared.prepared || prepared.serial === null || prepared.manifest === null || prepared.trustedComment === null) {
    throw invalidInput('nothing was prepared to sign (a safety check failed, or a second publisher’s approval is missing)');
  }
  const bytes = Buffer.from(prepared.manifest, 'base64');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== prepared.manifestSha256) throw forbidden(`the manifest's bytes do not match the hash the server gave (${prepared.manifestSha256}, the bytes hash to ${sha256}): nothing was signed`);
  const pair = readSigningKey(vault);
  const keyId = formatKeyId(pair.keyId);
  if (keyId.toUpperCase() !== prepared.keyId.toUpperCase()) {
    throw forbidden(`the snapshot was prepared for key ${prepared.keyId}, but the key kept here is ${keyId}: nothing was signed`);
  }
  return sign(pair, bytes, prepared.trustedComment, prepared.untrustedComment ?? undefined);
}

/** How many prepared snapshots are remembered at once (a publisher prepares one, signs or drops it). */
const MAX_KEPT = 4;

/**
 * The manifests the server prepared, as the main process relayed `publish.prepare`'s answers:
 * only these are ever signed (the page names a serial, never bytes to sign).
 */
export class PreparedSnapshots {
  private readonly kept = new Map<number, PreparedPublish>();

  /** Keep a prepared snapshot from a relayed answer. */
  take(operation: string, result: ApiResult<unknown>): void {
    if (operation !== 'publish.prepare' || !result.ok) return;
    const prepared = result.value as PreparedPublish;
    if (!prepared?.prepared || typeof prepared.serial !== 'number' || typeof prepared.manifest !== 'string') return;
    this.kept.set(prepared.serial, prepared);
    while (this.kept.size > MAX_KEPT) this.kept.delete(this.kept.keys().next().value as number);
  }

  /**
   * Show what will be signed, sign it here and send the signature (`publish.commit`); a person
   * who declines has the server roll the snapshot back at once (`publish.abandon`).
   */
  async signAndCommit(serial: number, options: { vault: KeyVault; server: string; confirm: (confirmation: ReturnType<typeof signingConfirmation>) => Promise<boolean>; call: (operation: string, input: unknown) => Promise<ApiResult<unknown>> }): Promise<ApiResult<unknown>> {
    const prepared = this.kept.get(serial);
    if (!prepared) return { ok: false, error: { code: 'not-found', message: `snapshot ${serial} was not prepared from this app: prepare it again` } };
    if (!(await options.confirm(signingConfirmation(prepared, options.server)))) {
      this.kept.delete(serial);
      const abandoned = await options.call('publish.abandon', { serial });
      const rolledBack = abandoned.ok ? 'the server rolled the prepared snapshot back' : `the server rolls the prepared snapshot back by itself (${abandoned.error.message})`;
      return { ok: false, error: { code: 'cancelled', message: `not signed: nothing was published, and ${rolledBack}` } };
    }
    let signature: string;
    try {
      signature = signPreparedManifest(options.vault, prepared);
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: error.toApiError() };
      throw error;
    }
    this.kept.delete(serial);
    return options.call('publish.commit', { serial, signature });
  }
}
