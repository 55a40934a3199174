/**
 * `repdesk keygen`, `publish`, `verify`, `install` and `audit verify`. The table's entries are
 * in `../publish-commands.ts`. verify and install need no database and never open one.
 */
import { resolve } from 'node:path';
import type { AuditReport } from '../../../shared/audit.js';
import { formatKeyId, readPublicKeyFiles, readSecretKeyFile, writeKeyPair, installSnapshot, verifySnapshot } from '../../core/snapshot/index.js';
import { formatPublishResult, formatSnapshotCounts } from '../format.js';
import { CommandError, UsageError, call, passphraseFrom, printJson, type CommandContext } from '../command.js';

function anchorText(anchor: AuditReport['anchors'][number]): string {
  return `event ${anchor.event} as ${anchor.source} recorded it${anchor.signedAt ? ` (signed ${anchor.signedAt})` : ''}`;
}

/** `repdesk audit verify` */
export async function auditVerify(context: CommandContext): Promise<void> {
  const pubkeys = ((context.values.pubkey as string[] | undefined) ?? []).map((path) => ({ path: resolve(path) }));
  const snapshot = typeof context.values.snapshot === 'string' ? { path: resolve(context.values.snapshot) } : undefined;
  const report = await call(context, 'audit.verify', { snapshot, pubkeys: pubkeys.length > 0 ? pubkeys : undefined });
  if (context.values.json) printJson(context, report);
  const checked = report.anchors.map((anchor) => `checked ${anchorText(anchor)}`);
  if (report.firstBroken) {
    throw new CommandError(`history is broken at event ${report.firstBroken.id}: ${report.firstBroken.problem}`, [...report.problems, ...checked]);
  }
  if (!report.ok) {
    throw new CommandError(`history not confirmed intact: ${report.problems[0]}`, [...report.problems.slice(1), ...checked]);
  }
  const anchored = report.anchors.map(anchorText).join('; ');
  if (!context.values.json) context.out(`history intact: ${report.events} events, chain verified${anchored ? `; holds ${anchored}` : '; no anchor outside the database yet (nothing signed)'}`);
}

/** `repdesk keygen` */
export async function keygen(context: CommandContext): Promise<void> {
  if (typeof context.values.out !== 'string') throw new UsageError('--out is required');
  const passphrase = passphraseFrom(context.values);
  if (passphrase === null && !context.values.unencrypted) {
    throw new UsageError('give --passphrase-file FILE or REPDESK_KEY_PASSPHRASE to encrypt the key, or --unencrypted to store it in clear');
  }
  const written = writeKeyPair(resolve(context.values.out), context.values.unencrypted ? null : passphrase);
  if (context.values.json) printJson(context, { keyId: written.keyId, secretKey: resolve(context.values.out), publicKey: written.publicKeyPath });
  else context.out(`key ${written.keyId}: secret key ${resolve(context.values.out)}, public key ${written.publicKeyPath}`);
}

/** `repdesk publish` */
export async function publish(context: CommandContext): Promise<void> {
  // A team server holds no key: it prepares, this computer signs (remote/publish.ts).
  if (context.remote) return (await import('../remote/publish.js')).publishOnServer(context, context.remote);
  const { out, key, zone, wait } = context.values;
  if (typeof out !== 'string') throw new UsageError('--out is required');
  if (typeof key !== 'string') throw new UsageError('--key is required');
  if (wait !== undefined && (typeof wait !== 'string' || !/^\d{1,5}$/.test(wait))) throw new UsageError('--wait takes a whole number of seconds');
  const pair = readSecretKeyFile(resolve(key), passphraseFrom(context.values));
  const publishLockWaitMs = typeof wait === 'string' ? Number(wait) * 1000 : undefined;
  // The core opens once, with the key: the preview below opens it too.
  const withKey: CommandContext = { ...context, core: () => context.core({ signingKey: () => pair, publishLockWaitMs }) };
  // At a terminal, what is about to go out is shown and confirmed first (--yes: not asked). A cron
  // job has no one to ask: it publishes as it always did.
  if (context.values.yes !== true && context.isTerminal) await confirmPublish(withKey, resolve(out), formatKeyId(pair.keyId), typeof zone === 'string' ? zone : undefined);
  const result = await call(withKey, 'publish.run', {
    out: resolve(out),
    zone,
    approveLargeChange: context.values['approve-large-change'] === true,
  });
  if (context.values.json) printJson(context, result);
  else context.out(formatPublishResult(result));
  if (!result.published) {
    throw new CommandError(result.needsApproval ? "not published: the change needs a second publisher's approval" : 'not published: a safety check failed');
  }
}

/** Show what the next publish would do and ask; refused unless the answer is yes (nothing written). */
async function confirmPublish(context: CommandContext, out: string, keyId: string, zone: string | undefined): Promise<void> {
  const preview = await call(context, 'publish.preview', { zone });
  context.status(`the next snapshot of ${preview.zone}, after snapshot ${preview.lastSerial ?? '(none: the first)'}, into ${out}`);
  for (const line of formatSnapshotCounts(preview)) context.status(line);
  const answer = (await context.prompt(`Sign it with key ${keyId} and publish it? [y/N] `)).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') throw new CommandError('not published: not confirmed (nothing was written)');
}

/** `repdesk verify` */
export async function verify(context: CommandContext): Promise<void> {
  const keys = readPublicKeyFiles(((context.values.pubkey as string[] | undefined) ?? []).map((path) => resolve(path)));
  const verified = await verifySnapshot(resolve(context.positionals[0]), keys);
  const { manifest } = verified;
  if (Date.parse(manifest.expires) <= Date.now()) throw new CommandError(`snapshot ${manifest.serial} is intact but expired at ${manifest.expires}: do not serve it`);
  if (context.values.json) printJson(context, { ok: true, serial: manifest.serial, zone: manifest.zone, expires: manifest.expires, keyId: verified.keyId, files: manifest.files.length });
  else context.out(`snapshot ${manifest.serial} of ${manifest.zone}: signature by ${verified.keyId} good, ${manifest.files.length} files intact, expires ${manifest.expires}`);
}

/** `repdesk install` */
export async function install(context: CommandContext): Promise<void> {
  if (typeof context.values.into !== 'string') throw new UsageError('--into is required');
  const keys = readPublicKeyFiles(((context.values.pubkey as string[] | undefined) ?? []).map((path) => resolve(path)));
  const result = await installSnapshot(resolve(context.positionals[0]), resolve(context.values.into), keys, new Date());
  if (context.values.json) printJson(context, result);
  else context.out(`installed snapshot ${result.serial} (was ${result.previousSerial ?? 'none'}) into ${result.path}; ${resolve(context.values.into)}/current points to it`);
}

