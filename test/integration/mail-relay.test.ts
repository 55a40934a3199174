/**
 * Replies sent through a real SMTP server: Debian's aiosmtpd (python3-aiosmtpd, run with Debian's
 * /usr/bin/python3 on 127.0.0.1, started by the test; scripts/system-deps.sh installs it) as the
 * relay of evidence.smtp. For a delisting decision's reply (answering the requester's own mail,
 * imported into the request's thread), a nomination's reply and a reply written in a listing's
 * thread, the bytes the server received are the exported .eml, byte for byte: headers included
 * (Date, Message-ID, In-Reply-To and References), with the envelope to the recipient; and the
 * relay's answer is in the history. Without a relay, sending is refused with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import type { ThreadDetail } from '../../shared/evidence.js';
import { createCore, type CallContext, type Core } from '../../main/core/app.js';
import { ok } from '../unit/support/results.js';

const SINK = fileURLToPath(new URL('../../../test/integration/support/aiosmtpd-sink.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const as = (actor: string): CallContext => ({ actor });

/** A port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('replies sent through a real SMTP server (aiosmtpd)', () => {
  let folder: string;
  let inbox: string;
  let server: ChildProcess;
  let core: Core;

  before(async () => {
    assert.ok(existsSync(PYTHON), `${PYTHON} (Debian's python3) is needed`);
    folder = mkdtempSync(join(tmpdir(), 'repdesk-relay-'));
    inbox = join(folder, 'inbox');
    mkdirSync(inbox);
    const port = await freePort();
    server = spawn(PYTHON, [SINK, String(port), inbox], { stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    server.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      server.on('exit', (code) => reject(new Error(`aiosmtpd exited (${code}): ${errors} (install python3-aiosmtpd: scripts/system-deps.sh)`)));
    });
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(NOW) });
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'alice', roles: ['investigator'] }, as('admin')));
    await ok(core.dispatch('investigators.add', { name: 'rita', roles: ['reviewer'] }, as('admin')));
    await ok(core.dispatch('settings.update', { queues: { resolvers: ['127.0.0.1:9'], dnsTimeoutMs: 200 }, evidence: { smtp: { host: '127.0.0.1', port } } }, as('admin')));
  });

  after(() => {
    core?.close();
    server?.kill('SIGTERM');
    rmSync(folder, { recursive: true, force: true });
  });

  /** Send an outbound message of the thread through the relay; return what the server kept and the exported .eml. */
  async function sendAndCompare(thread: ThreadDetail, to: string): Promise<{ received: Buffer; exported: Buffer }> {
    const message = thread.messages.filter((item) => item.direction === 'outbound').at(-1);
    assert.ok(message);
    const before = readdirSync(inbox).filter((name) => name.endsWith('.eml')).length;
    const sent = await ok(core.dispatch('threads.send', { id: message.id }, as('rita')));
    assert.deepEqual(sent.accepted, [to]);
    assert.match(sent.response, /^250 2\.0\.0 Ok: kept as \d+/);
    const number = before + 1;
    const received = readFileSync(join(inbox, `${number}.eml`));
    const envelope = JSON.parse(readFileSync(join(inbox, `${number}.json`), 'utf8')) as { from: string; to: string[] };
    assert.deepEqual(envelope, { from: 'abuse-desk@bl.example', to: [to] });
    const eml = await ok(core.dispatch('threads.export', { id: message.id }, as('rita')));
    return { received, exported: Buffer.from(eml.base64, 'base64') };
  }

  test('a delisting reply answering the requester’s mail: the server receives the exported .eml byte for byte', async () => {
    const listing = (await ok(core.dispatch('listings.add', { range: '82.0.2.0/24', list: 'RBL', reason: 'spam-source' }, as('alice')))).listing.id;
    const request = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'noc@isp.example', reason: 'see our mail' }, as('alice')));
    const mail = ['From: NOC <noc@isp.example>', 'To: abuse-desk@bl.example', 'Subject: Please delist 82.0.2.5', 'Date: Sat, 28 Nov 2026 09:00:00 +0000', 'Message-ID: <req-5@isp.example>', '', 'We fixed it.', ''].join('\r\n');
    // The requester's mail as a browser sends it: an upload of the session, then imported by its id.
    const sent = await core.uploads.receive([Buffer.from(mail)], { name: 'request.eml', owner: 'alice-session', maxBytes: 1 << 20 });
    await ok(core.dispatch('threads.import', { threadId: request.threadId as number, files: [{ upload: sent.upload }] }, { ...as('alice'), uploadOwner: 'alice-session' }));
    const draft = await ok(core.dispatch('delisting.draft', { id: request.id, decision: 'remove-temporarily', until: '2026-12-05' }, as('rita')));
    await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'remove-temporarily', until: '2026-12-05', why: 'trial removal' }, as('rita')));
    const thread = await ok(core.dispatch('threads.get', { id: request.threadId as number }, as('rita')));
    assert.equal(thread.listingId, listing);
    const { received, exported } = await sendAndCompare(thread, 'noc@isp.example');
    assert.ok(received.equals(exported), `received:\n${received.toString()}\nexported:\n${exported.toString()}`);
    const parsed = await simpleParser(received);
    assert.equal(parsed.text, draft.text, 'what arrives reads as the preview');
    assert.equal(parsed.inReplyTo, '<req-5@isp.example>');
    assert.equal(parsed.references, '<req-5@isp.example>');
    assert.match(parsed.messageId ?? '', /^<[0-9a-f]{24}@bl\.example>$/);
    assert.equal(parsed.date?.toISOString(), new Date(NOW).toISOString());
    for (const header of ['Date', 'Message-ID', 'In-Reply-To', 'References', 'From', 'To', 'Subject']) {
      assert.match(received.toString('latin1'), new RegExp(`^${header}: `, 'm'), `${header} arrived`);
    }
    const events = await ok(core.dispatch('listings.history', { id: listing }, as('rita')));
    const sentEvent = events.find((event) => event.action === 'thread.sent');
    assert.match(String(sentEvent?.details.response), /^250 2\.0\.0 Ok: kept as/);
  });

  test('a nomination reply and a listing thread’s reply with non-ASCII text: the same bytes arrive', async () => {
    const nomination = await ok(
      core.dispatch(
        'nominations.add',
        { mtas: [{ ip: '93.0.113.10', fqdn: 'mail.good.example', domain: 'good.example', company: 'Good Mail BV', country: 'Netherlands', companyType: 'ESP' }], contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doé' } },
        as('alice'),
      ),
    );
    const decided = await ok(core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', why: 'verified' }, as('rita')));
    const nominationThread = await ok(core.dispatch('threads.get', { id: decided.threadId as number }, as('rita')));
    const first = await sendAndCompare(nominationThread, 'pat@good.example');
    assert.ok(first.received.equals(first.exported));
    assert.match((await simpleParser(first.received)).text ?? '', /^Dear Pat Doé,/);

    const listing = (await ok(core.dispatch('listings.add', { range: '45.0.0.9', list: 'RBL', reason: 'spam-source' }, as('alice')))).listing.id;
    const thread = await ok(core.dispatch('threads.create', { listingId: listing, subject: 'Grüße from the ISP' }, as('alice')));
    await ok(core.dispatch('threads.reply', { threadId: thread.id, to: 'abuse@isp.example', subject: 'Über 45.0.0.9', text: 'Grüße,\n\nthe listing stays.\n' }, as('alice')));
    const second = await sendAndCompare(await ok(core.dispatch('threads.get', { id: thread.id }, as('alice'))), 'abuse@isp.example');
    assert.ok(second.received.equals(second.exported));
    const parsed = await simpleParser(second.received);
    assert.equal(parsed.subject, 'Über 45.0.0.9');
    assert.equal(parsed.text, 'Grüße,\n\nthe listing stays.\n');
  });

  test('without a relay, Send is refused with the reason, and the thread says so beforehand', async () => {
    await ok(core.dispatch('settings.update', { evidence: { smtp: { host: '' } } }, as('admin')));
    const listing = (await ok(core.dispatch('listings.add', { range: '45.0.0.10', list: 'RBL', reason: 'spam-source' }, as('alice')))).listing.id;
    const thread = await ok(core.dispatch('threads.create', { listingId: listing, subject: 'No relay' }, as('alice')));
    const detail = await ok(core.dispatch('threads.reply', { threadId: thread.id, to: 'abuse@isp.example', subject: 'x', text: 'y' }, as('alice')));
    assert.deepEqual(detail.relay, { isConfigured: false, text: detail.relay.text });
    assert.match(detail.relay.text, /No mail relay is configured \(setting evidence\.smtp\.host\)/);
    const refused = await core.dispatch('threads.send', { id: detail.messages[0].id }, as('alice'));
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.error.message, /no mail relay is configured \(setting evidence\.smtp\.host\)/);
  });
});
