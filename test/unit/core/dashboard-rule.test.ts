/**
 * The dashboard's figures agree with the one rule and with each other: one test changes the data
 * through every kind of write (and lets the clock pass expiries, removals and an effective date)
 * and checks every figure against a direct count after each; a bulk reassignment moves the
 * per-investigator counts; "not yet published" counts listings changed since the last snapshot,
 * per list, not batches; a range two ISPs of one country claim counts once for the country; the
 * clock moves entries out of "active" with no write and no history event.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DashboardView } from '../../../shared/dashboard.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { generateKeyPair } from '../../../main/core/snapshot/index.js';
import { sql } from '../../../main/core/db/sql.js';
import { assertFiguresMatch } from '../support/dashboard-truth.js';
import { spamMessage } from '../support/mail.js';
import { ok } from '../support/results.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('dashboard figures follow the one rule', () => {
  let folder: string;
  let databasePath: string;
  let core: Core;
  let now: number;
  const ana = { actor: 'ana', localFiles: true };
  const key = generateKeyPair();

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-dashboard-rule-'));
    databasePath = join(folder, 'repdesk.sqlite');
    now = T0;
    core = createCore({ databasePath, now: () => new Date(now), signingKey: () => key });
    await ok(core.dispatch('investigators.add', { name: 'ana', roles: ['investigator', 'liaison', 'reviewer', 'publisher'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'bo', roles: ['investigator', 'liaison'] }, ana));
    await ok(core.dispatch('investigators.add', { name: 'pat', roles: ['publisher'] }, ana));
    await ok(core.dispatch('isps.add', { name: 'North Cable', country: 'NL' }, ana));
    await ok(core.dispatch('isps.add', { name: 'South Cable', country: 'nl' }, ana));
    await ok(core.dispatch('isps.add', { name: 'East Mobile', country: 'BE' }, ana));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function file(name: string, lines: readonly string[]): string {
    const path = join(folder, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  }

  const dashboard = () => ok(core.dispatch('dashboard.get', {}, ana));
  const events = () => core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM events`)?.count ?? 0;
  async function check(step: string): Promise<DashboardView> {
    const view = await dashboard();
    assertFiguresMatch(view, databasePath, now, step);
    return view;
  }
  const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

  test('every kind of write, and the clock, keep every figure equal to a direct count', async () => {
    const rbl = await ok(core.dispatch('listings.add', { range: '45.70.0.0/24', list: 'RBL', reason: 'spam-source' }, ana));
    await check('listings.add');
    await ok(core.dispatch('listings.importFile', { file: { path: file('rbl.txt', ['45.70.1.0/24', '45.70.1.128/25', '2a01:4f8:70::/48', '45.70.2.7']) }, list: 'RBL', reason: 'open-proxy' }, { actor: 'bo', localFiles: true }));
    await check('listings.importFile');
    const qil = await ok(core.dispatch('listings.add', { range: '45.70.3.3', list: 'QIL', reason: 'botnet', level: 1, expires: at(5) }, ana));
    const mml = await ok(core.dispatch('listings.add', { range: '45.70.4.0/26', list: 'MML', reason: 'marketing' }, ana));
    await check('QIL and MML entries');
    await ok(core.dispatch('listings.edit', { action: 'suppress', id: rbl.listing.id, why: 'ISP cleans up', until: at(3) }, ana));
    await check('suppress');
    await ok(core.dispatch('listings.edit', { action: 'reassign', id: mml.listing.id, why: 'cover', investigator: 'bo' }, ana));
    await check('reassign');
    await ok(core.dispatch('listings.edit', { action: 'txt', id: mml.listing.id, why: 'clearer', txt: 'newsletters' }, ana));
    await ok(core.dispatch('listings.edit', { action: 'reason', id: qil.listing.id, why: 'more precise', reason: 'spam-source' }, ana));
    const moved = await ok(core.dispatch('listings.edit', { action: 'change-list', id: mml.listing.id, why: 'it is spam', list: 'RBL', reason: 'spam-source' }, ana));
    await check('change-list');
    await ok(core.dispatch('listings.delist', { id: moved.id, why: 'wrong after all' }, ana));
    await ok(core.dispatch('listings.edit', { action: 'relist', id: moved.id, why: 'it is spam after all' }, ana));
    await check('delist and relist');
    const page = await ok(core.dispatch('listings.query', { filter: { list: 'RBL' } }, ana));
    await ok(core.dispatch('listings.bulk', { action: 'reassign', investigator: 'ana', why: 'ana takes over', target: { ids: page.rows.map((row) => row.id) } }, ana));
    await ok(core.dispatch('listings.bulk', { action: 'suppress', until: at(30), why: 'review', target: { filter: { cidr: '45.70.1.0/24' } } }, ana));
    await ok(core.dispatch('listings.bulk', { action: 'extend', expires: at(50), why: 'still spamming', target: { ids: [qil.listing.id] } }, ana));
    await ok(core.dispatch('listings.bulk', { action: 'delist', why: 'gone', target: { filter: { cidr: '45.70.2.7' } } }, ana));
    await check('bulk actions');

    // DUL: two ISPs of one country overlap; a valid-until, an exclusion, a pending replace, an addition, a revert.
    await ok(core.dispatch('dul.commit', { file: { path: file('north.txt', ['45.71.0.0/22', '2a01:4f8:71::/48']) }, isp: 'North Cable', exclude: ['45.71.1.0/24'], validUntil: at(8) }, ana));
    await ok(core.dispatch('dul.commit', { file: { path: file('south.txt', ['45.71.2.0/23', '45.71.8.0/24']) }, isp: 'South Cable' }, ana));
    await ok(core.dispatch('dul.commit', { file: { path: file('east.txt', ['45.72.0.0/24']) }, isp: 'East Mobile' }, ana));
    await check('DUL commits');
    now = T0 + HOUR;
    await ok(core.dispatch('dul.commit', { file: { path: file('south2.txt', ['45.71.9.0/24']) }, isp: 'South Cable', effective: at(6) }, ana));
    const added = await ok(core.dispatch('dul.commit', { file: { path: file('east2.txt', ['45.72.1.0/24']) }, isp: 'East Mobile', mode: 'add' }, ana));
    await check('pending replace and an addition');
    await ok(core.dispatch('dul.revert', { id: added.submission.id }, ana));
    await check('revert');

    // QIL ingestion creates and extends; a delisting request removes temporarily, another delists.
    const iso = (time: number) => new Date(time).toISOString();
    await ok(core.dispatch('qil.ingest', { file: { path: file('hits.csv', ['timestamp,source,count,trap', ...Array.from({ length: 8 }, (_, index) => `${iso(now - 600_000 + index * 1000)},45.73.0.${index + 1},1,trap`)]) } }, ana));
    await check('QIL ingest');
    await ok(core.dispatch('qil.ingest', { file: { path: file('hits2.csv', ['timestamp,source,count,trap', `${iso(now - 1000)},45.73.0.1,5,trap`]) } }, ana));
    await check('QIL ingest extending');
    // 45.70.0.0/24 is removed until +3 h: a request for it closes itself; 45.70.4.0/26 (moved to RBL) is in force.
    assert.equal((await ok(core.dispatch('delisting.add', { ip: '45.70.0.9', requester: 'noc@45-70.example', reason: 'fixed' }, ana))).status, 'closed-unlisted');
    const request = await ok(core.dispatch('delisting.add', { ip: '45.70.4.9', requester: 'noc@45-70.example', reason: 'fixed' }, ana));
    const temporary = await ok(core.dispatch('delisting.add', { ip: '45.73.0.2', requester: 'noc@45-73.example', reason: 'fixed' }, ana));
    await ok(core.dispatch('delisting.decide', { id: temporary.id, decision: 'remove-temporarily', until: at(4), why: 'first time' }, ana));
    await check('temporary removal');
    await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'cleaned' }, ana));
    await check('delisting decision');

    // A GAL nomination approved over a blocklisted address delists it and creates the GAL entry.
    const nomination = await ok(
      core.dispatch('nominations.add', { mtas: [{ ip: '45.70.1.9', fqdn: 'mail.north.example', domain: 'north.example', company: 'North', country: 'Netherlands', companyType: 'ESP' }], contact: { email: 'a@north.example', firstName: 'A', lastName: 'B' } }, ana),
    );
    await ok(core.dispatch('nominations.decide', { id: nomination.id, decision: 'approve', why: 'verified', conflicts: { '45.70.1.9': 'delist' } }, ana));
    await check('nomination approved');

    // A spam sample's source listed from the sample.
    const sample = await ok(core.dispatch('samples.import', { files: [{ path: file('spam.eml', [spamMessage({ source: '45.74.0.9' })]) }] }, ana));
    await ok(core.dispatch('samples.createListing', { sampleId: sample.messages[0].sampleId as number }, ana));
    await check('listing from a sample');

    // An ISP moves country: its ranges move with it.
    await ok(core.dispatch('isps.update', { name: 'East Mobile', country: 'NL' }, ana));
    await check('an ISP changed country');

    // The clock: removals end (3 h, 4 h), the QIL entry lapses (5 h), the pending replace takes effect (6 h), a valid-until passes (8 h).
    const written = events();
    for (const hours of [3.5, 4.5, 5.5, 6.5, 8.5, 31, 60]) {
      now = T0 + hours * HOUR;
      await check(`the clock at +${hours} h`);
    }
    assert.equal(events(), written, 'the clock moved the figures with no history event');
    const final = await dashboard();
    assert.equal(final.lists.find((entry) => entry.list === 'DUL')?.active, 2, 'North Cable past its valid-until; South Cable its pending set only; East Mobile its first range');
    assert.ok((final.lists.find((entry) => entry.list === 'QIL')?.lapsed ?? 0) > 0, 'QIL entries lapsed and are counted so');
  });

  test('a bulk reassignment of 49 listings shows 49 on the new person', async () => {
    await ok(core.dispatch('listings.importFile', { file: { path: file('49.txt', Array.from({ length: 49 }, (_, index) => `45.75.0.${index + 1}`)) }, list: 'RBL', reason: 'spam-source' }, { actor: 'bo', localFiles: true }));
    const before = await dashboard();
    assert.equal(before.investigators.find((person) => person.name === 'bo')?.assigned, 49);
    const result = await ok(core.dispatch('listings.bulk', { action: 'reassign', investigator: 'ana', why: 'bo is away', target: { filter: { investigator: 'bo' } } }, ana));
    assert.equal(result.changed, 49);
    const after = await dashboard();
    assert.equal(after.investigators.find((person) => person.name === 'ana')?.assigned, 49);
    assert.equal(after.investigators.find((person) => person.name === 'ana')?.byList.RBL, 49);
    assert.equal(after.investigators.find((person) => person.name === 'bo')?.assigned ?? 0, 0);
    assertFiguresMatch(after, databasePath, now, 'after the reassignment');
  });

  test('"not yet published" counts listings changed since the last snapshot, per list, not batches', async () => {
    await ok(core.dispatch('listings.importFile', { file: { path: file('300.txt', Array.from({ length: 300 }, (_, index) => `45.76.${index >> 8}.${index & 255}`)) }, list: 'RBL', reason: 'spam-source' }, ana));
    const mml = await ok(core.dispatch('listings.add', { range: '45.77.0.0/24', list: 'MML', reason: 'marketing' }, ana));
    let view = await dashboard();
    assert.deepEqual([view.publishing.unpublishedChanges, view.publishing.unpublishedByList.RBL, view.publishing.unpublishedByList.MML], [301, 300, 1]);
    assert.equal(view.publishing.isUnpublishedCapped, false);
    const published = await ok(core.dispatch('publish.run', { out: join(folder, 'out') }, { actor: 'pat', localFiles: true }));
    assert.equal(published.published, true, JSON.stringify(published.safety));
    view = await dashboard();
    assert.equal(view.publishing.unpublishedChanges, 0);
    assert.equal(view.publishing.unpublishedSince, null);

    now = T0 + HOUR;
    const rbl = await ok(core.dispatch('listings.query', { filter: { list: 'RBL' }, limit: 3 }, ana));
    for (const row of rbl.rows) await ok(core.dispatch('listings.delist', { id: row.id, why: 'fixed' }, ana));
    // The same listing changed twice counts once; a reassignment changes nothing published.
    await ok(core.dispatch('listings.edit', { action: 'suppress', id: mml.listing.id, why: 'check', until: new Date(T0 + 5 * HOUR).toISOString() }, ana));
    await ok(core.dispatch('listings.edit', { action: 'relist', id: mml.listing.id, why: 'checked' }, ana));
    await ok(core.dispatch('listings.edit', { action: 'reassign', id: rbl.rows[0].id, why: 'cover', investigator: 'bo' }, ana));
    await ok(core.dispatch('dul.commit', { file: { path: file('north.txt', ['45.78.0.0/24', '45.78.1.0/24']) }, isp: 'North Cable' }, ana));
    view = await dashboard();
    assert.deepEqual(view.publishing.unpublishedByList, { RBL: 3, DUL: 2, QIL: 0, MML: 1, GAL: 0 });
    assert.equal(view.publishing.unpublishedChanges, 6);
    assert.equal(view.publishing.unpublishedSince, new Date(T0 + HOUR).toISOString());
  });

  test('a range claimed by two ISPs of one country counts once for that country', async () => {
    await ok(core.dispatch('dul.commit', { file: { path: file('north.txt', ['45.79.0.0/24', '2a01:4f8:79::/48']) }, isp: 'North Cable' }, ana));
    await ok(core.dispatch('dul.commit', { file: { path: file('south.txt', ['45.79.0.0/24', '45.79.1.0/25', '2a01:4f8:79::/48']) }, isp: 'South Cable' }, ana));
    const view = await dashboard();
    const nl = view.countries.find((country) => country.country === 'NL');
    assert.deepEqual(nl && [nl.entries, nl.ipv4Addresses, nl.ipv6Slash64s], [5, '384', '65536']);
    assert.deepEqual(nl?.isps.map((isp) => [isp.name, isp.ipv4Addresses]), [['South Cable', '384'], ['North Cable', '256']]);
    assertFiguresMatch(view, databasePath, now, 'two ISPs of one country');
    // South Cable moves to Belgium: the Netherlands keep North Cable's range, Belgium gets South Cable's.
    await ok(core.dispatch('isps.update', { name: 'South Cable', country: 'BE' }, ana));
    const moved = await dashboard();
    assert.deepEqual(moved.countries.map((country) => [country.country, country.ipv4Addresses]).sort(), [['BE', '384'], ['NL', '256']]);
    assertFiguresMatch(moved, databasePath, now, 'after the move');
  });

  test('the clock moves entries out of "active" and back, with no write: expiry, removal ended, effective date', async () => {
    await ok(core.dispatch('listings.add', { range: '45.80.0.1', list: 'QIL', reason: 'botnet', level: 2, expires: at(2) }, ana));
    const rbl = await ok(core.dispatch('listings.add', { range: '45.80.1.0/24', list: 'RBL', reason: 'spam-source' }, ana));
    await ok(core.dispatch('listings.edit', { action: 'suppress', id: rbl.listing.id, why: 'cleanup', until: at(3) }, ana));
    await ok(core.dispatch('dul.commit', { file: { path: file('north.txt', ['45.80.2.0/24']) }, isp: 'North Cable', effective: at(4) }, ana));
    const active = async () => Object.fromEntries((await dashboard()).lists.map((entry) => [entry.list, entry.active]));
    assert.deepEqual(await active(), { RBL: 0, DUL: 0, QIL: 1, MML: 0, GAL: 0 });
    const written = events();
    now = T0 + 2.5 * HOUR;
    assert.deepEqual(await active(), { RBL: 0, DUL: 0, QIL: 0, MML: 0, GAL: 0 });
    now = T0 + 3.5 * HOUR;
    assert.deepEqual(await active(), { RBL: 1, DUL: 0, QIL: 0, MML: 0, GAL: 0 });
    now = T0 + 4.5 * HOUR;
    assert.deepEqual(await active(), { RBL: 1, DUL: 1, QIL: 0, MML: 0, GAL: 0 });
    assertFiguresMatch(await dashboard(), databasePath, now, 'after the clock');
    assert.equal(events(), written, 'no history event for what the clock did');
    // And back: a test clock may go back; the figures follow it.
    now = T0 + HOUR;
    assert.deepEqual(await active(), { RBL: 0, DUL: 0, QIL: 1, MML: 0, GAL: 0 });
  });
});
