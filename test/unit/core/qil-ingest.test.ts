import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ListingView } from '../../../shared/listings.js';
import type { QilIngestSummary } from '../../../shared/qil.js';
import { defaultSettings } from '../../../shared/settings.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { ok } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const HOUR = 3_600_000;
const policy = defaultSettings().qil;

const iso = (time: number) => new Date(time).toISOString();

describe('QIL ingest', () => {
  let folder: string;
  let databasePath: string;
  let core: Core;
  let now: number;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-qil-'));
    databasePath = join(folder, 'repdesk.sqlite');
    now = NOW;
    core = createCore({ databasePath, now: () => new Date(now) });
    await ok(core.dispatch('investigators.add', { name: 'Ann', roles: ['admin', 'investigator', 'reviewer'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'Pat', roles: ['publisher'] }, { actor: 'Ann', localFiles: true }));
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

  function tables(): unknown {
    const database = new Database(databasePath, { readonly: true });
    try {
      return {
        observations: database.prepare('SELECT * FROM qil_observations ORDER BY source, at, trap, count').all(),
        sources: database.prepare('SELECT * FROM qil_sources ORDER BY source').all(),
        listings: database.prepare('SELECT * FROM listings ORDER BY id').all(),
        events: database.prepare('SELECT id, hash FROM events ORDER BY id').all(),
      };
    } finally {
      database.close();
    }
  }

  async function qilListings(ip: string): Promise<ListingView[]> {
    const result = await ok(core.dispatch('lookup', { ip }, { actor: 'Ann', localFiles: true }));
    return result.listings.filter((listing) => listing.list === 'QIL').sort((a, b) => (a.level ?? 0) - (b.level ?? 0));
  }

  test('ingests, lists per level, and the same file twice changes nothing', async () => {
    const sustained = Array.from({ length: 12 }, (_, index) => `${iso(NOW - 3 * HOUR + index * 15 * 60_000)},11.2.3.4,1,trap-a`);
    const path = file('hits.csv', ['timestamp,source,count,trap', `${iso(NOW - HOUR)},11.9.9.9,1`, ...sustained, `${Math.floor(NOW / 1000) - 60},2001:db9::1,1,trap-b`]);
    const first = await ok<QilIngestSummary>(core.dispatch('qil.ingest', { file: { path: path } }, { actor: 'Ann', localFiles: true }));
    assert.deepEqual({ ...first, notes: undefined }, { observations: 14, repeated: 0, sources: 3, created: 6, extended: 0, notes: undefined, notesOmitted: 0 });
    assert.deepEqual((await qilListings('11.9.9.9')).map((listing) => listing.level), [4]);
    const sustainedListings = await qilListings('11.2.3.4');
    assert.deepEqual(sustainedListings.map((listing) => listing.level), [1, 2, 3, 4]);
    assert.ok(sustainedListings.every((listing) => listing.investigator === 'Ann' && listing.reason === 'spam-source' && listing.status === 'active'));
    assert.equal((await qilListings('2001:db9::1')).length, 1);

    const before = tables();
    const second = await ok<QilIngestSummary>(core.dispatch('qil.ingest', { file: { path: path } }, { actor: 'Ann', localFiles: true }));
    assert.equal(second.observations, 0);
    assert.equal(second.repeated, 14);
    assert.deepEqual(tables(), before, 'the second ingest of the same file changed the database');

    const history = await ok(core.dispatch('listings.history', { id: sustainedListings[0].id }, { actor: 'Ann', localFiles: true }));
    assert.deepEqual(history.map((event) => event.action), ['qil.listed']);
  });

  test('new spam extends the listing, recorded in its history; score view follows', async () => {
    await ok(core.dispatch('qil.ingest', { file: { path: file('a.csv', [`${iso(NOW - HOUR)},11.9.9.9,1`]) } }, { actor: 'Ann', localFiles: true }));
    const [listing] = await qilListings('11.9.9.9');
    assert.equal(listing.expiresAt, iso(NOW - HOUR + policy.listHours[3] * HOUR));
    now = NOW + HOUR;
    const summary = await ok(core.dispatch('qil.ingest', { file: { path: file('b.csv', [`${iso(NOW)},11.9.9.9,1`]) } }, { actor: 'Ann', localFiles: true }));
    assert.equal(summary.extended, 1);
    const [extended] = await qilListings('11.9.9.9');
    assert.equal(extended.id, listing.id);
    assert.equal(extended.expiresAt, iso(NOW - HOUR + 2 * policy.listHours[3] * HOUR));
    const history = await ok(core.dispatch('listings.history', { id: listing.id }, { actor: 'Ann', localFiles: true }));
    assert.deepEqual(history.map((event) => event.action), ['qil.extended', 'qil.listed']);
    assert.equal(history[0].details.to, extended.expiresAt);

    const score = await ok(core.dispatch('qil.score', { ip: '11.9.9.9' }, { actor: null }));
    assert.equal(score.hits, 2);
    assert.equal(score.level, 4);
    assert.equal(score.expiresAt, extended.expiresAt);
    assert.deepEqual(score.points.map((point) => point.at), [iso(NOW - HOUR), iso(NOW), iso(NOW + HOUR)]);
    assert.ok(score.points[1].score > score.points[0].score && score.points[2].score < score.points[1].score);
  });

  test('a hit older than the stored ones is replayed in time order', async () => {
    await ok(core.dispatch('qil.ingest', { file: { path: file('late.csv', [`${iso(NOW - HOUR)},11.9.9.9,1`]) } }, { actor: 'Ann', localFiles: true }));
    await ok(core.dispatch('qil.ingest', { file: { path: file('early.csv', [`${iso(NOW - 2 * HOUR)},11.9.9.9,1`]) } }, { actor: 'Ann', localFiles: true }));
    const [listing] = await qilListings('11.9.9.9');
    // Replayed in order: the first hit lists at NOW-2h, the second extends by another listing time.
    assert.equal(listing.expiresAt, iso(NOW - 2 * HOUR + 2 * policy.listHours[3] * HOUR));
  });

  test('a GAL sender is tolerated at level 3 where another is listed', async () => {
    await ok(core.dispatch('listings.add', { range: '11.5.0.0/16', list: 'GAL', reason: 'approved' }, { actor: 'Ann', localFiles: true }));
    const hits = (ip: string) => Array.from({ length: 4 }, (_, index) => `${iso(NOW - HOUR + index * 60_000)},${ip},1`);
    await ok(core.dispatch('qil.ingest', { file: { path: file('g.csv', [...hits('11.5.1.1'), ...hits('11.6.1.1')]) } }, { actor: 'Ann', localFiles: true }));
    assert.deepEqual((await qilListings('11.5.1.1')).map((listing) => listing.level), [4]);
    assert.deepEqual((await qilListings('11.6.1.1')).map((listing) => listing.level), [3, 4]);
    const score = await ok(core.dispatch('qil.score', { ip: '11.5.1.1' }, { actor: null }));
    assert.equal(score.rating, 'GAL');
  });

  test('bad lines are reported with their numbers and nothing is ingested', async () => {
    const before = tables();
    const path = file('bad.csv', [
      'timestamp,source,count,trap',
      `${iso(NOW - HOUR)},11.9.9.9,1`,
      `yesterday,11.9.9.8,1`,
      `${iso(NOW - HOUR)},11.9.9,1`,
      `${iso(NOW - HOUR)},11.9.9.7,0`,
      `${iso(NOW + 2 * HOUR)},11.9.9.6,1`,
      `${iso(NOW - HOUR)},11.9.9.5`,
      `${iso(NOW - HOUR)},11.9.9.4,1,trap with spaces`,
    ]);
    const result = await core.dispatch('qil.ingest', { file: { path: path } }, { actor: 'Ann', localFiles: true });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.match(result.error.message, /6 bad lines; nothing was ingested/);
    assert.deepEqual(result.error.details?.map((detail) => detail.split(':')[0]), ['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8']);
    assert.deepEqual(tables(), before);
  });

  test('only an investigator ingests', async () => {
    const path = file('hits.csv', [`${iso(NOW - HOUR)},11.9.9.9,1`]);
    const result = await core.dispatch('qil.ingest', { file: { path: path } }, { actor: 'Pat', localFiles: true });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.code, 'forbidden');
  });

  test('runs as a background job', async () => {
    // A job's worker runs on the real clock (only tests pass cores a clock): the hit is an hour before now, whatever today is.
    const path = file('hits.csv', [`${iso(Date.now() - HOUR)},11.9.9.9,1`]);
    const job = await ok(core.dispatch('jobs.start', { operation: 'qil.ingest', input: { file: { path } } }, { actor: 'Ann', localFiles: true }));
    const finished = await core.jobs.wait(job.id);
    assert.equal(finished.state, 'done', JSON.stringify(finished.error));
    assert.equal((finished.result as QilIngestSummary).created, 1);
  });
});
