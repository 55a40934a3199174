/**
 * Publishing on the command line: `keygen`, `publish` (cron), `verify` and `install` (DNS
 * hosts, no database), and `audit verify` (the history against its signed anchors). Merged into
 * the COMMANDS table of main.ts; only its hoisted functions and types are used here, and only
 * inside `run`, because main.ts imports this module before its own top level has run.
 */
import { resolve } from 'node:path';
import type { AuditReport } from '../../shared/contract.js';
import { readPublicKeyFiles, readSecretKeyFile, writeKeyPair } from '../core/publish/keys.js';
import { installSnapshot } from '../core/publish/install.js';
import { verifySnapshot } from '../core/publish/manifest.js';
import { formatPublishResult } from './format.js';
import { CommandError, UsageError, call, passphraseFrom, printJson, type Command } from './main.js';

const json = { json: { type: 'boolean' } } as const;

function anchorText(anchor: AuditReport['anchors'][number]): string {
  return `event ${anchor.event} as ${anchor.source} recorded it${anchor.signedAt ? ` (signed ${anchor.signedAt})` : ''}`;
}

export const PUBLISH_COMMANDS: Record<string, Command> = {
  'audit verify': {
    usage: 'repdesk audit verify [--snapshot DIR --pubkey FILE [--pubkey FILE...]] [--json]',
    summary:
      "Walk the hash-chained history and name the first broken event; then check its end against the anchors kept outside the database: the signed checkpoints in the file beside it, the checkpoint the newest snapshot's manifest holds, and a signed snapshot given with --snapshot (checked with --pubkey). Says which anchors it checked; a missing, unreadable or forged anchor means the history is not reported intact (exit 1)",
    options: { snapshot: { type: 'string' }, pubkey: { type: 'string', multiple: true }, ...json },
    positionals: [0, 0],
    async run(context) {
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
    },
  },
  keygen: {
    usage: 'repdesk keygen --out FILE (--passphrase-file F | --unencrypted) [--json]',
    summary: 'Write a minisign-compatible signing key pair: FILE (secret, encrypted with the passphrase from --passphrase-file or REPDESK_KEY_PASSPHRASE) and FILE.pub',
    options: { out: { type: 'string' }, 'passphrase-file': { type: 'string' }, unencrypted: { type: 'boolean' }, ...json },
    positionals: [0, 0],
    async run(context) {
      if (typeof context.values.out !== 'string') throw new UsageError('--out is required');
      const passphrase = passphraseFrom(context.values);
      if (passphrase === null && !context.values.unencrypted) {
        throw new UsageError('give --passphrase-file FILE or REPDESK_KEY_PASSPHRASE to encrypt the key, or --unencrypted to store it in clear');
      }
      const written = writeKeyPair(resolve(context.values.out), context.values.unencrypted ? null : passphrase);
      if (context.values.json) printJson(context, { keyId: written.keyId, secretKey: resolve(context.values.out), publicKey: written.publicKeyPath });
      else context.out(`key ${written.keyId}: secret key ${resolve(context.values.out)}, public key ${written.publicKeyPath}`);
    },
  },
  publish: {
    usage: 'repdesk publish --out DIR --key FILE [--zone bl.example] [--approve-large-change] [--passphrase-file F] [--wait SECONDS] [--json]',
    summary:
      'Check, sign and publish a zone snapshot into DIR/<serial>/ and switch DIR/current to it (needs the publisher role). The snapshot is recorded before DIR/current moves; a publish into DIR that is already running is waited for (--wait, default 10 s), then this one is refused',
    options: {
      out: { type: 'string' },
      key: { type: 'string' },
      zone: { type: 'string' },
      'approve-large-change': { type: 'boolean' },
      'passphrase-file': { type: 'string' },
      wait: { type: 'string' },
      ...json,
    },
    positionals: [0, 0],
    async run(context) {
      const { out, key, zone, wait } = context.values;
      if (typeof out !== 'string') throw new UsageError('--out is required');
      if (typeof key !== 'string') throw new UsageError('--key is required');
      if (wait !== undefined && (typeof wait !== 'string' || !/^\d{1,5}$/.test(wait))) throw new UsageError('--wait takes a whole number of seconds');
      const pair = readSecretKeyFile(resolve(key), passphraseFrom(context.values));
      const publishLockWaitMs = typeof wait === 'string' ? Number(wait) * 1000 : undefined;
      const result = await call({ ...context, core: () => context.core({ signingKey: () => pair, publishLockWaitMs }) }, 'publish.run', {
        out: resolve(out),
        zone,
        approveLargeChange: context.values['approve-large-change'] === true,
      });
      if (context.values.json) printJson(context, result);
      else context.out(formatPublishResult(result));
      if (!result.published) {
        throw new CommandError(result.needsApproval ? "not published: the change needs a second publisher's approval" : 'not published: a safety check failed');
      }
    },
  },
  verify: {
    usage: 'repdesk verify DIR --pubkey FILE [--pubkey FILE...] [--json]',
    summary:
      "Check a snapshot: the manifest signature by a trusted key, every file's size and SHA-256, no symlink and nothing unlisted in it, and that it has not expired (for DNS hosts; needs no database)",
    options: { pubkey: { type: 'string', multiple: true }, ...json },
    positionals: [1, 1],
    async run(context) {
      const keys = readPublicKeyFiles(((context.values.pubkey as string[] | undefined) ?? []).map((path) => resolve(path)));
      const verified = await verifySnapshot(resolve(context.positionals[0]), keys);
      const { manifest } = verified;
      if (Date.parse(manifest.expires) <= Date.now()) throw new CommandError(`snapshot ${manifest.serial} is intact but expired at ${manifest.expires}: do not serve it`);
      if (context.values.json) printJson(context, { ok: true, serial: manifest.serial, zone: manifest.zone, expires: manifest.expires, keyId: verified.keyId, files: manifest.files.length });
      else context.out(`snapshot ${manifest.serial} of ${manifest.zone}: signature by ${verified.keyId} good, ${manifest.files.length} files intact, expires ${manifest.expires}`);
    },
  },
  install: {
    usage: 'repdesk install DIR --into TARGET --pubkey FILE [--pubkey FILE...] [--json]',
    summary:
      'Check a snapshot, refuse rollback and expired data, copy it into TARGET hashing each file as it is copied (a file that changes meanwhile, or a symlink, is refused by name), check the copy, then switch TARGET/current to it atomically (for DNS hosts; needs no database)',
    options: { into: { type: 'string' }, pubkey: { type: 'string', multiple: true }, ...json },
    positionals: [1, 1],
    async run(context) {
      if (typeof context.values.into !== 'string') throw new UsageError('--into is required');
      const keys = readPublicKeyFiles(((context.values.pubkey as string[] | undefined) ?? []).map((path) => resolve(path)));
      const result = await installSnapshot(resolve(context.positionals[0]), resolve(context.values.into), keys, new Date());
      if (context.values.json) printJson(context, result);
      else context.out(`installed snapshot ${result.serial} (was ${result.previousSerial ?? 'none'}) into ${result.path}; ${resolve(context.values.into)}/current points to it`);
    },
  },
};
