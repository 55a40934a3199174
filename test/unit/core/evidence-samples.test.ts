/**
 * Spam samples through the core's dispatch on a real SQLite file: import of .eml and mbox files,
 * the source address and links to covering listings, dedupe by SHA-256 (stored once, linked
 * twice), every kind of bad input with its per-file message, all-or-nothing versus "import the
 * valid ones", viewing (sanitised HTML, links, hops), the original bytes, statistics, creating
 * a listing from a sample, full-text rows, and the import as a cancellable job.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleImportResult } from '../../../shared/evidence.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { AppError } from '../../../main/core/errors.js';
import { sanitiseHtml } from '../../../main/core/evidence/html.js';
import { spamMessage } from '../support/mail.js';
import { ok, refused } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const ANA: CallContext = { actor: 'Ana', localFiles: true };

describe('spam samples', () => {
  let folder: string;
  let core: Core;
  let listingId: number;

  const file = (name: string, content: string | Buffer): string => {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  };
  const importPaths = (paths: string[], extra: Record<string, unknown> = {}) => ok(core.dispatch('samples.import', { files: paths.map((path) => ({ path })), ...extra }, ANA));

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-samples-'));
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(NOW) });
    await ok(core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator', 'liaison'] }, { actor: null }));
    listingId = (await ok(core.dispatch('listings.add', { range: '185.220.101.0/24', list: 'RBL', reason: 'spam-source' }, ANA))).listing.id;
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('an .eml is stored with its source address and linked to the listing covering it', async () => {
    const content = spamMessage();
    const result = await importPaths([file('one.eml', content)]);
    assert.equal(result.committed, true);
    assert.equal(result.imported, 1);
    const [message] = result.messages;
    assert.equal(message.outcome, 'imported');
    assert.equal(message.sourceIp, '185.220.101.33');
    assert.equal(message.sha256, createHash('sha256').update(content).digest('hex'));
    assert.deepEqual(message.linkedListings, [listingId]);
    const listed = await ok(core.dispatch('samples.list', { listingId }, ANA));
    assert.equal(listed.total, 1);
    assert.equal(listed.samples[0].subject, 'You have won');
    assert.equal(listed.samples[0].from, '"Prize Desk" <winner@prize.example>');
    assert.equal(listed.samples[0].sentAt, '2026-11-26T10:00:00.000Z');
    const history = await ok(core.dispatch('listings.history', { id: listingId }, ANA));
    assert.equal(history[0].action, 'samples.linked');
    assert.equal((await ok(core.dispatch('audit.verify', {}, ANA))).ok, true);
  });

  test('the same message twice is stored once and linked twice', async () => {
    const other = (await ok(core.dispatch('listings.add', { range: '185.220.0.0/16', list: 'QIL', reason: 'botnet' }, ANA))).listing.id;
    const content = spamMessage();
    const first = await importPaths([file('a.eml', content)], { listingId });
    assert.equal(first.messages[0].outcome, 'imported');
    const second = await importPaths([file('b.eml', content), file('c.eml', content)], { listingId: other });
    assert.deepEqual(
      second.messages.map((message) => message.outcome),
      ['duplicate', 'duplicate'],
    );
    assert.equal(second.messages[0].sampleId, first.messages[0].sampleId);
    const database = core.connection.read;
    assert.equal(database.get<{ count: number }>({ text: 'SELECT count(*) AS count FROM samples', values: [] })?.count, 1);
    assert.equal(database.get<{ count: number }>({ text: 'SELECT count(*) AS count FROM sample_links', values: [] })?.count, 2);
    const detail = await ok(core.dispatch('samples.get', { id: first.messages[0].sampleId }, ANA));
    assert.deepEqual(
      detail.linkedListings.map((listing) => listing.id),
      [listingId, other],
    );
  });

  test('an mbox: every message, From_ lines in bodies kept, >From unquoted, repeats inside the file deduped', async () => {
    const postmark = (n: number) => `From spammer${n}@prize.example Thu Nov 26 10:00:0${n} 2026`;
    const body = (n: number) => spamMessage({ messageId: `m${n}`, subject: `Offer ${n}`, body: `Offer ${n}\r\n>From the desk of the prince\r\n\r\nFrom here on it is all free.` });
    const mbox = [postmark(1), body(1), postmark(2), body(2), postmark(3), body(1)].join('\r\n');
    const result = await importPaths([file('spam.mbox', mbox)]);
    assert.deepEqual(
      result.messages.map((message) => [message.message, message.outcome]),
      [
        [1, 'imported'],
        [2, 'imported'],
        [3, 'duplicate'],
      ],
    );
    const detail = await ok(core.dispatch('samples.get', { id: result.messages[0].sampleId as number }, ANA));
    assert.match(detail.text, /^Offer 1\nFrom the desk of the prince\n\nFrom here on it is all free\.$/m);
  });

  test('bad input: each refused file gets its own message (broken MIME is kept, with a note), and nothing is stored unless "import the valid ones"', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]);
    const binary = Buffer.from([0x01, 0x02, 0x00, 0x03, 0x04, 0x05]);
    const paths = [
      file('good.eml', spamMessage()),
      file('archive.eml', zip),
      file('binary.eml', binary),
      file('noheader.eml', 'Hello, this is just some text\nwith no header at all\n'),
      file('multipart.eml', 'From: a@prize.example\r\nSubject: broken\r\nContent-Type: multipart/mixed\r\n\r\nno parts here\r\n'),
      file('boundary.eml', 'From: a@prize.example\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary="XYZ"\r\n\r\nno parts here\r\n'),
      file('empty.eml', ''),
      join(folder, 'missing.eml'),
    ];
    const result = await importPaths(paths);
    assert.equal(result.committed, false);
    const byFile = new Map(result.messages.map((message) => [message.file.slice(folder.length + 1), message]));
    assert.equal(byFile.get('good.eml')?.outcome, 'skipped');
    assert.match(byFile.get('archive.eml')?.problem ?? '', /ZIP archive, not a mail message/);
    assert.match(byFile.get('binary.eml')?.problem ?? '', /binary content \(a NUL byte at offset 2\)/);
    assert.match(byFile.get('noheader.eml')?.problem ?? '', /no header block: line 1/);
    assert.match(byFile.get('empty.eml')?.problem ?? '', /empty/);
    assert.match(byFile.get('missing.eml')?.problem ?? '', /no such file/);
    // Broken MIME is still a message: kept (skipped here with the batch), its problem a note.
    assert.equal(byFile.get('multipart.eml')?.outcome, 'skipped');
    assert.match(byFile.get('multipart.eml')?.notes.join(' ') ?? '', /broken MIME structure: multipart\/mixed gives no boundary/);
    assert.match(byFile.get('boundary.eml')?.notes.join(' ') ?? '', /broken MIME structure: the multipart\/mixed boundary "XYZ" never appears in the body/);
    const count = () => core.connection.read.get<{ count: number }>({ text: 'SELECT count(*) AS count FROM samples', values: [] })?.count;
    assert.equal(count(), 0);

    const valid = await importPaths(paths, { importValid: true });
    assert.equal(valid.committed, true);
    assert.equal(valid.imported, 3);
    assert.equal(valid.failed, 5);
    assert.equal(count(), 3);
    const broken = await ok(core.dispatch('samples.get', { id: valid.messages[4].sampleId as number }, ANA));
    assert.match(broken.notes.join(' '), /multipart\/mixed gives no boundary/);
    assert.match(broken.text, /no parts here/);
  });

  test('odd but readable: no Received header, 8-bit junk in the header; both stored with notes', async () => {
    const noReceived = spamMessage({ received: [] });
    const junk = Buffer.concat([Buffer.from('From: a@prize.example\r\nSubject: caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\nbody \xe9\r\n', 'latin1')]);
    const result = await importPaths([file('noreceived.eml', noReceived), file('junk.eml', junk)], { listingId });
    assert.equal(result.committed, true);
    assert.match(result.messages[0].notes.join(' '), /no Received header/);
    assert.equal(result.messages[0].sourceIp, null);
    assert.deepEqual(result.messages[0].linkedListings, [listingId]);
    assert.match(result.messages[1].notes.join(' '), /8-bit bytes in the header that are not UTF-8/);
  });

  test('a 50 MB attachment is refused by name (over the per-message limit), its neighbours kept when asked', async () => {
    const attachment = Buffer.alloc(50 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const big = [
      'From: a@prize.example',
      'Subject: big',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--B',
      'Content-Type: application/octet-stream; name="huge.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      '--B--',
      '',
    ].join('\r\n');
    const result = await importPaths([file('big.eml', big), file('small.eml', spamMessage())], { importValid: true });
    assert.match(result.messages[0].problem ?? '', /the message is 6\d\.\d MiB, over the limit of 32\.0 MiB per message \(setting evidence\.maxMessageBytes\)/);
    assert.equal(result.messages[1].outcome, 'imported');
  });

  test('viewing: headers, text, sanitised HTML with its links, hops with the chosen one; the original bytes', async () => {
    const html =
      '<html><head><title>t</title><script>alert(1)</script><meta http-equiv="refresh" content="0;url=http://evil.example/"><link rel="stylesheet" href="http://evil.example/s.css"></head>' +
      '<body onload="alert(2)"><p style="color:red">Hello <b>winner</b></p><img src="http://tracker.example/pixel.gif?id=1"><img src="data:image/png;base64,iVBORw0KGgo=">' +
      '<a href="http://phish.example/login">Your bank</a><div style="background:url(http://tracker.example/bg.png)">x</div><iframe src="http://evil.example/"></iframe></body></html>';
    const content = spamMessage({ html });
    const result = await importPaths([file('html.eml', content)]);
    const id = result.messages[0].sampleId as number;
    const detail = await ok(core.dispatch('samples.get', { id }, ANA));
    assert.equal(detail.headers.find((header) => header.name === 'Subject')?.value, 'You have won');
    assert.match(detail.text, /Hello winner/);
    const sanitised = detail.html ?? '';
    for (const forbidden of ['<script', 'alert', 'onload', 'http-equiv', '<link', '<iframe', 'url(', 'style=', ' src="http', 'href=']) assert.ok(!sanitised.includes(forbidden), `${forbidden} in ${sanitised}`);
    assert.match(sanitised, /<p>Hello <b>winner<\/b><\/p>/);
    assert.match(sanitised, /src="data:image\/png;base64,iVBORw0KGgo="/);
    assert.deepEqual(detail.links, [{ text: 'Your bank', target: 'http://phish.example/login' }]);
    assert.equal(detail.received.hops.length, 2);
    assert.equal(detail.received.chosen, 1);
    assert.equal(detail.received.hops[1].ip, '185.220.101.33');
    const raw = await ok(core.dispatch('samples.raw', { id }, ANA));
    assert.equal(Buffer.from(raw.base64, 'base64').toString(), content);
    assert.match(raw.fileName, /^sample-\d+-[0-9a-f]{12}\.eml$/);
    // The HTML-only body lands in the full-text index as text.
    const hits = core.connection.read.all<{ rowid: number }>({ text: "SELECT rowid FROM samples_fts WHERE samples_fts MATCH 'winner'", values: [] });
    assert.deepEqual(
      hits.map((hit) => hit.rowid),
      [id],
    );
  });

  test('a sample outside every listing: offered to the covering listing later, or an RBL listing created for its source', async () => {
    const result = await importPaths([file('x.eml', spamMessage({ source: '91.7.8.9' }))]);
    const id = result.messages[0].sampleId as number;
    assert.deepEqual(result.messages[0].linkedListings, []);
    const created = await ok(core.dispatch('samples.createListing', { sampleId: id }, ANA));
    assert.equal(created.range, '91.7.8.9');
    const listing = await ok(core.dispatch('listings.get', { id: created.listingId }, ANA));
    assert.equal(listing.list, 'RBL');
    const detail = await ok(core.dispatch('samples.get', { id }, ANA));
    assert.deepEqual(
      detail.linkedListings.map((item) => item.id),
      [created.listingId],
    );
    await refused(core.dispatch('samples.link', { sampleId: id, listingId: created.listingId }, ANA), 'conflict', /already linked/);
    const wider = (await ok(core.dispatch('listings.add', { range: '91.7.0.0/16', list: 'RBL', reason: 'spam-source' }, ANA))).listing.id;
    const offered = await ok(core.dispatch('samples.get', { id }, ANA));
    assert.deepEqual(
      offered.coveringListings.map((item) => item.id),
      [wider],
    );
    await ok(core.dispatch('samples.link', { sampleId: id, listingId: wider }, ANA));
    await refused(core.dispatch('samples.createListing', { sampleId: id }, { actor: null }), 'forbidden', /investigator role/);
  });

  test('statistics: count, first and last seen, per day', async () => {
    const paths = [
      file('1.eml', spamMessage({ messageId: 'a', date: 'Tue, 24 Nov 2026 08:00:00 +0000' })),
      file('2.eml', spamMessage({ messageId: 'b', date: 'Tue, 24 Nov 2026 09:00:00 +0000' })),
      file('3.eml', spamMessage({ messageId: 'c', date: 'Thu, 26 Nov 2026 23:30:00 +0000' })),
    ];
    await importPaths(paths, { listingId });
    const stats = await ok(core.dispatch('samples.stats', { listingId }, ANA));
    assert.deepEqual(stats, {
      count: 3,
      firstSeen: '2026-11-24T08:00:00.000Z',
      lastSeen: '2026-11-26T23:30:00.000Z',
      perDay: [
        { day: '2026-11-24', count: 2 },
        { day: '2026-11-26', count: 1 },
      ],
    });
  });

  test('uploads: a file sent over HTTP (here straight into the store) imports by its id and under its name, once; a path needs a caller that may name local files', async () => {
    const content = Buffer.from(spamMessage());
    const receipt = await core.uploads.receive([content], { name: '../x/dropped.eml', owner: 'session-a', maxBytes: 1 << 20 });
    assert.equal(receipt.name, 'dropped.eml');
    const session = { actor: 'Ana', uploadOwner: 'session-a' };
    // Another session cannot use it, and a client that names a path is refused.
    await refused(core.dispatch('samples.import', { files: [{ upload: receipt.upload }], listingId }, { actor: 'Ana', uploadOwner: 'session-b' }), 'invalid-input', /no upload/);
    await refused(core.dispatch('samples.import', { files: [{ path: file('p.eml', spamMessage()) }], listingId }, session), 'forbidden', /only the command line/);
    const result = await ok(core.dispatch('samples.import', { files: [{ upload: receipt.upload }], listingId }, session));
    assert.equal(result.messages[0].outcome, 'imported');
    assert.equal(result.messages[0].file, 'dropped.eml');
    await refused(core.dispatch('samples.import', { files: [{ upload: receipt.upload }], listingId }, session), 'invalid-input', /no upload/);
  });

  test('a cancelled import stores nothing', async () => {
    const paths = [file('1.eml', spamMessage({ messageId: 'a' })), file('2.eml', spamMessage({ messageId: 'b' }))];
    let calls = 0;
    const result = await core.dispatch('samples.import', { files: paths.map((path) => ({ path })) }, {
      actor: 'Ana',
      localFiles: true,
      onProgress: () => {
        calls += 1;
        if (calls === 2) throw new AppError('cancelled', 'cancelled');
      },
    });
    assert.equal(result.ok, false);
    assert.equal(core.connection.read.get<{ count: number }>({ text: 'SELECT count(*) AS count FROM samples', values: [] })?.count, 0);
    // The staging rows are gone too: a second import starts clean.
    const again = await importPaths(paths);
    assert.equal(again.imported, 2);
  });

  test('as a background job with progress', async () => {
    const job = await ok(core.dispatch('jobs.start', { operation: 'samples.import', input: { files: [{ path: file('j.eml', spamMessage()) }], listingId } }, ANA));
    let view = job;
    while (view.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      view = await ok(core.dispatch('jobs.get', { id: job.id }, ANA));
    }
    assert.equal(view.state, 'done', JSON.stringify(view.error));
    assert.equal((view.result as SampleImportResult).imported, 1);
    assert.equal((await ok(core.dispatch('samples.list', { listingId }, ANA))).total, 1);
  });
});

describe('HTML sanitiser', () => {
  test('keeps text and layout, drops scripts, handlers, remote loads and live links', () => {
    const { html, links } = sanitiseHtml('<table border="1"><tr><td onclick="x()">a &amp; b &lt;c&gt;</td></tr></table><a href="javascript:alert(1)">js</a><svg><a href="http://x.example/">svg</a></svg><style>body{background:url(http://x.example/)}</style>');
    assert.equal(html, '<table border="1"><tr><td>a &amp; b &lt;c&gt;</td></tr></table><a class="repdesk-link" title="link to javascript:alert(1)">js</a>');
    assert.deepEqual(links, [{ text: 'js', target: 'javascript:alert(1)' }]);
  });

  test('attribute values are escaped and unclosed tags closed', () => {
    const { html } = sanitiseHtml('<p title="&quot;><script>x</script>"><b>open');
    assert.equal(html, '<p title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"><b>open</b></p>');
  });
});
