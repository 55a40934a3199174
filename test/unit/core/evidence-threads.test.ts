/**
 * Correspondence threads through the core's dispatch: per listing and per ISP (with their roles),
 * mail imported into a thread, notes, replies drafted from every template with the record's facts,
 * saved as real MIME and exported as .eml (parsed back with mailparser), resolution with its
 * history event, and refusals (resolved thread, wrong template, a note that is not mail).
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import { ok, refused } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const ANA: CallContext = { actor: 'Ana', localFiles: true };
const LIA: CallContext = { actor: 'Lia' };

const REQUEST = [
  'From: Postmaster <postmaster@isp.example>',
  'To: abuse-desk@bl.example',
  'Subject: Please delist 185.220.101.33',
  'Date: Fri, 27 Nov 2026 09:00:00 +0000',
  'Message-ID: <req-1@isp.example>',
  '',
  'We fixed the compromised account. Please delist our relay.',
  '',
].join('\r\n');

describe('correspondence threads', () => {
  let folder: string;
  let core: Core;
  let listingId: number;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-threads-'));
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(NOW) });
    await ok(core.dispatch('investigators.add', { name: 'Ana', roles: ['admin', 'investigator'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'Lia', roles: ['liaison'] }, ANA));
    listingId = (await ok(core.dispatch('listings.add', { range: '185.220.101.33', list: 'RBL', reason: 'spam-source', txt: 'Compromised relay' }, ANA))).listing.id;
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('a listing thread: inbound mail, note, drafted reply with the facts, .eml export, resolution in the history', async () => {
    const thread = await ok(core.dispatch('threads.create', { listingId, subject: 'Delisting request from ISP' }, ANA));
    const path = join(folder, 'request.eml');
    writeFileSync(path, REQUEST);
    const imported = await ok(core.dispatch('threads.import', { threadId: thread.id, files: [{ path }] }, ANA));
    assert.equal(imported.added, 1);
    const again = await ok(core.dispatch('threads.import', { threadId: thread.id, files: [{ path }] }, ANA));
    assert.deepEqual(
      again.messages.map((message) => message.outcome),
      ['duplicate'],
    );
    await ok(core.dispatch('threads.note', { threadId: thread.id, text: 'Checked: no spam from it since Wednesday.' }, ANA));

    const draft = await ok(core.dispatch('threads.draft', { threadId: thread.id, template: 'delisting-granted' }, ANA));
    assert.equal(draft.to, 'postmaster@isp.example');
    assert.equal(draft.from, 'abuse-desk@bl.example');
    assert.equal(draft.subject, 'Re: Please delist 185.220.101.33');
    assert.equal(draft.inReplyTo, '<req-1@isp.example>');
    assert.match(draft.text, new RegExp(`Record: +#${listingId}`));
    assert.match(draft.text, /Address: +185\.220\.101\.33/);
    assert.match(draft.text, /Reason: +Spam source \("Compromised relay"\)/);
    assert.match(draft.text, /Listed since: Saturday 28 November 2026\n/);
    assert.match(draft.text, /Status: +listed\n/);
    assert.match(draft.text, /Spam samples: none\n/);
    assert.match(draft.text, /The listing below is removed/);
    // No machine dates in mail to people outside the team.
    assert.doesNotMatch(draft.text, /\d{4}-\d{2}-\d{2}/);
    for (const template of ['delisting-denied', 'needs-information'] as const) {
      const other = await ok(core.dispatch('threads.draft', { threadId: thread.id, template }, ANA));
      assert.match(other.text, /185\.220\.101\.33/);
      assert.notEqual(other.text, draft.text);
    }
    await refused(core.dispatch('threads.draft', { threadId: thread.id, template: 'dul-submission-received' }, ANA), 'invalid-input', /for ISP threads/);

    const detail = await ok(core.dispatch('threads.reply', { threadId: thread.id, to: draft.to, subject: draft.subject, text: draft.text }, ANA));
    assert.deepEqual(
      detail.messages.map((message) => message.direction),
      ['inbound', 'note', 'outbound'],
    );
    const outbound = detail.messages[2];
    const exported = await ok(core.dispatch('threads.export', { id: outbound.id }, ANA));
    const parsed = await simpleParser(Buffer.from(exported.base64, 'base64'));
    assert.equal(parsed.subject, 'Re: Please delist 185.220.101.33');
    assert.equal(parsed.inReplyTo, '<req-1@isp.example>');
    assert.equal(parsed.references, '<req-1@isp.example>');
    // What is stored, exported and sent is what was previewed: the text decodes back to the draft.
    assert.equal(parsed.text, draft.text);
    assert.equal(outbound.text, draft.text);
    assert.equal((parsed.to as { text: string }).text, 'postmaster@isp.example');
    assert.equal(parsed.text?.trim(), draft.text.trim());
    await refused(core.dispatch('threads.export', { id: detail.messages[1].id }, ANA), 'invalid-input', /internal note/);

    const resolved = await ok(core.dispatch('threads.resolve', { threadId: thread.id, outcome: 'delisted', why: 'ISP fixed the account' }, ANA));
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.outcome, 'delisted');
    const history = await ok(core.dispatch('listings.history', { id: listingId }, ANA));
    assert.equal(history[0].action, 'thread.resolved');
    assert.equal(history[0].reason, 'ISP fixed the account');
    assert.deepEqual(history[0].details, { thread: thread.id, subject: 'Delisting request from ISP', outcome: 'delisted' });
    await refused(core.dispatch('threads.note', { threadId: thread.id, text: 'more' }, ANA), 'conflict', /is resolved/);
    const threads = await ok(core.dispatch('threads.list', { listingId }, ANA));
    assert.equal(threads[0].messageCount, 3);
    // Messages land in the full-text index.
    const hits = core.connection.read.all<{ rowid: number }>({ text: "SELECT rowid FROM thread_messages_fts WHERE thread_messages_fts MATCH 'account OR wednesday'", values: [] });
    assert.equal(hits.length, 2);
  });

  test('an ISP thread needs the liaison role and drafts the DUL acknowledgement', async () => {
    await ok(core.dispatch('isps.add', { name: 'Example ISP', asns: [64500], ispContacts: ['noc@isp.example'], liaisonContacts: [] }, LIA));
    await refused(core.dispatch('threads.create', { isp: 'Example ISP', subject: 'DUL 2026' }, ANA), 'forbidden', /liaison role/);
    const thread = await ok(core.dispatch('threads.create', { isp: 'Example ISP', subject: 'DUL 2026' }, LIA));
    const draft = await ok(core.dispatch('threads.draft', { threadId: thread.id, template: 'dul-submission-received' }, LIA));
    assert.equal(draft.to, 'noc@isp.example');
    assert.match(draft.text, /ISP: +Example ISP \(AS64500\)/);
    assert.match(draft.text, /Submission: +none recorded yet/);
    const listed = await ok(core.dispatch('threads.list', { isp: 'example isp' }, LIA));
    assert.deepEqual(
      listed.map((item) => item.id),
      [thread.id],
    );
    await ok(core.dispatch('threads.resolve', { threadId: thread.id, outcome: 'submission-accepted' }, LIA));
    const events = core.connection.read.all<{ action: string; subject_type: string }>({ text: "SELECT action, subject_type FROM events WHERE action LIKE 'thread.%' ORDER BY id", values: [] });
    assert.deepEqual(events, [
      { action: 'thread.opened', subject_type: 'isp' },
      { action: 'thread.resolved', subject_type: 'isp' },
    ]);
  });

  test('a saved reply is sent through the configured relay (a local SMTP sink), byte for byte as exported', async () => {
    const thread = await ok(core.dispatch('threads.create', { listingId, subject: 'Delisting request' }, ANA));
    const detail = await ok(core.dispatch('threads.reply', { threadId: thread.id, to: 'noc@isp.example', subject: 'Re: delist', text: 'Done.\n.\nA line with a dot.' }, ANA));
    const reply = detail.messages[0];
    await refused(core.dispatch('threads.send', { id: reply.id }, ANA), 'invalid-input', /no mail relay is configured/);
    const sink = await startSmtpSink();
    try {
      await ok(core.dispatch('settings.update', { evidence: { smtp: { host: '127.0.0.1', port: sink.port } } }, ANA));
      const sent = await ok(core.dispatch('threads.send', { id: reply.id }, ANA));
      assert.deepEqual(sent.accepted, ['noc@isp.example']);
      assert.match(sent.response, /^250 2\.0\.0 queued as SINK1/);
      assert.equal(sink.received.length, 1);
      assert.equal(sink.received[0].from, 'abuse-desk@bl.example');
      assert.deepEqual(sink.received[0].to, ['noc@isp.example']);
      const exported = Buffer.from((await ok(core.dispatch('threads.export', { id: reply.id }, ANA))).base64, 'base64').toString('utf8');
      assert.equal(sink.received[0].data.replace(/\r?\n$/, ''), exported.replace(/\r?\n$/, ''));
      const history = await ok(core.dispatch('listings.history', { id: listingId }, ANA));
      assert.equal(history[0].action, 'thread.sent');
      assert.equal(history[0].details.response, sent.response);
    } finally {
      await sink.close();
    }
    await refused(core.dispatch('threads.send', { id: reply.id }, ANA), 'conflict', /did not take the reply/);
  });

  test('bad input: a thread for both or neither, mail that is not mail, a bad address', async () => {
    await refused(core.dispatch('threads.create', { subject: 'x' }, ANA), 'invalid-input', /a listing or an ISP/);
    const thread = await ok(core.dispatch('threads.create', { listingId, subject: 'x' }, ANA));
    const path = join(folder, 'bad.eml');
    writeFileSync(path, 'just words, no headers\n');
    const result = await ok(core.dispatch('threads.import', { threadId: thread.id, files: [{ path }] }, ANA));
    assert.equal(result.added, 0);
    assert.match(result.messages[0].problem ?? '', /no header block/);
    await refused(core.dispatch('threads.reply', { threadId: thread.id, to: 'not an address', subject: 's', text: 't' }, ANA), 'invalid-input', /one mail address/);
  });
});
