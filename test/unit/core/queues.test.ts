/**
 * Review queues through the core's dispatch on a real SQLite file: GAL nomination intake (form,
 * bundle with the two CSV templates, every kind of bad input refused with per-row messages and
 * nothing stored), approval with blocklist conflicts, delisting intake and routing (overlapping
 * listings by different investigators, an inactive investigator, unlisted IPs), decisions with
 * their listing changes and history, suppression expiry as publishing sees it, repeat-offender
 * shortening, SLA and the dashboard summary, and permission refusals that change nothing.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CSV_TEMPLATES } from '../../../shared/queues.js';
import { addressKey, parseAddress } from '../../../shared/address.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { readListings } from '../support/published.js';
import { ok, refused } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const as = (actor: string | null): CallContext => ({ actor, localFiles: true });

const MTA = { ip: '93.0.113.10', fqdn: 'mail.good.example', domain: 'good.example', company: 'Good Mail BV', country: 'Netherlands', companyType: 'ESP' };
const CONTACT = { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' };

describe('review queues', () => {
  let folder: string;
  let databasePath: string;
  let core: Core;
  let now: number;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-queues-'));
    databasePath = join(folder, 'repdesk.sqlite');
    now = NOW;
    core = createCore({ databasePath, now: () => new Date(now) });
    // A team: admin; alice and bob (investigators); rita and rob (reviewers); lia (liaison).
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, as(null)));
    for (const [name, roles] of [
      ['alice', ['investigator']],
      ['bob', ['investigator']],
      ['rita', ['reviewer']],
      ['rob', ['reviewer']],
      ['lia', ['liaison']],
    ] as const) {
      await ok(core.dispatch('investigators.add', { name, roles: [...roles] }, as('admin')));
    }
    // Faster DNS failure: the aids ask a resolver that is not there.
    await ok(core.dispatch('settings.update', { queues: { resolvers: ['127.0.0.1:9'], dnsTimeoutMs: 200 } }, as('admin')));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Everything a refused call must leave alone. */
  function snapshot(): unknown {
    const database = new Database(databasePath, { readonly: true });
    try {
      return Object.fromEntries(
        ['listings', 'events', 'nominations', 'nomination_mtas', 'nomination_helos', 'delisting_requests', 'delisting_listings', 'threads', 'thread_messages'].map((table) => [
          table,
          database.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all(),
        ]),
      );
    } finally {
      database.close();
    }
  }

  async function unchangedBy(work: () => Promise<unknown>): Promise<void> {
    const before = snapshot();
    await work();
    assert.deepEqual(snapshot(), before, 'a refused call changed the database');
  }

  function file(name: string, content: string | Buffer): string {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  }

  async function list(range: string, listName: 'RBL' | 'DUL' | 'GAL', actor: string): Promise<number> {
    const reason = listName === 'RBL' ? 'spam-source' : listName === 'DUL' ? 'dynamic' : 'approved';
    return (await ok(core.dispatch('listings.add', { range, list: listName, reason }, as(actor)))).listing.id;
  }

  describe('nominations', () => {
    test('the form stores a nomination in the queue as new, due after the setting', async () => {
      const nomination = await ok(core.dispatch('nominations.add', { mtas: [MTA], helos: ['mail.good.example'], contact: CONTACT }, as('alice')));
      assert.equal(nomination.status, 'new');
      assert.deepEqual(nomination.ips, ['93.0.113.10']);
      assert.equal(nomination.dueAt, new Date(NOW + 7 * DAY).toISOString());
      assert.equal(nomination.history[0].action, 'nomination.received');
      const page = await ok(core.dispatch('nominations.list', { status: 'open' }, as('rita')));
      assert.deepEqual(page.items.map((item) => item.id), [nomination.id]);
    });

    test('a bundle with the two CSV templates imports; the downloadable templates are what import accepts', async () => {
      const templates = await ok(core.dispatch('nominations.templates', {}, as(null)));
      assert.deepEqual(templates, CSV_TEMPLATES);
      file('mtas.csv', `${templates.mtas.text}93.0.113.10,mail.good.example,good.example,Good Mail BV,Netherlands,ESP\n"93.0.113.11",mx2.good.example.,good.example,"Good Mail, BV",Netherlands,ESP\n`);
      file('helos.csv', `${templates.helos.text}mail.good.example\n[93.0.113.11]\n`);
      const bundle = file('bundle.json', JSON.stringify({ contact: CONTACT, received: '2026-11-27', mtas: 'mtas.csv', helos: 'helos.csv' }));
      const nomination = await ok(core.dispatch('nominations.import', { bundle: { path: bundle } }, as('alice')));
      assert.deepEqual(nomination.ips, ['93.0.113.10', '93.0.113.11']);
      assert.equal(nomination.mtas[1].fqdn, 'mx2.good.example');
      assert.equal(nomination.mtas[1].company, 'Good Mail, BV');
      assert.deepEqual(nomination.helos, ['mail.good.example', '[93.0.113.11]']);
      assert.equal(nomination.receivedAt, '2026-11-27T00:00:00.000Z');
      // The template alone holds no entry: refused, naming it.
      file('empty.csv', templates.mtas.text);
      const { details = [] } = await refused(core.dispatch('nominations.import', { bundle: { path: file('b2.json', JSON.stringify({ contact: CONTACT, mtas: 'empty.csv' })) } }, as('alice')), 'invalid-input', /1 problem/);
      assert.deepEqual(details, ['MTAs: a nomination names at least one MTA']);
    });

    test('bad CSV input is refused with a message per row and nothing stored', async () => {
      const header = CSV_TEMPLATES.mtas.text.split('\n')[0];
      const cases: Array<[string, RegExp, RegExp?]> = [
        ['ip,fqdn,email_domain,company,country\n93.0.113.10,a.example,a.example,C,NL\n', /missing column company_type/],
        [`${header},notes\n`, /unexpected column "notes"/],
        ['fqdn,ip,email_domain,company,country,company_type\n', /wrong order: found fqdn,ip/],
        [`${header}\n93.0.113.300,mail.good.example,good.example,C,NL,ESP\n`, /1 problem/, /mtas\.csv line 2: ip: /],
        [`${header}\n93.0.113.10,mail_good,good.example,C,NL,ESP\n`, /1 problem/, /line 2: fqdn "mail_good" is not a fully qualified/],
        [`${header}\n93.0.113.0/24,mail.good.example,good.example,C,NL,ESP\n`, /1 problem/, /one IP address, not a range/],
        [`${header}\n93.0.113.10,mail.good.example,good.example,C,NL,ESP\n93.0.113.10,mx.good.example,good.example,C,NL,ESP\n`, /1 problem/, /line 3: 93\.0\.113\.10 is a duplicate of mtas\.csv line 2/],
        [`${header}\n93.0.113.10,mail.good.example,good.example,=SUM(A1:A9),NL,ESP\n`, /1 problem/, /company starts with "=": cells that a spreadsheet would run as a formula/],
        [`${header}\n93.0.113.10,mail.good.example,good.example,C,NL\n`, /1 problem/, /line 2: 5 cells where the template has 6/],
      ];
      for (const [content, message, detail] of cases) {
        file('mtas.csv', content);
        const bundle = file('bundle.json', JSON.stringify({ contact: CONTACT, mtas: 'mtas.csv' }));
        await unchangedBy(async () => {
          const { details = [] } = await refused(core.dispatch('nominations.import', { bundle: { path: bundle } }, as('alice')), 'invalid-input', message);
          if (detail) assert.match(details.join('\n'), detail);
        });
      }
      file('mtas.csv', Buffer.concat([Buffer.from(`${header}\n93.0.113.10,mail.good.example,good.example,Caf`), Buffer.from([0xe9]), Buffer.from(',NL,ESP\n')]));
      await unchangedBy(() => refused(core.dispatch('nominations.import', { bundle: { path: file('bundle.json', JSON.stringify({ contact: CONTACT, mtas: 'mtas.csv' })) } }, as('alice')), 'invalid-input', /not UTF-8/));
      const helos = file('bad-helos.csv', 'helo\nmail.good.example\n+cmd\nMAIL.good.example\n');
      assert.ok(helos);
      await unchangedBy(async () => {
        const { details = [] } = await refused(
          core.dispatch('nominations.import', { bundle: { path: file('bundle.json', JSON.stringify({ contact: { ...CONTACT, email: 'not-an-email' }, mtas: [MTA], helos: 'bad-helos.csv' })) } }, as('alice')),
          'invalid-input',
          /3 problems/,
        );
        assert.match(details.join('\n'), /contact: contact email "not-an-email" is not an email address/);
        assert.match(details.join('\n'), /bad-helos\.csv line 3: HELO "\+cmd"/);
        assert.match(details.join('\n'), /bad-helos\.csv line 4: HELO mail\.good\.example is a duplicate of bad-helos\.csv line 2/);
      });
    });

    test('a 100,000-row MTA file is refused by the entry limit, nothing stored', async () => {
      const rows = [CSV_TEMPLATES.mtas.text.split('\n')[0]];
      for (let index = 0; index < 100_000; index += 1) rows.push(`11.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255},m${index}.good.example,good.example,C,NL,ESP`);
      file('big.csv', `${rows.join('\n')}\n`);
      await unchangedBy(async () => {
        const { details = [] } = await refused(core.dispatch('nominations.import', { bundle: { path: file('bundle.json', JSON.stringify({ contact: CONTACT, mtas: 'big.csv' })) } }, as('alice')), 'invalid-input', /nothing was imported/);
        assert.match(details.join('\n'), /MTAs: 100000 entries; a nomination takes at most 1000 \(setting queues\.maxNominationEntries\)/);
      });
    });

    test('opening computes and keeps the aids; a reviewer opening a new nomination takes it', async () => {
      const rbl = await list('93.0.113.0/24', 'RBL', 'alice');
      const dul = await list('93.0.113.0/25', 'DUL', 'lia');
      const parsed = parseAddress('93.0.113.10');
      assert.ok(parsed.ok);
      const database = new Database(databasePath);
      database
        .prepare("INSERT INTO samples (sha256, raw, size, subject, source_family, source_key, source_ip, imported_at, imported_by) VALUES (?, x'00', 1, 'Cheap pills', 4, ?, '93.0.113.10', ?, 1)")
        .run(Buffer.alloc(32, 7), Buffer.from(addressKey(4, parsed.value.value)), new Date(NOW).toISOString());
      database.close();
      const added = await ok(core.dispatch('nominations.add', { mtas: [MTA], helos: ['MAIL.good.example.'], contact: CONTACT }, as('alice')));
      assert.equal(added.aids, null);
      now += HOUR;
      const opened = await ok(core.dispatch('nominations.open', { id: added.id }, as('rita')));
      assert.equal(opened.status, 'investigating');
      assert.equal(opened.assignee, 'rita');
      assert.equal(opened.aidsAt, new Date(now).toISOString());
      const aids = opened.aids?.[0];
      assert.ok(aids);
      assert.equal(aids.listed.ok, false);
      assert.deepEqual(aids.listed.listings.map((listing) => listing.id).sort(), [rbl, dul].sort());
      assert.match(aids.dul.result, /inside DUL range 93\.0\.113\.0\/25/);
      assert.equal(aids.helo.ok, true);
      assert.equal(aids.samples.count, 1);
      assert.equal(aids.fcrdns.ok, false);
      assert.match(aids.fcrdns.result, /not confirmed/);
      assert.equal(aids.listed.at, new Date(now).toISOString());
      // Kept with the nomination: a plain read shows the same.
      assert.deepEqual((await ok(core.dispatch('nominations.get', { id: added.id }, as('bob')))).aids, opened.aids);
    });

    test('approval with a blocklist conflict: refused until resolved; delist makes the GAL entry, refuse leaves the IP out', async () => {
      const rbl = await list('93.0.113.0/28', 'RBL', 'alice');
      const nomination = await ok(core.dispatch('nominations.add', { mtas: [MTA, { ...MTA, ip: '88.51.100.7', fqdn: 'mx.good.example' }, { ...MTA, ip: '93.0.113.12', fqdn: 'mx3.good.example' }], contact: CONTACT }, as('alice')));
      await unchangedBy(async () => {
        const { details = [] } = await refused(core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', why: 'verified sender' }, as('rita')), 'conflict', /2 IPs are on a blocklist/);
        assert.match(details[0], /^93\.0\.113\.10: on RBL #\d+ 93\.0\.113\.0\/28 \(spam-source, by alice\): delist or refuse$/);
      });
      const decided = await ok(
        core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', why: 'verified sender', conflicts: { '93.0.113.10': 'delist', '93.0.113.12': 'refuse' } }, as('rita')),
      );
      assert.equal(decided.status, 'approved');
      assert.deepEqual(decided.mtas.map((mta) => mta.outcome), ['approved', 'approved', 'refused']);
      assert.equal(decided.galListingIds.length, 2);
      assert.match(decided.decision?.reply ?? '', /Approved: 93\.0\.113\.10, 88\.51\.100\.7\. [^\n]*\n\nNot approved: 93\.0\.113\.12\./);
      const gal = await ok(core.dispatch('listings.get', { id: decided.galListingIds[0] }, as(null)));
      assert.equal(gal.list, 'GAL');
      assert.equal(gal.range, '93.0.113.10');
      const galHistory = await ok(core.dispatch('listings.history', { id: gal.id }, as(null)));
      assert.deepEqual(galHistory[0].details, { nomination: nomination.id, ip: '93.0.113.10', fqdn: 'mail.good.example' });
      assert.equal((await ok(core.dispatch('listings.get', { id: rbl }, as(null)))).status, 'delisted');
      await refused(core.dispatch('nominations.decide', { id: nomination.id, decision: 'reject', why: 'again' }, as('rita')), 'conflict', /already approved/);
    });

    test('a listing removed for now (it returns by itself) is a conflict too; delist resolves it for good', async () => {
      const rbl = await list('93.0.113.0/24', 'RBL', 'alice');
      const request = await ok(core.dispatch('delisting.add', { ip: '93.0.113.10', requester: 'ops@good.example', reason: 'fixed' }, as('alice')));
      await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'remove-temporarily', why: 'trial' }, as('alice')));
      const nomination = await ok(core.dispatch('nominations.add', { mtas: [MTA], contact: CONTACT }, as('alice')));
      const opened = await ok(core.dispatch('nominations.open', { id: nomination.id }, as('rita')));
      assert.equal(opened.aids?.[0].listed.ok, false);
      assert.match(opened.aids?.[0].listed.result ?? '', /removed until .*, returns by itself/);
      const { details = [] } = await refused(core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', why: 'ok' }, as('rita')), 'conflict', /1 IP is on a blocklist/);
      assert.match(details[0], new RegExp(`RBL #${rbl} 93\\.0\\.113\\.0/24`));
      await ok(core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', why: 'ok', conflicts: { '93.0.113.10': 'delist' } }, as('rita')));
      const listing = await ok(core.dispatch('listings.get', { id: rbl }, as(null)));
      assert.deepEqual([listing.status, listing.suppressedUntil], ['delisted', null]);
    });

    test('reject and needs-information draft a reply from the template; the reason is required', async () => {
      const first = await ok(core.dispatch('nominations.add', { mtas: [MTA], contact: CONTACT }, as('alice')));
      await refused(core.dispatch('nominations.decide', { id: first.id, decision: 'reject', why: '  ' }, as('rita')), 'invalid-input', /a reason is required/);
      const rejected = await ok(core.dispatch('nominations.decide', { id: first.id, decision: 'reject', why: 'no SPF or DKIM' }, as('rita')));
      assert.equal(rejected.status, 'rejected');
      assert.match(rejected.decision?.reply ?? '', /^Dear Pat Doe,[\s\S]*we cannot approve it: none of these addresses is added/);
      // The reviewer's reason stays in the history; it is not pasted into the reply.
      assert.doesNotMatch(rejected.decision?.reply ?? '', /SPF or DKIM/);
      assert.equal(rejected.decision?.why, 'no SPF or DKIM');
      const second = await ok(core.dispatch('nominations.add', { mtas: [MTA], contact: CONTACT }, as('alice')));
      const waiting = await ok(core.dispatch('nominations.decide', { id: second.id, decision: 'needs-information', why: 'which ESP signs your mail?' }, as('rob')));
      assert.equal(waiting.status, 'needs-information');
      assert.equal(waiting.assignee, 'rob');
      assert.match(waiting.decision?.reply ?? '', /we need more information about these addresses: who operates them/);
      assert.doesNotMatch(waiting.decision?.reply ?? '', /which ESP/);
    });

    test('only reviewers decide nominations: a refused decision changes nothing', async () => {
      const nomination = await ok(core.dispatch('nominations.add', { mtas: [MTA], contact: CONTACT }, as('alice')));
      await unchangedBy(() => refused(core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', why: 'looks fine' }, as('alice')), 'forbidden', /does not have the reviewer role/));
      await unchangedBy(() => refused(core.dispatch('nominations.decide', { id: nomination.id, decision: 'reject', why: 'x' }, as(null)), 'forbidden', /say who you are/));
      await unchangedBy(() => refused(core.dispatch('nominations.add', { mtas: [MTA], contact: CONTACT }, as('lia')), 'forbidden', /investigator or reviewer role/));
      await unchangedBy(() => refused(core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', why: 'ok' }, as('lia')), 'forbidden', /does not have the reviewer role/));
      await ok(core.dispatch('investigators.update', { name: 'rita', active: false }, as('admin')));
      await unchangedBy(() => refused(core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', why: 'ok' }, as('rita')), 'forbidden', /no longer active/));
    });
  });

  describe('delisting requests', () => {
    test('routing: overlapping listings by different investigators go to whoever assigned the most specific one; a departed one to a reviewer', async () => {
      const wide = await list('82.0.2.0/24', 'RBL', 'alice');
      const narrow = await list('82.0.2.16/28', 'RBL', 'bob');
      const inner = await ok(core.dispatch('delisting.add', { ip: '82.0.2.20', requester: 'ops@isp.example', reason: 'fixed the open relay' }, as('alice')));
      assert.equal(inner.assignee, 'bob');
      assert.deepEqual([...inner.listingIds].sort(), [wide, narrow].sort());
      assert.match(inner.routing, /routed to bob, who assigned RBL #\d+ 82\.0\.2\.16\/28/);
      const outer = await ok(core.dispatch('delisting.add', { ip: '82.0.2.200', requester: 'ops@isp.example', reason: 'clean now' }, as('alice')));
      assert.equal(outer.assignee, 'alice');
      assert.deepEqual(outer.listingIds, [wide]);
      await ok(core.dispatch('investigators.update', { name: 'bob', active: false }, as('admin')));
      const orphan = await ok(core.dispatch('delisting.add', { ip: '82.0.2.21', requester: 'other@isp.example', reason: 'please' }, as('alice')));
      assert.equal(orphan.assignee, 'rita');
      assert.match(orphan.routing, /bob, who assigned RBL #\d+ 82\.0\.2\.16\/28, is no longer active: routed to reviewer rita/);
      // The next one goes to the reviewer with fewer open requests.
      const next = await ok(core.dispatch('delisting.add', { ip: '82.0.2.22', requester: 'other@isp.example', reason: 'please' }, as('alice')));
      assert.equal(next.assignee, 'rob');
      // Each request left an event on the listings it concerns.
      assert.ok((await ok(core.dispatch('listings.history', { id: narrow }, as(null)))).some((event) => event.action === 'listing.delisting-requested' && JSON.stringify(event.details.requests) === JSON.stringify([inner.id])));
    });

    test('a request about a DUL range goes to the liaison who assigned it, who may decide it', async () => {
      const dul = await list('88.51.100.0/24', 'DUL', 'lia');
      const request = await ok(core.dispatch('delisting.add', { ip: '88.51.100.9', requester: 'noc@isp.example', reason: 'this is our static mail server' }, as('lia')));
      assert.deepEqual([request.assignee, request.listingIds], ['lia', [dul]]);
      await unchangedBy(() => refused(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'static' }, as('alice')), 'forbidden', /only the assigned investigator \(lia\)/));
      assert.equal((await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'static, per the ISP' }, as('lia')))).status, 'delisted');
    });

    test('a request for an unlisted IP closes itself with a drafted answer', async () => {
      await list('82.0.2.0/24', 'GAL', 'rita');
      const request = await ok(core.dispatch('delisting.add', { ip: '82.0.2.9', requester: 'me@x.example', reason: 'blocked?' }, as('alice')));
      assert.equal(request.status, 'closed-unlisted');
      assert.equal(request.assignee, null);
      assert.match(request.decision?.reply ?? '', /your request about 82\.0\.2\.9, received Saturday 28 November 2026, 12:00 UTC\. 82\.0\.2\.9 is not on any of our lists/);
      assert.equal((await ok(core.dispatch('delisting.list', { status: 'open' }, as(null)))).total, 0);
    });

    test('temporary removal suppresses the listing until the date; publishing has it back after that date', async () => {
      const id = await list('82.0.2.0/24', 'RBL', 'alice');
      const request = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'ops@isp.example', reason: 'cleaned' }, as('alice')));
      const decided = await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'remove-temporarily', why: 'cleaned up, trial', until: '2026-12-01' }, as('alice')));
      assert.equal(decided.status, 'removed-temporarily');
      assert.equal(decided.until, '2026-12-01T00:00:00.000Z');
      assert.match(decided.decision?.reply ?? '', /82\.0\.2\.5 is removed from our RBL list \(82\.0\.2\.0\/24\) until Tuesday 1 December 2026, 00:00 UTC\. On that date it returns to the list by itself, whatever happens in the meantime\./);
      assert.doesNotMatch(decided.decision?.reply ?? '', /2026-12-01|cleaned up, trial/);
      const listing = await ok(core.dispatch('listings.get', { id }, as(null)));
      assert.equal(listing.status, 'suppressed');
      assert.equal(listing.suppressedUntil, '2026-12-01T00:00:00.000Z');
      const events = await ok(core.dispatch('listings.history', { id }, as(null)));
      assert.equal(events[0].action, 'listing.suppressed');
      assert.equal(events[0].reason, 'cleaned up, trial');
      assert.equal(decided.history[0].action, 'delisting.remove-temporarily');
      const inForce = (at: number) => readListings(core.connection.read, new Date(at)).map((entry) => entry.id);
      assert.deepEqual(inForce(Date.parse('2026-11-30T23:59:59Z')), []);
      assert.deepEqual(inForce(Date.parse('2026-12-01T00:00:00Z')), [id]);
      now = Date.parse('2026-12-01T00:00:01Z');
      assert.equal((await ok(core.dispatch('delisting.get', { id: request.id }, as(null)))).listings[0].isInZone, true);
    });

    test('permanent delisting, deny and needs information: each with its reply and events on request and listing', async () => {
      const id = await list('82.0.2.0/24', 'RBL', 'alice');
      const a = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'a@x.example', reason: 'r' }, as('alice')));
      const b = await ok(core.dispatch('delisting.add', { ip: '82.0.2.6', requester: 'b@x.example', reason: 'r' }, as('alice')));
      const waiting = await ok(core.dispatch('delisting.decide', { id: a.id, decision: 'needs-information', why: 'send the bounce' }, as('alice')));
      assert.equal(waiting.status, 'needs-information');
      assert.match(waiting.decision?.reply ?? '', /we need more information: who operates the address/);
      assert.doesNotMatch(waiting.decision?.reply ?? '', /send the bounce/);
      const denied = await ok(core.dispatch('delisting.decide', { id: a.id, decision: 'deny', why: 'still spamming' }, as('rita')));
      assert.equal(denied.status, 'denied');
      assert.equal((await ok(core.dispatch('listings.get', { id }, as(null)))).status, 'active');
      const delisted = await ok(core.dispatch('delisting.decide', { id: b.id, decision: 'delist', why: 'reassigned range' }, as('alice')));
      assert.equal(delisted.status, 'delisted');
      assert.equal((await ok(core.dispatch('listings.get', { id }, as(null)))).status, 'delisted');
      const actions = (await ok(core.dispatch('listings.history', { id }, as(null)))).map((event) => event.action);
      assert.deepEqual(actions.slice(0, 4), ['listing.delisted', 'listing.delisting-deny', 'listing.delisting-needs-information', 'listing.delisting-requested']);
      await refused(core.dispatch('delisting.decide', { id: b.id, decision: 'deny', why: 'x' }, as('alice')), 'conflict', /already delisted/);
    });

    test('repeat offenders: relisted after a removal, flagged, and the next temporary removal is shorter', async () => {
      const id = await list('82.0.2.0/24', 'RBL', 'alice');
      const first = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'ops@isp.example', reason: 'cleaned' }, as('alice')));
      assert.equal(first.isRepeatOffender, false);
      assert.equal(first.allowedRemovalDays, 14);
      const removed = await ok(core.dispatch('delisting.decide', { id: first.id, decision: 'remove-temporarily', why: 'trial' }, as('alice')));
      assert.equal(removed.until, new Date(NOW + 14 * DAY).toISOString());
      now = NOW + 15 * DAY;
      const second = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'ops@isp.example', reason: 'cleaned again' }, as('alice')));
      assert.equal(second.status, 'new');
      assert.equal(second.relistCount, 1);
      assert.equal(second.isRepeatOffender, true);
      assert.equal(second.allowedRemovalDays, 7);
      assert.deepEqual(second.priorRequests.map((request) => request.id), [first.id]);
      await unchangedBy(() =>
        refused(
          core.dispatch('delisting.decide', { id: second.id, decision: 'remove-temporarily', why: 'again', until: new Date(now + 10 * DAY).toISOString() }, as('alice')),
          'invalid-input',
          /a repeat offender \(back after 1 earlier removal\) may be removed for at most 7 days/,
        ),
      );
      const again = await ok(core.dispatch('delisting.decide', { id: second.id, decision: 'remove-temporarily', why: 'last chance' }, as('alice')));
      assert.equal(again.until, new Date(now + 7 * DAY).toISOString());
      assert.match(again.decision?.reply ?? '', /listed again after 1 earlier removal, so this removal is shorter than a first one would be/);
      assert.equal((await ok(core.dispatch('listings.get', { id }, as(null)))).suppressedUntil, again.until);
      now += 8 * DAY;
      const third = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'ops@isp.example', reason: 'please' }, as('alice')));
      assert.equal(third.allowedRemovalDays, 3.5);
    });

    test('only the assigned investigator or a reviewer decides: refusals change nothing', async () => {
      await list('82.0.2.0/24', 'RBL', 'alice');
      const request = await ok(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'ops@isp.example', reason: 'cleaned' }, as('bob')));
      assert.equal(request.assignee, 'alice');
      await unchangedBy(() =>
        refused(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'sure' }, as('bob')), 'forbidden', /only the assigned investigator \(alice\) or a reviewer/),
      );
      await unchangedBy(() => refused(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'sure' }, as('lia')), 'forbidden', /only the assigned investigator \(alice\) or a reviewer/));
      await unchangedBy(() => refused(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'sure' }, as('nobody')), 'forbidden', /"nobody" is not a known investigator/));
      await unchangedBy(() => refused(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'sure' }, as(null)), 'forbidden', /say who you are/));
      await unchangedBy(() => refused(core.dispatch('delisting.decide', { id: request.id, decision: 'deny', why: 'x', until: '2026-12-01' }, as('alice')), 'invalid-input', /until applies/));
      await unchangedBy(() => refused(core.dispatch('delisting.add', { ip: '82.0.2.0/24', requester: 'x@y.example', reason: 'r' }, as('alice')), 'invalid-input', /one IP address, not a range/));
      assert.equal((await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'deny', why: 'no' }, as('rob')))).status, 'denied');
    });

    test('import: CSV and JSON; bad rows named, nothing half-imported; duplicates and formula cells refused', async () => {
      await list('82.0.2.0/24', 'RBL', 'alice');
      const good = file('requests.csv', 'ip,requester,reason,received\n82.0.2.5,ops@isp.example,"fixed, really",2026-11-27\n88.51.100.1,x@y.example,why,\n');
      const result = await ok(core.dispatch('delisting.import', { file: { path: good } }, as('bob')));
      assert.equal(result.created.length, 2);
      assert.equal(result.closed, 1);
      const json = file('requests.json', JSON.stringify([{ ip: '82.0.2.6', requester: 'a@b.example', reason: 'r', received: '2026-11-28T10:00:00Z' }]));
      assert.equal((await ok(core.dispatch('delisting.import', { file: { path: json } }, as('bob')))).created.length, 1);
      // The same requests again: each is already open.
      await unchangedBy(async () => {
        const { details = [] } = await refused(core.dispatch('delisting.import', { file: { path: json } }, as('bob')), 'invalid-input', /1 bad row/);
        assert.match(details[0], /requests\.json entry 1: 82\.0\.2\.6 from a@b\.example is already open as request #3/);
      });
      await unchangedBy(() =>
        refused(core.dispatch('delisting.add', { ip: '82.0.2.5', requester: 'OPS@isp.example', reason: 'again' }, as('bob')), 'conflict', /request #1 from OPS@isp\.example for 82\.0\.2\.5 is still open/),
      );
      const bad: Array<[string, string | Buffer, RegExp, RegExp?]> = [
        ['a.csv', 'ip,requester,reason\n', /header misses received/],
        ['b.csv', 'ip,requester,reason,received,notes\n', /header has unexpected "notes"/],
        ['c.csv', 'requester,ip,reason,received\n', /wrong order/],
        ['d.csv', 'ip,requester,reason,received\n82.0.2.999,a@b.example,r,\n82.0.2.7,a@b.example,=cmd|calc,\n82.0.2.8,a@b.example,r,\n82.0.2.8,A@B.example,r,\n82.0.2.9,a@b.example,r,2030-01-01\n', /4 bad rows/, /d\.csv line 2: ip: [\s\S]*d\.csv line 3: the reason starts with "="[\s\S]*d\.csv line 5: 82\.0\.2\.8 from A@B\.example is a duplicate of d\.csv line 4[\s\S]*d\.csv line 6: received "2030-01-01" is in the future/],
        ['e.csv', Buffer.concat([Buffer.from('ip,requester,reason,received\n82.0.2.7,a@b.example,caf'), Buffer.from([0xe9, 0x0a])]), /not UTF-8/],
        ['f.json', '[{"ip":"82.0.2.7","requester":"a@b.example"},{"ip":"82.0.2.8","requester":"a@b.example","reason":"r","why":"x"}]', /2 bad rows/, /f\.json entry 1: missing or not text: reason[\s\S]*entry 2: unexpected key "why"/],
        // One row with three problems is one bad row: the count names rows, the details every problem.
        ['g.csv', 'ip,requester,reason,received\n82.0.2.999,,r,2030-01-01\n82.0.2.10,a@b.example,r,\n', /g\.csv: 1 bad row \(3 problems\); nothing was imported/, /g\.csv line 2: ip: [\s\S]*g\.csv line 2: the requester contact is empty[\s\S]*g\.csv line 2: received "2030-01-01" is in the future/],
      ];
      for (const [name, content, message, detail] of bad) {
        const path = file(name, content);
        await unchangedBy(async () => {
          const { details = [] } = await refused(core.dispatch('delisting.import', { file: { path: path } }, as('bob')), 'invalid-input', message);
          if (detail) assert.match(details.join('\n'), detail);
        });
      }
    });

    test('import of 100,000 requests: all in one transaction, routed', async () => {
      await list('11.0.0.0/8', 'RBL', 'alice');
      const rows = ['ip,requester,reason,received'];
      for (let index = 0; index < 100_000; index += 1) rows.push(`11.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255},ops${index % 7}@isp.example,cleaned,2026-11-28`);
      const path = file('many.csv', `${rows.join('\n')}\n`);
      const result = await ok(core.dispatch('delisting.import', { file: { path: path } }, as('alice')));
      assert.equal(result.created.length, 100_000);
      const page = await ok(core.dispatch('delisting.list', { status: 'open', assignee: 'alice', limit: 5 }, as('alice')));
      assert.equal(page.total, 100_000);
      // Other requesters, one bad row among 100,000: nothing of the file is stored.
      rows.forEach((row, index) => (rows[index] = row.replace(/,ops(\d)@/, ',other$1@')));
      rows[50_001] = '10.0.0.300,a@b.example,r,';
      const before = (await ok(core.dispatch('delisting.list', {}, as('alice')))).total;
      await refused(core.dispatch('delisting.import', { file: { path: file('many-bad.csv', `${rows.join('\n')}\n`) } }, as('alice')), 'invalid-input', /1 bad row/);
      assert.equal((await ok(core.dispatch('delisting.list', {}, as('alice')))).total, before);
    });
  });

  describe('queues: filters, SLA and the dashboard summary', () => {
    test('age, overdue and assignee filters; the summary puts the caller first', async () => {
      await list('82.0.2.0/25', 'RBL', 'alice');
      await list('82.0.2.128/25', 'RBL', 'bob');
      await ok(core.dispatch('delisting.add', { ip: '82.0.2.1', requester: 'a@x.example', reason: 'r', received: '2026-11-28T06:00:00Z' }, as('alice')));
      await ok(core.dispatch('delisting.add', { ip: '82.0.2.2', requester: 'a@x.example', reason: 'r', received: '2026-11-26T06:00:00Z' }, as('alice')));
      await ok(core.dispatch('delisting.add', { ip: '82.0.2.130', requester: 'a@x.example', reason: 'r', received: '2026-11-18' }, as('alice')));
      await ok(core.dispatch('delisting.add', { ip: '88.51.100.1', requester: 'a@x.example', reason: 'r' }, as('alice')));
      await ok(core.dispatch('nominations.add', { mtas: [MTA], contact: CONTACT, received: '2026-11-20' }, as('alice')));
      const overdue = await ok(core.dispatch('delisting.list', { age: 'overdue' }, as('bob')));
      assert.deepEqual(overdue.items.map((item) => item.ip), ['82.0.2.2', '82.0.2.130']);
      assert.ok(overdue.items.every((item) => item.isOverdue));
      assert.deepEqual((await ok(core.dispatch('delisting.list', { assignee: 'me', status: 'open' }, as('bob')))).items.map((item) => item.ip), ['82.0.2.130']);
      assert.deepEqual((await ok(core.dispatch('delisting.list', { status: 'closed-unlisted' }, as('bob')))).items.map((item) => item.ip), ['88.51.100.1']);
      await refused(core.dispatch('delisting.list', { status: 'done' }, as('bob')), 'invalid-input', /status "done" is not one of open/);
      await refused(core.dispatch('delisting.list', { assignee: 'zed' }, as('bob')), 'invalid-input', /no investigator named "zed"/);
      const summary = await ok(core.dispatch('queues.summary', {}, as('bob')));
      assert.equal(summary.me, 'bob');
      assert.deepEqual(summary.delisting, {
        open: 3,
        overdue: 2,
        byAge: [
          { bucket: 'under-1-day', count: 1 },
          { bucket: '1-3-days', count: 1 },
          { bucket: '3-7-days', count: 0 },
          { bucket: 'over-7-days', count: 1 },
        ],
        byAssignee: [
          { assignee: 'bob', isMe: true, count: 1 },
          { assignee: 'alice', isMe: false, count: 2 },
        ],
      });
      // Each number of the summary is what the filtered queue holds (the dashboard links to it).
      for (const { bucket, count } of summary.delisting.byAge) assert.equal((await ok(core.dispatch('delisting.list', { age: bucket }, as('bob')))).total, count, bucket);
      assert.equal((await ok(core.dispatch('delisting.list', { age: 'overdue' }, as('bob')))).total, summary.delisting.overdue);
      assert.deepEqual(summary.nominations.byAssignee, [{ assignee: null, isMe: false, count: 1 }]);
      assert.equal((await ok(core.dispatch('nominations.list', { assignee: 'none', status: 'open' }, as('bob')))).total, 1);
      assert.equal(summary.nominations.overdue, 1);
    });
  });
});
