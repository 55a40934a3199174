/**
 * Publishing on the command line: `keygen`, `publish` (cron), `verify` and `install` (DNS
 * hosts, no database), and `audit verify` (the history against its signed anchors).
 * The table's part: what `--help` shows and the parser accepts; `run/publish.ts` runs them.
 */
import { json, lazily, type Command } from './command.js';

const load = () => import('./run/publish.js');

export const PUBLISH_COMMANDS = {
  'audit verify': {
    usage: 'repdesk audit verify [--snapshot DIR --pubkey FILE [--pubkey FILE...]] [--json]',
    summary:
      "Walk the hash-chained history and name the first broken event; then check its end against the anchors kept outside the database: the signed checkpoints in the file beside it, the checkpoint the newest snapshot's manifest holds, and a signed snapshot given with --snapshot (checked with --pubkey). Says which anchors it checked; a missing, unreadable or forged anchor means the history is not reported intact (exit 1)",
    options: { snapshot: { type: 'string' }, pubkey: { type: 'string', multiple: true }, ...json },
    positionals: [0, 0],
    run: lazily(load, 'auditVerify'),
  },
  keygen: {
    usage: 'repdesk keygen --out FILE (--passphrase-file F | --unencrypted) [--json]',
    summary: 'Write a minisign-compatible signing key pair: FILE (secret, encrypted with the passphrase from --passphrase-file or REPDESK_KEY_PASSPHRASE) and FILE.pub',
    options: { out: { type: 'string' }, 'passphrase-file': { type: 'string' }, unencrypted: { type: 'boolean' }, ...json },
    positionals: [0, 0],
    run: lazily(load, 'keygen'),
  },
  publish: {
    usage: 'repdesk publish --out DIR --key FILE [--zone bl.example] [--approve-large-change] [--passphrase-file F] [--wait SECONDS] [--yes] [--json]\n       repdesk publish --server URL --key FILE [--zone bl.example] [--approve-large-change] [--passphrase-file F] [--yes] [--json]',
    summary:
      'Check, sign and publish a zone snapshot into DIR/<serial>/ and switch DIR/current to it (needs the publisher role). At a terminal it first shows what the snapshot will hold (per-list counts, the change, the safety report) and asks (--yes: do not ask; without a terminal, as from cron, it does not ask). The snapshot is recorded before DIR/current moves; a publish into DIR that is already running is waited for (--wait, default 10 s), then this one is refused. With a team server: the server prepares the snapshot, this shows what it is about to sign (serial, per-list counts, the change, the safety report) and asks (--yes: do not ask), signs the manifest here with the key file (its passphrase asked at the terminal unless --passphrase-file) and sends the signature; the server checks it against your registered keys and only then switches',
    options: {
      out: { type: 'string' },
      key: { type: 'string' },
      zone: { type: 'string' },
      'approve-large-change': { type: 'boolean' },
      'passphrase-file': { type: 'string' },
      wait: { type: 'string' },
      yes: { type: 'boolean' },
      ...json,
    },
    positionals: [0, 0],
    run: lazily(load, 'publish'),
  },
  verify: {
    usage: 'repdesk verify DIR --pubkey FILE [--pubkey FILE...] [--json]',
    summary:
      "Check a snapshot: the manifest signature by a trusted key, every file's size and SHA-256, no symlink and nothing unlisted in it, and that it has not expired (for DNS hosts; needs no database)",
    options: { pubkey: { type: 'string', multiple: true }, ...json },
    positionals: [1, 1],
    run: lazily(load, 'verify'),
  },
  install: {
    usage: 'repdesk install DIR --into TARGET --pubkey FILE [--pubkey FILE...] [--json]',
    summary:
      'Check a snapshot, refuse rollback and expired data, copy it into TARGET hashing each file as it is copied (a file that changes meanwhile, or a symlink, is refused by name), check the copy, then switch TARGET/current to it atomically (for DNS hosts; needs no database)',
    options: { into: { type: 'string' }, pubkey: { type: 'string', multiple: true }, ...json },
    positionals: [1, 1],
    run: lazily(load, 'install'),
  },
} satisfies Record<string, Command>;
