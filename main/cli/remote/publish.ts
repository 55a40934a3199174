/**
 * `repdesk publish` against a team server, which holds no signing key: the server prepares the
 * snapshot (`publish.prepare`), this computer shows what it is about to sign (read from the
 * manifest's own bytes: serial, zone, expiry, per-list counts; and the change against the last
 * snapshot and the safety report), asks for confirmation (`--yes` to skip), signs the manifest
 * with the passphrase-protected key file, and sends the signature back (`publish.commit`); the
 * server checks it against the publisher's registered keys and only then switches `current`.
 * Declining abandons the prepared snapshot at once (`publish.abandon`).
 */
import { resolve } from 'node:path';
import type { PreparedPublish, PublishResult } from '../../../shared/publishing.js';
import { readSecretKeyFile, formatKeyId, parseSecretKey, sign, type Manifest, type MinisignKeyPair } from '../../core/snapshot/index.js';
import { readFileSync } from 'node:fs';
import { CommandError, UsageError, call, passphraseFrom, printJson, type CommandContext, type RemoteTarget } from '../command.js';
import { formatPublishResult, formatSnapshotCounts } from '../format.js';

/** The key file, asking its passphrase at the terminal when it is encrypted and none was given. */
async function readKey(context: CommandContext, path: string): Promise<MinisignKeyPair> {
  const given = passphraseFrom(context.values);
  if (given !== null) return readSecretKeyFile(path, given);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return readSecretKeyFile(path, null); // names the problem
  }
  try {
    return parseSecretKey(text, null);
  } catch {
    // Encrypted: ask (never from a pipe or the command line).
  }
  if (!context.isTerminal) throw new CommandError(`the key ${path} is encrypted and there is no terminal to ask its passphrase at: give --passphrase-file FILE (or REPDESK_KEY_PASSPHRASE)`);
  return readSecretKeyFile(path, await context.prompt(`Passphrase of the key ${path}: `, { hidden: true }));
}

/** What is about to be signed, from the manifest's bytes themselves (and the server's report of the change and the checks). */
function describe(prepared: PreparedPublish, manifest: Manifest): string[] {
  const lines = [
    `snapshot ${manifest.serial} of ${manifest.zone}, created ${manifest.created}, expires ${manifest.expires}, prepared by ${manifest.preparedBy}${manifest.approvedBy ? `, approved by ${manifest.approvedBy}` : ''}`,
    `after snapshot ${prepared.previousSerial ?? '(none: the first)'}; manifest SHA-256 ${prepared.manifestSha256}`,
    // The counts as the manifest itself says them: what is signed.
    ...formatSnapshotCounts({ ...prepared, listingsInForce: Object.fromEntries(Object.entries(manifest.lists).map(([list, entry]) => [list, entry.listings])) as PreparedPublish['listingsInForce'] }),
  ];
  lines.push(`${manifest.files.length} files, ${manifest.files.reduce((sum, file) => sum + file.size, 0)} bytes; sign with key ${manifest.keyId} before ${prepared.signBefore}`);
  return lines;
}

/** `repdesk publish --server URL --key FILE` */
export async function publishOnServer(context: CommandContext, target: RemoteTarget): Promise<void> {
  const { key, zone, out, wait } = context.values;
  if (typeof key !== 'string') throw new UsageError('--key FILE is required: the manifest is signed on this computer');
  if (out !== undefined) throw new UsageError(`--out names a folder on this computer; ${target.server} publishes where its setting publish.outDir says`);
  if (wait !== undefined) throw new UsageError('--wait is for a publish on this computer');
  const pair = await readKey(context, resolve(key));
  const keyId = formatKeyId(pair.keyId);
  const prepared = await call(context, 'publish.prepare', { keyId, zone, approveLargeChange: context.values['approve-large-change'] === true });
  if (!prepared.prepared || prepared.manifest === null || prepared.serial === null || prepared.trustedComment === null) {
    const { prepared: _prepared, previousSerial: _previous, manifest: _manifest, manifestSha256: _sha, trustedComment: _comment, untrustedComment: _untrusted, signBefore: _before, ...result } = prepared;
    const notPublished: PublishResult = { ...result, published: false, path: null };
    if (context.values.json) printJson(context, notPublished);
    else context.out(formatPublishResult(notPublished));
    throw new CommandError(prepared.needsApproval ? "not published: the change needs a second publisher's approval" : 'not published: a safety check failed');
  }
  const bytes = Buffer.from(prepared.manifest, 'base64');
  const manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
  // What is signed must be what was asked for: the serial the server reports and the key named here.
  if (manifest.serial !== prepared.serial || manifest.keyId !== keyId) {
    await call(context, 'publish.abandon', { serial: prepared.serial });
    throw new CommandError(`${target.server} answered a manifest for snapshot ${manifest.serial} and key ${manifest.keyId}, not ${prepared.serial} and ${keyId}: not signed, abandoned`);
  }
  for (const line of describe(prepared, manifest)) context.status(line);
  if (context.values.yes !== true) {
    if (!context.isTerminal) {
      await call(context, 'publish.abandon', { serial: prepared.serial });
      throw new CommandError(`there is no terminal to confirm the signature at: give --yes to sign without asking; snapshot ${prepared.serial} was abandoned`);
    }
    const answer = (await context.prompt(`Sign snapshot ${prepared.serial} with key ${keyId} and publish it on ${target.server}? [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      await call(context, 'publish.abandon', { serial: prepared.serial });
      throw new CommandError(`not signed: snapshot ${prepared.serial} was abandoned and nothing was published`);
    }
  }
  const signature = sign(pair, bytes, prepared.trustedComment, prepared.untrustedComment ?? undefined);
  const result = await call(context, 'publish.commit', { serial: prepared.serial, signature });
  if (context.values.json) printJson(context, result);
  else context.out(formatPublishResult(result));
}
