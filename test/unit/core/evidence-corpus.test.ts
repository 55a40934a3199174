/**
 * Real mail, as spammers and the world write it, through the whole import on a real SQLite file:
 * the 27 SpamAssassin test messages in ../shared/data/real (malformed on purpose) are all stored
 * without "import the valid ones", with their problems as notes; and every message of Python's own
 * email test corpus (the msg_*.txt files of Python 3.11's test suite, Debian package
 * libpython3.11-testsuite, which scripts/system-deps.sh installs) is stored or refused with a named
 * reason, none crashes the import, and none is half-stored: each stored one is whole (its exact
 * bytes, its row, its full-text entry, viewable) and a refused one leaves nothing behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SampleImportResult } from '../../../shared/evidence.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { splitChunks } from '../../../main/core/evidence/mbox.js';
import { decompress } from '../../../main/core/evidence/message.js';
import { ok } from '../support/results.js';

const ANA: CallContext = { actor: 'Ana', localFiles: true };
const SPAMASSASSIN = fileURLToPath(new URL('../../../../../shared/data/real/spamassassin-msgs/', import.meta.url));
const PYTHON_CORPUS = '/usr/lib/python3.11/test/test_email/data';

function files(folder: string, pattern: RegExp): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && pattern.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The messages of a file as the import sees them (an mbox split at its postmarks, else the whole file). */
async function messagesOf(path: string): Promise<Buffer[]> {
  const messages: Buffer[] = [];
  for await (const message of splitChunks([readFileSync(path)], 1 << 30)) messages.push(message.bytes);
  return messages;
}

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('real corpora', () => {
  let folder: string;
  let core: Core;
  const count = (table: string) => core.connection.read.get<{ count: number }>({ text: `SELECT count(*) AS count FROM ${table}`, values: [] })?.count ?? -1;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-corpus-'));
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
    await ok(core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator'] }, { actor: null }));
  });

  after(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('the 27 SpamAssassin messages are all stored without "import the valid ones", problems as notes', async () => {
    const paths = files(SPAMASSASSIN, /^(\d{3}|[\w-]+\.eml|crlf-endings|spf3)$/);
    assert.equal(paths.length, 27);
    const result = await ok(core.dispatch('samples.import', { files: paths.map((path) => ({ path })) }, ANA));
    assert.equal(result.committed, true, JSON.stringify(result.messages.filter((message) => message.outcome === 'failed')));
    assert.equal(result.failed, 0);
    assert.equal(result.imported + result.duplicates, 27);
    const byFile = new Map(result.messages.map((message) => [message.file.slice(SPAMASSASSIN.length), message]));
    // spam/017 is multipart/alternative with a boundary that never appears: kept, and said so.
    assert.match(byFile.get('spam/017')?.notes.join('\n') ?? '', /broken MIME structure: the multipart\/alternative boundary .* never appears in the body/);
    // spam/dnsbl.eml: seven "from host [ip] by host" hops; the newest public one is the source.
    assert.equal(byFile.get('spam/dnsbl.eml')?.sourceIp, '150.51.53.1');
    const viewed = await ok(core.dispatch('samples.get', { id: byFile.get('spam/017')?.sampleId as number }, ANA));
    assert.match(viewed.notes.join('\n'), /never appears in the body/);
    assert.equal(viewed.subject, 'no r-x req');
    assert.equal(viewed.sourceIp, '200.83.104.67');
    assert.equal(count('samples'), result.imported);
  });

  test("Python's email corpus: each message stored or refused by name; none crashes the import; none half-stored", async () => {
    const paths = files(PYTHON_CORPUS, /^msg_\d+a?\.txt$/);
    assert.ok(paths.length >= 47, `${paths.length} files in ${PYTHON_CORPUS} (install libpython3.11-testsuite: scripts/system-deps.sh)`);
    const before = count('samples');
    // Without "import the valid ones" a single refusal stores nothing at all, and names the message.
    const strict = await ok(core.dispatch('samples.import', { files: paths.map((path) => ({ path })) }, ANA));
    assert.equal(strict.committed, false);
    assert.equal(count('samples'), before);
    const refused = strict.messages.filter((message) => message.outcome === 'failed');
    assert.deepEqual(
      refused.map((message) => [message.file.slice(PYTHON_CORPUS.length + 1), message.problem?.replace(/:.*/, '')]),
      [['msg_19.txt', 'no header block']],
    );
    assert.ok(strict.messages.every((message) => message.outcome === 'failed' || message.outcome === 'skipped'));

    // One file at a time: every import answers (none crashes), and a refusal leaves nothing behind.
    for (const path of paths) {
      const samplesBefore = count('samples');
      const linksBefore = count('sample_links');
      const eventsBefore = count('events');
      const one = await core.dispatch('samples.import', { files: [{ path }] }, ANA);
      assert.ok(one.ok, `${path}: ${one.ok ? '' : `${one.error.code} ${one.error.message}`}`);
      const result: SampleImportResult = one.value;
      const expected = await messagesOf(path);
      assert.equal(result.messages.length, expected.length, path);
      for (const [index, message] of result.messages.entries()) {
        const bytes = expected[index];
        const stored = core.connection.read.get<{ id: number; raw: Buffer; size: number; notes: string | null }>({
          text: 'SELECT id, raw, size, notes FROM samples WHERE sha256 = ?',
          values: [Buffer.from(sha(bytes), 'hex')],
        });
        if (message.outcome === 'failed') {
          assert.ok((message.problem ?? '').length > 10, `${path}: a refusal names its reason`);
          assert.equal(result.committed, false);
          assert.equal(stored, undefined, `${path}: a refused message leaves no row`);
          continue;
        }
        assert.ok(message.outcome === 'imported' || message.outcome === 'duplicate', `${path}: ${message.outcome}`);
        assert.ok(stored, `${path}: stored`);
        // Whole: the exact bytes as received, its notes, its full-text entry, and the viewer reads it.
        assert.ok(decompress(stored.raw).equals(bytes), `${path}: the bytes as received`);
        assert.equal(stored.size, bytes.length);
        assert.ok(stored.notes !== null);
        assert.equal(core.connection.read.get<{ count: number }>({ text: 'SELECT count(*) AS count FROM samples_fts WHERE rowid = ?', values: [stored.id] })?.count, 1);
        const detail = await ok(core.dispatch('samples.get', { id: stored.id }, ANA));
        assert.equal(detail.sha256, sha(bytes));
      }
      if (!result.committed) {
        assert.equal(count('samples'), samplesBefore, `${path}: nothing stored`);
        assert.equal(count('sample_links'), linksBefore);
        assert.equal(count('events'), eventsBefore, `${path}: no history event`);
      }
    }
    // Then the whole corpus at once with "import the valid ones": the same split, all in one commit.
    const valid = await ok(core.dispatch('samples.import', { files: paths.map((path) => ({ path })), importValid: true }, ANA));
    assert.equal(valid.committed, true);
    assert.equal(valid.failed, 1);
    assert.equal(valid.imported, 0, 'every valid message was stored by the imports one at a time');
    assert.equal(valid.duplicates, valid.messages.length - 1);
    assert.equal((await ok(core.dispatch('audit.verify', {}, ANA))).ok, true);
  });
});
