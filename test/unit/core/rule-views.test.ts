/**
 * Every view of a listing follows the one rule: an address inside an ISP's DUL exclusion is not
 * listed on DUL in Lookup, the record names the excluded block, and a delisting request for it
 * closes itself as unlisted (the case that made the rule one); an expired entry is not active in
 * the status filter; a DUL range whose submission takes effect later is pending while the set
 * it replaces stays in force; a GAL entry wins over a blocklist at the address; the reply drafted
 * for a requester states the standing, not the stored status.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../../../main/core/app.js';
import { ok } from '../support/results.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('the one rule in every view', () => {
  let folder: string;
  let core: Core;
  let now: number;
  const ana = { actor: 'ana', localFiles: true };

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-rule-views-'));
    now = T0;
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(now) });
    await ok(core.dispatch('investigators.add', { name: 'ana', roles: ['investigator', 'liaison', 'reviewer'] }, { actor: null }));
    await ok(core.dispatch('isps.add', { name: 'Example Cable', country: 'NL' }, ana));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function submit(lines: string[], extra: { exclude?: string[]; effective?: string } = {}) {
    const path = join(folder, `pools-${now}.txt`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return ok(core.dispatch('dul.commit', { file: { path }, isp: 'Example Cable', exclude: extra.exclude ?? [], effective: extra.effective }, ana));
  }

  const listingIdOf = async (range: string) => {
    const page = await ok(core.dispatch('listings.query', { filter: { cidr: range, list: 'DUL' } }, ana));
    const row = page.rows.find((candidate) => candidate.range === range);
    assert.ok(row, `a DUL listing of ${range}`);
    return row.id;
  };

  test('an address inside an ISP exclusion is not on DUL: Lookup, the record and a delisting request agree', async () => {
    await submit(['45.20.0.0/22'], { exclude: ['45.20.1.0/24'] });
    const dulId = await listingIdOf('45.20.0.0/22');

    const excluded = await ok(core.dispatch('lookup', { ip: '45.20.1.7' }, ana));
    assert.deepEqual(
      excluded.listings.map((listing) => [listing.id, listing.status, listing.standing, listing.role]),
      [[dulId, 'active', 'active', 'excluded']],
    );
    const dul = excluded.answers.lists.find((entry) => entry.list === 'DUL');
    assert.deepEqual(dul, { list: 'DUL', answer: null, listingId: null, allowedBy: null });
    assert.deepEqual(excluded.answers.combined, []);

    const listed = await ok(core.dispatch('lookup', { ip: '45.20.2.7' }, ana));
    assert.deepEqual(listed.answers.lists.find((entry) => entry.list === 'DUL'), {
      list: 'DUL',
      answer: { a: '127.0.0.3', txt: 'DUL: Dynamic / DUL; see https://lookup.example/ip/45.20.2.7', level: null },
      listingId: dulId,
      allowedBy: null,
    });
    assert.equal(listed.listings[0].role, 'answers');

    const record = await ok(core.dispatch('listings.record', { id: dulId }, ana));
    assert.deepEqual([record.standing, record.isPublished, record.notPublished, record.excluded], ['active', true, null, ['45.20.1.0/24']]);
    assert.equal(record.queriedAddress, '45.20.0.0');
    assert.equal(record.atAddress.answer?.a, '127.0.0.3');

    const request = await ok(core.dispatch('delisting.add', { ip: '45.20.1.7', requester: 'noc@example-cable.example', reason: 'our mail server' }, ana));
    assert.equal(request.status, 'closed-unlisted', 'nothing published covers the address');
    const covered = await ok(core.dispatch('delisting.add', { ip: '45.20.2.7', requester: 'noc@example-cable.example', reason: 'a customer' }, ana));
    assert.equal(covered.status, 'new');
    assert.deepEqual(covered.listings.map((listing) => [listing.id, listing.standing, listing.isInZone]), [[dulId, 'active', true]]);
  });

  test('an entry past its expiry is expired, not active, in the status filter, the record and a reply', async () => {
    const qil = await ok(core.dispatch('listings.add', { range: '81.2.3.4', list: 'QIL', reason: 'botnet', level: 2, expires: new Date(T0 + 2 * HOUR).toISOString() }, ana));
    const rbl = await ok(core.dispatch('listings.add', { range: '81.2.3.0/24', list: 'RBL', reason: 'spam-source' }, ana));
    const ids = async (status: 'active' | 'expired') => (await ok(core.dispatch('listings.query', { filter: { status } }, ana))).rows.map((row) => row.id);
    assert.deepEqual(await ids('active'), [rbl.listing.id, qil.listing.id]);
    assert.deepEqual(await ids('expired'), []);
    now = T0 + 3 * HOUR;
    assert.deepEqual(await ids('active'), [rbl.listing.id]);
    assert.deepEqual(await ids('expired'), [qil.listing.id]);
    const record = await ok(core.dispatch('listings.record', { id: qil.listing.id }, ana));
    assert.deepEqual([record.status, record.standing, record.notPublished], ['active', 'expired', 'expired']);
    const lookup = await ok(core.dispatch('lookup', { ip: '81.2.3.4' }, ana));
    assert.equal(lookup.answers.lists.find((entry) => entry.list === 'QIL')?.answer, null);
    assert.deepEqual(lookup.listings.map((listing) => [listing.id, listing.standing, listing.role]), [
      [qil.listing.id, 'expired', 'not-in-force'],
      [rbl.listing.id, 'active', 'answers'],
    ]);
    const thread = await ok(core.dispatch('threads.create', { listingId: qil.listing.id, subject: 'Delisting 81.2.3.4' }, ana));
    const draft = await ok(core.dispatch('threads.draft', { threadId: thread.id, template: 'delisting-granted' }, ana));
    assert.match(draft.text, /Status: +expired on Saturday 28 November 2026\n/, 'the reply says expired, not listed');
  });

  test('a DUL range whose submission takes effect later is pending; the set it replaces stays in force until then', async () => {
    await submit(['45.30.0.0/24']);
    const old = await listingIdOf('45.30.0.0/24');
    now = T0 + HOUR;
    const effective = new Date(T0 + 10 * HOUR).toISOString();
    await submit(['45.30.1.0/24'], { effective });
    const next = await listingIdOf('45.30.1.0/24');
    const standings = async () => {
      const page = await ok(core.dispatch('listings.query', { filter: { list: 'DUL' } }, ana));
      return Object.fromEntries(page.rows.map((row) => [row.id, [row.status, row.standing]]));
    };
    assert.deepEqual(await standings(), { [old]: ['delisted', 'active'], [next]: ['active', 'pending'] });
    assert.deepEqual((await ok(core.dispatch('listings.query', { filter: { status: 'pending' } }, ana))).rows.map((row) => row.id), [next]);
    const record = await ok(core.dispatch('listings.record', { id: next }, ana));
    assert.deepEqual([record.notPublished, record.notPublishedUntil], ['pending', effective]);
    assert.equal((await ok(core.dispatch('lookup', { ip: '45.30.0.9' }, ana))).answers.lists.find((entry) => entry.list === 'DUL')?.listingId, old);
    assert.equal((await ok(core.dispatch('lookup', { ip: '45.30.1.9' }, ana))).answers.lists.find((entry) => entry.list === 'DUL')?.answer, null);
    now = T0 + 11 * HOUR;
    assert.deepEqual(await standings(), { [old]: ['delisted', 'delisted'], [next]: ['active', 'active'] });
    assert.equal((await ok(core.dispatch('lookup', { ip: '45.30.1.9' }, ana))).answers.lists.find((entry) => entry.list === 'DUL')?.listingId, next);
  });

  test('a GAL entry wins over a blocklist at the address, and the RBL listing is shown as allowed there', async () => {
    const rbl = await ok(core.dispatch('listings.add', { range: '23.4.5.0/24', list: 'RBL', reason: 'spam-source' }, ana));
    const gal = await ok(core.dispatch('listings.add', { range: '23.4.5.25', list: 'GAL', reason: 'approved' }, ana));
    const lookup = await ok(core.dispatch('lookup', { ip: '23.4.5.25' }, ana));
    assert.deepEqual(lookup.answers.lists.find((entry) => entry.list === 'RBL'), { list: 'RBL', answer: null, listingId: null, allowedBy: gal.listing.id });
    assert.equal(lookup.answers.lists.find((entry) => entry.list === 'GAL')?.listingId, gal.listing.id);
    assert.deepEqual(lookup.answers.combined, []);
    assert.deepEqual(lookup.listings.map((listing) => [listing.id, listing.role]), [
      [rbl.listing.id, 'allowed'],
      [gal.listing.id, 'answers'],
    ]);
    const record = await ok(core.dispatch('listings.record', { id: rbl.listing.id }, ana));
    assert.deepEqual([record.queriedAddress, record.role, record.atAddress.answer?.a], ['23.4.5.0', 'answers', '127.0.0.2']);
  });
});
