/**
 * The dashboard's materialised figures stay equal to a brute-force count of the listings table
 * through every kind of change: single adds and delists, file imports, DUL commits (replace and
 * add), reverts, QIL ingests, and a status change made behind the core's back (another process).
 * Also: per-day rollups, per-investigator and per-country figures, the publishing panel.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DashboardView } from '../../../shared/dashboard.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { foldDashboard, hasPendingChanges } from '../../../main/core/dashboard/counters.js';
import { assertFiguresMatch, bruteForce, lapsedCount } from '../support/dashboard-truth.js';
import { mulberry32, pick, randomInt, type Random } from '../support/random.js';
import { ok } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const DAY = 86_400_000;
const ADMIN: CallContext = { actor: 'admin', localFiles: true };
const IVAN: CallContext = { actor: 'ivan', localFiles: true };

/** A range from a small, much-overlapping pool: /32s to /22s in 11.7.0.0/16, singles to /56s in 2a01:4f8::/40. */
function randomRange(random: Random): string {
  if (random() < 0.75) {
    const prefix = randomInt(random, 22, 32);
    const base = (11 << 24) | (7 << 16) | randomInt(random, 0, 0xffff);
    const size = 2 ** (32 - prefix);
    const first = Math.floor((base >>> 0) / size) * size;
    return `${[first >>> 24, (first >>> 16) & 255, (first >>> 8) & 255, first & 255].join('.')}/${prefix}`;
  }
  const kind = randomInt(random, 0, 2);
  const group = randomInt(random, 0, 255).toString(16);
  if (kind === 0) return `2a01:4f8:${group}::${randomInt(random, 1, 0xffff).toString(16)}`;
  if (kind === 1) return `2a01:4f8:${group}:${randomInt(random, 0, 3).toString(16)}::/64`;
  return `2a01:4f8:${group}::/${pick(random, [56, 60, 62])}`;
}

describe('dashboard counters', () => {
  let folder: string;
  let databasePath: string;
  let core: Core;
  let now: number;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-dashboard-'));
    databasePath = join(folder, 'repdesk.sqlite');
    now = NOW;
    core = createCore({ databasePath, now: () => new Date(now) });
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['admin', 'investigator', 'liaison', 'reviewer', 'publisher'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'ivan', roles: ['investigator'] }, ADMIN));
    await ok(core.dispatch('isps.add', { name: 'Example Net', country: 'de' }, ADMIN));
    await ok(core.dispatch('isps.add', { name: 'Other ISP', country: 'DE' }, ADMIN));
    await ok(core.dispatch('isps.add', { name: 'Third ISP', country: 'fr' }, ADMIN));
    await ok(core.dispatch('isps.add', { name: 'Nowhere ISP' }, ADMIN));
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

  async function dashboard(period: 'week' | 'month' | 'year' = 'month'): Promise<DashboardView> {
    return ok(core.dispatch('dashboard.get', { period }, IVAN));
  }

  async function assertMatchesBruteForce(step: string): Promise<DashboardView> {
    const view = await dashboard();
    assertFiguresMatch(view, databasePath, now, step);
    return view;
  }

  test('single adds and delists, in random order, match brute force after every step (also IPv6 /64 counting)', async () => {
    const random = mulberry32(20261128);
    const ids: number[] = [];
    for (let step = 0; step < 120; step += 1) {
      if (ids.length > 0 && random() < 0.3) {
        const [id] = ids.splice(randomInt(random, 0, ids.length - 1), 1);
        await ok(core.dispatch('listings.delist', { id, why: 'test' }, ADMIN));
      } else {
        const list = pick(random, ['RBL', 'RBL', 'MML', 'GAL'] as const);
        const reason = list === 'RBL' ? 'spam-source' : list === 'MML' ? 'marketing' : 'approved';
        const result = await core.dispatch('listings.add', { range: randomRange(random), list, reason }, random() < 0.5 ? ADMIN : list === 'GAL' ? ADMIN : IVAN);
        if (result.ok) ids.push(result.value.listing.id);
        else assert.equal(result.error.code, 'conflict', result.error.message);
      }
      if (step % 10 === 9) await assertMatchesBruteForce(`step ${step}`);
    }
    const view = await assertMatchesBruteForce('end');
    assert.ok(view.lists.some((entry) => entry.ipv6Slash64s !== '0') && view.lists.some((entry) => BigInt(entry.ipv4Addresses) > 1024n), 'the run covered both families');
  });

  test('imports, DUL replace/add/revert and QIL ingest keep the figures right; per-country and per-investigator figures follow', async () => {
    const random = mulberry32(77);
    const lines = Array.from({ length: 400 }, () => randomRange(random));
    await ok(core.dispatch('listings.importFile', { file: { path: file('rbl.txt', [...lines, lines[0]]) }, list: 'RBL', reason: 'open-proxy' }, IVAN));
    await assertMatchesBruteForce('import');

    const dulLines = (count: number) => Array.from({ length: count }, () => randomRange(random));
    const first = await ok(core.dispatch('dul.commit', { file: { path: file('dul1.txt', dulLines(300)) }, isp: 'Example Net' }, ADMIN));
    await assertMatchesBruteForce('DUL first commit');
    await ok(core.dispatch('dul.commit', { file: { path: file('dul2.txt', dulLines(200)) }, isp: 'Other ISP' }, ADMIN));
    await ok(core.dispatch('dul.commit', { file: { path: file('dul3.txt', ['11.8.0.0/16', '2a01:4f9::/48']) }, isp: 'Third ISP' }, ADMIN));
    await ok(core.dispatch('dul.commit', { file: { path: file('dul4.txt', ['11.9.0.0/24']) }, isp: 'Nowhere ISP' }, ADMIN));
    let view = await assertMatchesBruteForce('DUL other ISPs');
    const third = view.countries.find((country) => country.country === 'FR');
    assert.deepEqual(third && { entries: third.entries, v4: third.ipv4Addresses, v6: third.ipv6Slash64s }, { entries: 2, v4: '65536', v6: '65536' });
    assert.deepEqual(view.countries.find((country) => country.country === 'DE')?.isps.map((isp) => isp.name).sort(), ['Example Net', 'Other ISP']);
    assert.equal(view.countries.find((country) => country.country === null)?.ipv4Addresses, '256');

    const replace = await ok(core.dispatch('dul.commit', { file: { path: file('dul5.txt', dulLines(250)) }, isp: 'Example Net', mode: 'replace' }, ADMIN));
    assert.ok(replace.submission.id > first.submission.id);
    await assertMatchesBruteForce('DUL replace');
    await ok(core.dispatch('dul.commit', { file: { path: file('dul6.txt', dulLines(50)) }, isp: 'Example Net', mode: 'add' }, ADMIN));
    await assertMatchesBruteForce('DUL add');
    const latest = await ok(core.dispatch('isps.get', { name: 'Example Net' }, ADMIN));
    await ok(core.dispatch('dul.revert', { id: latest.submissions[0].id }, ADMIN));
    await assertMatchesBruteForce('DUL revert of the addition');
    await ok(core.dispatch('dul.revert', { id: replace.submission.id }, ADMIN));
    await assertMatchesBruteForce('DUL revert of the replace');

    const iso = (time: number) => new Date(time).toISOString();
    const hits = Array.from({ length: 60 }, (_, index) => `${iso(NOW - 3_600_000 + index * 30_000)},11.7.${index % 12}.${index % 7},1,trap`);
    const v6hits = Array.from({ length: 10 }, (_, index) => `${iso(NOW - 600_000 + index * 1000)},2a01:4f8:1::${index + 1},1,trap`);
    const ingest = await ok(core.dispatch('qil.ingest', { file: { path: file('hits.csv', ['timestamp,source,count,trap', ...hits, ...v6hits]) } }, ADMIN));
    assert.ok(ingest.created > 0);
    view = await assertMatchesBruteForce('QIL ingest');
    const qil = view.lists.find((entry) => entry.list === 'QIL');
    assert.equal(qil?.ipv6Slash64s, '1', 'ten QIL sources in one /64 count as one /64');
    now += 2 * 3_600_000;
    // Entries past their expiry are no longer active (the rule), with no write: counted apart as lapsed.
    const qilNow = (await assertMatchesBruteForce('two hours on')).lists.find((entry) => entry.list === 'QIL');
    assert.equal(qilNow?.lapsed, lapsedCount(databasePath, 'QIL', now));
    now += 30 * DAY;
    const monthOn = (await assertMatchesBruteForce('a month on')).lists.find((entry) => entry.list === 'QIL');
    assert.equal(monthOn?.active, 0, 'a month on, no QIL entry is active');
    assert.ok((monthOn?.lapsed ?? 0) > 0);
    assert.equal(monthOn?.lapsed, lapsedCount(databasePath, 'QIL', now));
    now -= 30 * DAY;
    await assertMatchesBruteForce('the clock back (a test clock may go back)');

    await ok(core.dispatch('qil.ingest', { file: { path: file('hits2.csv', ['timestamp,source,count,trap', ...hits.map((line) => line.replace(/^[^,]+/, iso(now - 60_000)))]) } }, ADMIN));
    await assertMatchesBruteForce('QIL ingest extending');

    const ivan = view.investigators.find((person) => person.name === 'ivan');
    assert.equal(ivan?.byList.RBL, bruteForce(databasePath, now).investigators.get('ivan'));
    assert.equal(ivan?.openRequests, 0, 'nothing is waiting for ivan yet');
    // A delisting request for an address on one of ivan's listings is routed to him.
    await ok(core.dispatch('listings.add', { range: '11.9.9.9', list: 'RBL', reason: 'spam-source' }, IVAN));
    const request = await ok(core.dispatch('delisting.add', { ip: '11.9.9.9', requester: 'postmaster@sender.example', reason: 'cleaned up' }, ADMIN));
    assert.equal(request.assignee, 'ivan');
    const after = await dashboard();
    assert.equal(after.investigators.find((person) => person.name === 'ivan')?.openRequests, 1, 'the routed request counts as open for ivan');
  });

  test('thousands of segments over many stored chunks: whole-scope rewrites (big batches) and chunk-local changes both match brute force', async () => {
    const random = mulberry32(4242);
    // Small ranges spread over 11.7.0.0/16 and 11.8.0.0/16: thousands of disjoint segments, so several chunks of 512.
    const smallRange = () => {
      if (random() < 0.3) {
        // IPv6: /60 to /128 in 2a01:4f8::/32, so thousands of /64 segments with 64-bit keys.
        const word = randomInt(random, 0, 0xffff).toString(16);
        const fourth = (randomInt(random, 0, 0xfff) * 16).toString(16);
        return pick(random, [`2a01:4f8:${word}:${fourth}::/60`, `2a01:4f8:${word}:${fourth}::/64`, `2a01:4f8:${word}:${fourth}::${randomInt(random, 1, 0xffff).toString(16)}`]);
      }
      const base = ((11 << 24) | (randomInt(random, 7, 8) << 16) | randomInt(random, 0, 0xffff)) >>> 0;
      const prefix = randomInt(random, 28, 32);
      const size = 2 ** (32 - prefix);
      const first = Math.floor(base / size) * size;
      return `${[first >>> 24, (first >>> 16) & 255, (first >>> 8) & 255, first & 255].join('.')}/${prefix}`;
    };
    const bulk = Array.from({ length: 3000 }, smallRange);
    await ok(core.dispatch('listings.importFile', { file: { path: file('bulk.txt', bulk) }, list: 'RBL', reason: 'spam-source' }, IVAN));
    const chunks = (family: 4 | 6) => {
      const raw = new Database(databasePath, { readonly: true });
      try {
        return (raw.prepare("SELECT count(*) AS count FROM dashboard_segments WHERE scope = 'list:RBL' AND family = ?").get(family) as { count: number }).count;
      } finally {
        raw.close();
      }
    };
    await assertMatchesBruteForce('bulk import (whole-scope rewrite)');
    assert.ok(chunks(4) >= 4, `the RBL IPv4 union is stored in ${chunks(4)} chunks`);
    assert.ok(chunks(6) >= 2, `the RBL IPv6 union is stored in ${chunks(6)} chunks`);
    const ids: number[] = [];
    for (let step = 0; step < 60; step += 1) {
      if (random() < 0.5) {
        const result = await core.dispatch('listings.add', { range: random() < 0.2 ? `11.${randomInt(random, 7, 8)}.${randomInt(random, 0, 255)}.0/23` : smallRange(), list: 'RBL', reason: 'spam-source' }, IVAN);
        if (result.ok) ids.push(result.value.listing.id);
      } else {
        const id = ids.length > 0 && random() < 0.5 ? ids.splice(randomInt(random, 0, ids.length - 1), 1)[0] : randomInt(random, 1, 2500);
        const result = await core.dispatch('listings.delist', { id, why: 'test' }, IVAN);
        if (!result.ok) assert.equal(result.error.code, 'conflict', result.error.message);
      }
      if (step % 15 === 14) await assertMatchesBruteForce(`chunk-local step ${step}`);
    }
    // A DUL replace of a 1,500-range set by another delists them all in one statement: whole-scope on the way out.
    await ok(core.dispatch('dul.commit', { file: { path: file('big1.txt', [...new Set(Array.from({ length: 1500 }, smallRange))]) }, isp: 'Example Net' }, ADMIN));
    await assertMatchesBruteForce('big DUL commit');
    await ok(core.dispatch('dul.commit', { file: { path: file('big2.txt', [...new Set(Array.from({ length: 1400 }, smallRange))]) }, isp: 'Example Net', mode: 'replace' }, ADMIN));
    await assertMatchesBruteForce('big DUL replace');
    const latest = await ok(core.dispatch('isps.get', { name: 'Example Net' }, ADMIN));
    await ok(core.dispatch('dul.revert', { id: latest.submissions[0].id }, ADMIN));
    await assertMatchesBruteForce('big DUL revert');
  });

  test('a fold in many small steps (sparse ids, another writer meanwhile) gives the same figures', async () => {
    for (const [index, range] of ['11.7.0.0/24', '11.7.0.128/25', '11.7.1.1', '11.7.1.2', '2a01:4f8::/64', '11.7.3.0/30', '11.7.3.2'].entries()) {
      await ok(core.dispatch('listings.add', { range, list: index % 3 === 0 ? 'MML' : 'RBL', reason: index % 3 === 0 ? 'marketing' : 'spam-source' }, IVAN));
    }
    await dashboard();
    // Another writer adds listings (ids far apart) and delists one without the fold running.
    const other = new Database(databasePath);
    const investigator = (other.prepare("SELECT id FROM investigators WHERE name = 'ivan'").get() as { id: number }).id;
    const insert = other.prepare(`INSERT INTO listings (id, list, family, first, last, prefix, reason, investigator_id, created_at, updated_at)
      VALUES (?, 'RBL', 4, ?, ?, 32, 'spam-source', ?, ?, ?)`);
    const key = (address: number) => Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), Buffer.from([address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255])]);
    const at = new Date(now).toISOString();
    for (let index = 0; index < 40; index += 1) {
      const address = ((11 << 24) | (9 << 16) | (index * 3)) >>> 0;
      insert.run(1000 + index * (index % 5 === 0 ? 1000 : 7), key(address), key(address), investigator, at, at);
    }
    other.prepare("UPDATE listings SET status = 'delisted', updated_at = ? WHERE id = 1007").run(at);
    other.close();
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), true);
    const report = foldDashboard(core.connection.write, new Date(now), 7);
    assert.equal(report.listings, 40, 'every new listing folded once, over several steps');
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), false);
    await assertMatchesBruteForce('folded in steps of 7');
  });

  test('a status change made by another process is journalled by the trigger and counted', async () => {
    const added = await ok(core.dispatch('listings.add', { range: '11.7.0.0/24', list: 'RBL', reason: 'spam-source' }, IVAN));
    await ok(core.dispatch('listings.add', { range: '11.7.0.128/25', list: 'RBL', reason: 'spam-source' }, IVAN));
    assert.equal((await dashboard()).lists[0].ipv4Addresses, '256');
    const other = new Database(databasePath);
    other.prepare("UPDATE listings SET status = 'suppressed', updated_at = ? WHERE id = ?").run(new Date(NOW).toISOString(), added.listing.id);
    other.close();
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), true);
    const view = await assertMatchesBruteForce('external suppress');
    assert.equal(view.lists[0].ipv4Addresses, '128');
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), false);
  });

  test('writes fold the figures right after answering; per-day counts and change windows', async () => {
    const day = (offset: number) => new Date(NOW + offset * DAY).toISOString().slice(0, 10);
    now = NOW - 10 * DAY;
    const old = await ok(core.dispatch('listings.add', { range: '11.7.1.1', list: 'RBL', reason: 'spam-source' }, IVAN));
    now = NOW - 3 * DAY;
    await ok(core.dispatch('listings.add', { range: '11.7.1.2', list: 'RBL', reason: 'spam-source' }, IVAN));
    await ok(core.dispatch('listings.add', { range: '11.7.1.3', list: 'MML', reason: 'marketing' }, IVAN));
    now = NOW;
    await ok(core.dispatch('listings.add', { range: '11.7.1.4', list: 'RBL', reason: 'spam-source' }, IVAN));
    await ok(core.dispatch('listings.delist', { id: old.listing.id, why: 'fixed' }, IVAN));
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), true, 'nothing folded before the answer');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), false, 'folded once the answer was out');

    const view = await dashboard('week');
    const rbl = view.lists.find((entry) => entry.list === 'RBL');
    assert.deepEqual(rbl?.change.day, { from: day(0), listed: 1, delisted: 1 });
    assert.deepEqual(rbl?.change.week, { from: day(-6), listed: 2, delisted: 1 });
    assert.deepEqual(rbl?.change.month, { from: day(-29), listed: 3, delisted: 1 });
    assert.equal(view.series.days.length, 7);
    assert.equal(view.series.days[6], day(0));
    assert.deepEqual(view.series.listed.RBL, [0, 0, 0, 1, 0, 0, 1]);
    assert.deepEqual(view.series.delisted.RBL, [0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(view.series.listed.MML, [0, 0, 0, 1, 0, 0, 0]);
    const year = await dashboard('year');
    assert.equal(year.series.days.length, 365);
    assert.equal(year.series.listed.RBL.reduce((sum, count) => sum + count, 0), 3);
  });

  test('a core that wrote leaves the figures current when it closes (the CLI after an import), and after a job a fold worker catches up', async () => {
    await ok(core.dispatch('listings.importFile', { file: { path: file('b.txt', ['11.7.0.0/24', '11.7.0.9']) }, list: 'RBL', reason: 'spam-source' }, IVAN));
    core.close();
    const raw = new Database(databasePath, { readonly: true });
    const state = raw.prepare('SELECT folded_max_id AS folded, (SELECT max(id) FROM listings) AS max FROM dashboard_state').get() as { folded: number; max: number };
    raw.close();
    assert.equal(state.folded, state.max);
    core = createCore({ databasePath, now: () => new Date(now) });
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), false);

    const job = await ok(core.dispatch('jobs.start', { operation: 'listings.importFile', input: { file: { path: file('c.txt', ['11.7.1.0/24']) }, list: 'MML', reason: 'marketing' } }, IVAN));
    let view = await ok(core.dispatch('jobs.get', { id: job.id }, IVAN));
    while (view.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      view = await ok(core.dispatch('jobs.get', { id: job.id }, IVAN));
    }
    assert.equal(view.state, 'done', JSON.stringify(view.error));
    // The job's worker does not fold; once it has exited, a fold worker of the core does, off the main thread.
    const deadline = Date.now() + 20_000;
    while (hasPendingChanges(core.connection.read, new Date(now)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), false, 'the fold worker brought the figures up to date');
    const figures = await assertMatchesBruteForce('after the job');
    assert.equal(figures.lists.find((entry) => entry.list === 'MML')?.ipv4Addresses, '256');
  });

  test('while another writer holds the database, the dashboard still opens, marked as behind', async () => {
    await ok(core.dispatch('listings.add', { range: '11.7.3.0/24', list: 'RBL', reason: 'spam-source' }, IVAN));
    await new Promise((resolve) => setImmediate(resolve));
    const other = new Database(databasePath);
    other.prepare("INSERT INTO listings (list, family, first, last, prefix, reason, investigator_id, created_at, updated_at) SELECT list, family, first, last, prefix, reason, investigator_id, created_at, updated_at FROM listings WHERE id = (SELECT max(id) FROM listings)").run();
    other.exec('BEGIN IMMEDIATE');
    try {
      const view = await dashboard();
      assert.equal(view.isBehind, true);
      assert.equal(view.lists[0].active, 1, 'the figures as of the last fold');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const view = await dashboard();
    assert.equal(view.isBehind, false);
    assert.equal(view.lists[0].active, 2);
    assert.equal(view.lists[0].ipv4Addresses, '256');
  });

  test('publishing panel: nothing published, then unpublished changes counted since the last snapshot', async () => {
    let view = await dashboard();
    assert.equal(view.publishing.latest, null);
    assert.equal(view.publishing.unpublishedChanges, 0);
    await ok(core.dispatch('listings.add', { range: '11.7.2.1', list: 'RBL', reason: 'spam-source' }, IVAN));
    view = await dashboard();
    assert.equal(view.publishing.unpublishedChanges, 1);
    assert.equal(view.publishing.unpublishedSince, new Date(NOW).toISOString());
  });

  test('figures of a database that had listings before the dashboard existed are built on first open', async () => {
    await ok(core.dispatch('listings.importFile', { file: { path: file('a.txt', ['11.7.0.0/20', '11.7.3.0/24', '2a01:4f8::/56']) }, list: 'RBL', reason: 'spam-source' }, IVAN));
    core.close();
    const raw = new Database(databasePath);
    raw.exec('DELETE FROM dashboard_segments; DELETE FROM dashboard_totals; DELETE FROM dashboard_daily; DELETE FROM dashboard_isp_countries; UPDATE dashboard_state SET folded_max_id = 0, folded_at = NULL');
    raw.close();
    core = createCore({ databasePath, now: () => new Date(now) });
    const view = await assertMatchesBruteForce('rebuilt');
    assert.equal(view.lists[0].ipv4Addresses, '4096');
    assert.equal(view.lists[0].ipv6Slash64s, '256');
  });
});
