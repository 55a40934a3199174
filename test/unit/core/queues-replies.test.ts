/**
 * The mail the review queues send, through the core on a real SQLite file: a delisting request
 * opens (or joins) its record's correspondence thread with the requester's mail in it; every
 * decision's reply, as drafted (delisting.draft, nominations.draft) or as edited, is stored in
 * that thread as mail whose bytes decode back to exactly the previewed text, with the threading
 * headers, and exported as .eml; no template syntax, no machine dates, no reviewer's reason in
 * it (the reason stays in the history); a requester with no mail address gets the reply kept as
 * a note; an unlisted address's request is answered in a thread of its own; a delisting request
 * made before threads existed is filed into one when decided; the reply time zone is the reader's.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { MailDraft, ThreadDetail } from '../../../shared/evidence.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { ok } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const as = (actor: string | null): CallContext => ({ actor });

/** What mail to people outside the team never holds: template syntax, machine timestamps. */
function assertReadable(text: string): void {
  assert.doesNotMatch(text, /[{}$]|\{\w+\}/, `template syntax in ${text}`);
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}:\d{2}|\.\d{3}Z/, `a machine date in ${text}`);
}

const MTA = { ip: '93.0.113.10', fqdn: 'mail.good.example', domain: 'good.example', company: 'Good Mail BV', country: 'Netherlands', companyType: 'ESP' };

describe('queue replies in correspondence threads', () => {
  let folder: string;
  let core: Core;
  let listingId: number;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-queue-replies-'));
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(NOW) });
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, as(null)));
    await ok(core.dispatch('investigators.add', { name: 'alice', roles: ['investigator'] }, as('admin')));
    await ok(core.dispatch('investigators.add', { name: 'rita', roles: ['reviewer'] }, as('admin')));
    await ok(core.dispatch('settings.update', { queues: { resolvers: ['127.0.0.1:9'], dnsTimeoutMs: 200 } }, as('admin')));
    listingId = (await ok(core.dispatch('listings.add', { range: '82.0.2.0/24', list: 'RBL', reason: 'spam-source', txt: 'Spam from $' }, as('alice')))).listing.id;
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The outbound mail of a thread, its exported bytes parsed. */
  async function exported(thread: ThreadDetail, index = -1) {
    const message = thread.messages.filter((item) => item.direction === 'outbound').at(index);
    assert.ok(message, 'an outbound reply in the thread');
    const eml = await ok(core.dispatch('threads.export', { id: message.id }, as('alice')));
    return { message, parsed: await simpleParser(Buffer.from(eml.base64, 'base64')), bytes: Buffer.from(eml.base64, 'base64') };
  }

  test('a delisting request opens its record’s thread with the requester’s mail; the decision’s reply is the draft, stored as mail', async () => {
    const request = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'Ops Team <ops@isp.example>', reason: 'We cleaned the infected host.' }, as('alice')));
    assert.ok(request.threadId !== null);
    let thread = await ok(core.dispatch('threads.get', { id: request.threadId }, as('alice')));
    assert.equal(thread.listingId, listingId);
    assert.deepEqual(
      thread.messages.map((message) => [message.direction, message.from, message.subject, message.text]),
      [['inbound', 'Ops Team <ops@isp.example>', 'Delisting request for 82.0.2.5', 'We cleaned the infected host.']],
    );
    const draft: MailDraft = await ok(core.dispatch('delisting.draft', { id: request.id, decision: 'remove-temporarily', until: '2026-12-05' }, as('alice')));
    assert.deepEqual([draft.from, draft.to, draft.subject], ['abuse-desk@bl.example', 'ops@isp.example', 'Re: Delisting request for 82.0.2.5']);
    assert.match(draft.text, /until Saturday 5 December 2026, 00:00 UTC\. On that date it returns to the list by itself, whatever happens in the meantime\./);
    assertReadable(draft.text);

    const decided = await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'remove-temporarily', until: '2026-12-05', why: 'INTERNAL: owner is a known repeat case' }, as('alice')));
    assert.equal(decided.decision?.reply, draft.text);
    assert.doesNotMatch(decided.decision?.reply ?? '', /INTERNAL/);
    assert.equal(decided.history[0].reason, 'INTERNAL: owner is a known repeat case');
    thread = await ok(core.dispatch('threads.get', { id: request.threadId }, as('alice')));
    const { message, parsed, bytes } = await exported(thread);
    // The preview is what is stored, exported and (being these bytes) sent.
    assert.equal(message.text, draft.text);
    assert.equal(parsed.text, draft.text);
    assert.equal(parsed.subject, draft.subject);
    assert.equal((parsed.to as { text: string }).text, 'ops@isp.example');
    assert.match(bytes.toString('latin1'), /^Date: Sat, 28 Nov 2026 12:00:00 \+0000\r$/m);
    assert.match(parsed.messageId ?? '', /^<[0-9a-f]{24}@bl\.example>$/);
    assert.equal(parsed.inReplyTo, undefined, 'the request came by form: there is no mail id to answer');
    const history = await ok(core.dispatch('delisting.get', { id: request.id }, as('alice')));
    assert.deepEqual(
      [history.history[0].details.thread, history.history[0].details.message],
      [request.threadId, message.id],
    );
  });

  test('the requester’s real mail imported into the thread is answered: In-Reply-To and References carry its id', async () => {
    const request = await ok(core.dispatch('delisting.add', { ip: '82.0.2.6', requester: 'noc@isp.example', reason: 'see our mail' }, as('alice')));
    const mail = ['From: NOC <noc@isp.example>', 'To: abuse-desk@bl.example', 'Subject: Please delist 82.0.2.6', 'Date: Sat, 28 Nov 2026 09:00:00 +0000', 'Message-ID: <req-6@isp.example>', '', 'We fixed it.', ''].join('\r\n');
    // The requester's mail as a browser sends it: an upload of the session, then imported by its id.
    const sent = await core.uploads.receive([Buffer.from(mail)], { name: 'request.eml', owner: 'alice-session', maxBytes: 1 << 20 });
    await ok(core.dispatch('threads.import', { threadId: request.threadId as number, files: [{ upload: sent.upload }] }, { ...as('alice'), uploadOwner: 'alice-session' }));
    const draft = await ok(core.dispatch('delisting.draft', { id: request.id, decision: 'deny' }, as('rita')));
    assert.equal(draft.subject, 'Re: Please delist 82.0.2.6');
    const edited = `${draft.text}\nP.S. Our records show spam until this morning.\n`;
    await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'deny', why: 'still spamming', reply: edited, replySubject: 'Your request for 82.0.2.6' }, as('rita')));
    const thread = await ok(core.dispatch('threads.get', { id: request.threadId as number }, as('rita')));
    const { parsed } = await exported(thread);
    assert.equal(parsed.text, edited, 'the edited reply is the one stored');
    assert.equal(parsed.subject, 'Your request for 82.0.2.6');
    assert.equal(parsed.inReplyTo, '<req-6@isp.example>');
    assert.equal(parsed.references, '<req-6@isp.example>');
  });

  test('a second request from the same requester joins the record’s open thread; another requester gets a thread of their own', async () => {
    const first = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'ops@isp.example', reason: 'one' }, as('alice')));
    await ok(core.dispatch('delisting.decide', { id: first.id, decision: 'needs-information', why: 'who?' }, as('alice')));
    const second = await ok(core.dispatch('delisting.add', { ip: '82.0.2.7', requester: 'OPS@isp.example', reason: 'two' }, as('alice')));
    const other = await ok(core.dispatch('delisting.add', { ip: '82.0.2.8', requester: 'someone@else.example', reason: 'three' }, as('alice')));
    assert.equal(second.threadId, first.threadId);
    assert.notEqual(other.threadId, first.threadId);
    const thread = await ok(core.dispatch('threads.get', { id: first.threadId as number }, as('alice')));
    assert.deepEqual(
      thread.messages.map((message) => [message.direction, message.text.split('\n')[0]]),
      [
        ['inbound', 'one'],
        ['outbound', 'Hello,'],
        ['inbound', 'two'],
      ],
    );
    const threads = await ok(core.dispatch('threads.list', { listingId }, as('alice')));
    assert.equal(threads.length, 2);
  });

  test('an unlisted address: the request and its answer in a thread of its own, the answer as mail', async () => {
    const request = await ok(core.dispatch('delisting.add', { ip: '82.0.9.9', requester: 'me@x.example', reason: 'blocked?' }, as('alice')));
    assert.equal(request.status, 'closed-unlisted');
    const thread = await ok(core.dispatch('threads.get', { id: request.threadId as number }, as('alice')));
    assert.equal(thread.delistingId, request.id);
    const { parsed } = await exported(thread);
    assert.equal(parsed.text, request.decision?.reply);
    assert.match(parsed.text ?? '', /82\.0\.9\.9 is not on any of our lists \(as of Saturday 28 November 2026, 12:00 UTC\)/);
    assertReadable(parsed.text ?? '');
  });

  test('a requester with no mail address: the reply is kept in the thread as a note to send some other way', async () => {
    const request = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'phone +31 20 555 0100', reason: 'called in' }, as('alice')));
    const draft = await ok(core.dispatch('delisting.draft', { id: request.id, decision: 'delist' }, as('alice')));
    assert.equal(draft.to, null);
    await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'reassigned' }, as('alice')));
    const thread = await ok(core.dispatch('threads.get', { id: request.threadId as number }, as('alice')));
    const last = thread.messages.at(-1);
    assert.equal(last?.direction, 'note');
    assert.match(last?.text ?? '', /^Reply to send by other means \(the contact given is not a mail address\):\n\nHello,/);
    assert.equal(last?.hasRaw, false);
  });

  test('a nomination’s reply goes into its own thread with the nominee, as drafted; the reason stays in the history', async () => {
    const nomination = await ok(core.dispatch('nominations.add', { mtas: [MTA, { ...MTA, ip: '93.0.113.11', fqdn: 'mx2.good.example' }], contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' } }, as('alice')));
    assert.equal(nomination.threadId, null);
    const draft = await ok(core.dispatch('nominations.draft', { id: nomination.id, decision: 'approve', ips: ['93.0.113.10'] }, as('rita')));
    assert.match(draft.text, /Approved: 93\.0\.113\.10\. [^\n]*\n\nNot approved: 93\.0\.113\.11\./);
    assertReadable(draft.text);
    const decided = await ok(core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', ips: ['93.0.113.10'], why: 'INTERNAL: checked DKIM by hand' }, as('rita')));
    assert.equal(decided.decision?.reply, draft.text);
    assert.ok(decided.threadId !== null);
    const thread = await ok(core.dispatch('threads.get', { id: decided.threadId }, as('rita')));
    assert.equal(thread.nominationId, nomination.id);
    const { parsed } = await exported(thread);
    assert.equal(parsed.text, draft.text);
    assert.equal(parsed.subject, `Your Global Approved List nomination #${nomination.id}`);
    assert.doesNotMatch(parsed.text ?? '', /INTERNAL/);
  });

  test('a request filed before threads existed (no thread) is filed into its record’s thread when decided', async () => {
    const request = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'ops@isp.example', reason: 'old request' }, as('alice')));
    core.connection.write.run({ text: 'UPDATE delisting_requests SET thread_id = NULL', values: [] });
    core.connection.write.run({ text: "UPDATE threads SET status = 'resolved'", values: [] });
    const decided = await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'fixed' }, as('alice')));
    assert.ok(decided.threadId !== null && decided.threadId !== request.threadId);
    const thread = await ok(core.dispatch('threads.get', { id: decided.threadId }, as('alice')));
    assert.deepEqual(
      thread.messages.map((message) => [message.direction, message.text.split('\n')[0]]),
      [
        ['inbound', 'old request'],
        ['outbound', 'Hello,'],
      ],
    );
  });

  test('dates in the reader’s time zone (evidence.replyTimeZone), and an unknown zone is refused by name', async () => {
    await ok(core.dispatch('settings.update', { evidence: { replyTimeZone: 'Europe/Berlin' } }, as('admin')));
    const request = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'ops@isp.example', reason: 'r' }, as('alice')));
    const draft = await ok(core.dispatch('delisting.draft', { id: request.id, decision: 'remove-temporarily', until: '2026-12-05' }, as('alice')));
    assert.match(draft.text, /until Saturday 5 December 2026, 01:00 CET/);
    const refused = await core.dispatch('settings.update', { evidence: { replyTimeZone: 'Mars/Olympus' } }, as('admin'));
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.error.message, /replyTimeZone is a time zone name/);
  });
});
