/**
 * `repdesk samples ...` and `repdesk threads ...` through the command line: the import's JSON
 * per message (file, outcome, sha256, source IP, linked listings), exit codes for a refused
 * batch and for --import-valid, the original written back byte for byte, and a thread from
 * request to exported reply, sent through a local SMTP sink, and resolution. One run goes through the real bin/repdesk.js.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ListingView } from '../../shared/listings.js';
import type { SampleImportResult, ThreadDetail, ThreadSummary } from '../../shared/evidence.js';
import { spamMessage } from '../unit/support/mail.js';
import { startSmtpSink } from '../unit/support/smtp-sink.js';
import { describeRun, repdesk, repdeskJson } from './support/cli.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/repdesk.js');

describe('repdesk samples and threads', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-samples-'));
  const database = join(folder, 'repdesk.sqlite');
  const ana = ['--db', database, '--actor', 'ana'];
  let listing: ListingView;

  const file = (name: string, content: string | Buffer): string => {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  };

  before(async () => {
    const run = await repdesk(['--db', database, 'investigator', 'add', 'ana', '--roles', 'admin,investigator']);
    assert.equal(run.code, 0, describeRun(run));
    listing = (await repdeskJson<{ listing: ListingView }>([...ana, 'listing', 'add', '185.220.101.0/24', '--list', 'RBL', '--reason', 'spam-source'])).listing;
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test('import --json: per message file, outcome, sha256, source IP and linked listings', async () => {
    const mbox = [
      'From a@prize.example Thu Nov 26 10:00:00 2026',
      spamMessage({ messageId: 'x1', subject: 'One' }),
      'From b@prize.example Thu Nov 26 10:00:01 2026',
      spamMessage({ messageId: 'x2', subject: 'Two', source: '91.7.8.9' }),
    ].join('\n');
    const path = file('batch.mbox', mbox);
    const result = await repdeskJson<SampleImportResult>([...ana, 'samples', 'import', path]);
    assert.equal(result.committed, true);
    assert.deepEqual(
      result.messages.map(({ file: name, message, outcome, sourceIp, linkedListings }) => ({ name, message, outcome, sourceIp, linkedListings })),
      [
        { name: path, message: 1, outcome: 'imported', sourceIp: '185.220.101.33', linkedListings: [listing.id] },
        { name: path, message: 2, outcome: 'imported', sourceIp: '91.7.8.9', linkedListings: [] },
      ],
    );
    assert.ok(result.messages.every((message) => /^[0-9a-f]{64}$/.test(message.sha256 ?? '')));
    const again = await repdeskJson<SampleImportResult>([...ana, 'samples', 'import', path, '--listing', String(listing.id)]);
    assert.deepEqual(
      again.messages.map((message) => message.outcome),
      ['duplicate', 'duplicate'],
    );
    const show = await repdesk([...ana, 'samples', 'show', String(result.messages[0].sampleId)]);
    assert.equal(show.code, 0, describeRun(show));
    assert.ok(show.out.some((line) => /^=> 2\. 185\.220\.101\.33 helo bulk-mailer by mx1\.bl\.example$/.test(line)), describeRun(show));
  });

  test('a refused message stops the batch (exit 1, nothing stored) unless --import-valid', async () => {
    const good = file('good.eml', spamMessage({ messageId: 'g1' }));
    const bad = file('renamed.eml', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 2)]));
    const refused = await repdesk([...ana, 'samples', 'import', good, bad]);
    assert.equal(refused.code, 1, describeRun(refused));
    assert.ok(refused.out.some((line) => line.includes('renamed.eml: refused: this file is a ZIP archive, not a mail message')), describeRun(refused));
    assert.ok(refused.error.some((line) => /1 message refused: nothing was stored \(add --import-valid/.test(line)), describeRun(refused));
    const valid = await repdeskJson<SampleImportResult>([...ana, 'samples', 'import', good, bad, '--import-valid']);
    assert.deepEqual(
      valid.messages.map((message) => message.outcome),
      ['imported', 'failed'],
    );
    const raw = join(folder, 'back.eml');
    const written = await repdesk([...ana, 'samples', 'raw', String(valid.messages[0].sampleId), '--out', raw]);
    assert.equal(written.code, 0, describeRun(written));
    assert.equal(readFileSync(raw, 'utf8'), spamMessage({ messageId: 'g1' }));
  });

  test('the real bin/repdesk.js: samples import --help and a usage error', () => {
    const help = spawnSync(process.execPath, [BIN, 'samples', 'import', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: repdesk samples import FILE\.\.\. \[--listing ID\] \[--import-valid\] \[--json\]/);
    const usage = spawnSync(process.execPath, [BIN, '--db', database, '--actor', 'ana', 'samples', 'import', file('u.eml', spamMessage()), '--listing', 'abc'], { encoding: 'utf8' });
    assert.equal(usage.status, 2, usage.stderr);
    assert.match(usage.stderr, /--listing is a number, not "abc"/);
  });

  test('a thread: request in, reply drafted and saved, exported, resolved', async () => {
    const thread = await repdeskJson<ThreadSummary>([...ana, 'threads', 'create', '--listing', String(listing.id), '--subject', 'Delisting request']);
    const request = file('request.eml', 'From: noc@isp.example\r\nSubject: Delist us\r\nMessage-ID: <r@isp.example>\r\n\r\nPlease delist.\r\n');
    const imported = await repdesk([...ana, 'threads', 'import', String(thread.id), request]);
    assert.equal(imported.code, 0, describeRun(imported));
    const saved = await repdeskJson<ThreadDetail>([...ana, 'threads', 'draft', String(thread.id), '--template', 'needs-information', '--save']);
    const outbound = saved.messages.find((message) => message.direction === 'outbound');
    assert.equal(outbound?.to, 'noc@isp.example');
    const eml = join(folder, 'reply.eml');
    const exported = await repdesk([...ana, 'threads', 'export', String(outbound?.id), '--out', eml]);
    assert.equal(exported.code, 0, describeRun(exported));
    const text = readFileSync(eml, 'utf8');
    assert.match(text, /^In-Reply-To: <r@isp\.example>$/m);
    assert.match(text, /^Subject: Re: Delist us$/m);
    const sink = await startSmtpSink();
    try {
      const configured = await repdesk([...ana, 'settings', 'set', 'evidence', JSON.stringify({ smtp: { host: '127.0.0.1', port: sink.port } })]);
      assert.equal(configured.code, 0, describeRun(configured));
      const sent = await repdesk([...ana, 'threads', 'send', String(outbound?.id)]);
      assert.equal(sent.code, 0, describeRun(sent));
      assert.match(sent.out.join('\n'), /^sent to noc@isp\.example: 250 2\.0\.0 queued as SINK1/);
      assert.equal(sink.received.length, 1);
      assert.match(sink.received[0].data, /^In-Reply-To: <r@isp\.example>\r$/m);
    } finally {
      await sink.close();
    }
    const resolved = await repdeskJson<ThreadSummary>([...ana, 'threads', 'resolve', String(thread.id), '--outcome', 'answered']);
    assert.equal(resolved.status, 'resolved');
    const history = await repdesk([...ana, 'listing', 'show', String(listing.id)]);
    assert.ok(history.out.some((line) => line.includes('thread.resolved')), describeRun(history));
  });
});
