/**
 * `repdesk qil ingest` and `repdesk qil score` through the command line, and exact expiry seen
 * through `repdesk publish`: a QIL entry whose time has passed is not in the next snapshot,
 * and its record keeps its history.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListingView } from '../../shared/listings.js';
import type { QilIngestSummary, QilScoreView } from '../../shared/qil.js';
import { describeRun, repdesk, repdeskJson } from './support/cli.js';

describe('repdesk qil', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-qil-'));
  const database = join(folder, 'repdesk.sqlite');
  const db = ['--db', database];
  const investigator = [...db, '--actor', 'ann'];
  const iso = (time: number) => new Date(time).toISOString();

  function hitFile(name: string, lines: readonly string[]): string {
    const path = join(folder, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  }

  before(async () => {
    for (const args of [
      ['investigator', 'add', 'ann', '--roles', 'admin,investigator'],
      ['--actor', 'ann', 'investigator', 'add', 'pat', '--roles', 'publisher'],
      ['--actor', 'ann', 'keygen', '--out', join(folder, 'team.key'), '--unencrypted'],
    ]) {
      const run = await repdesk([...db, ...args]);
      assert.equal(run.code, 0, describeRun(run));
    }
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test('ingest prints what it did; the same file again changes nothing', async () => {
    const now = Date.now();
    const path = hitFile('hits.csv', ['timestamp,source,count,trap', `${iso(now - 60_000)},11.40.0.1,1,trap-1`, `${iso(now - 30_000)},11.40.0.2,4,trap-2`]);
    const first = await repdesk([...investigator, 'qil', 'ingest', path]);
    assert.equal(first.code, 0, describeRun(first));
    assert.deepEqual(first.out, ['ingested 2 new trap hit lines (0 already stored) from 2 sources: 3 QIL listings created, 0 extended']);
    const again = await repdeskJson<QilIngestSummary>([...investigator, 'qil', 'ingest', path]);
    assert.deepEqual(again, { observations: 0, repeated: 2, sources: 2, created: 0, extended: 0, notes: [], notesOmitted: 0 });
    const score = await repdeskJson<QilScoreView>([...db, 'qil', 'score', '11.40.0.2']);
    assert.equal(score.level, 3);
    assert.deepEqual(score.levels.map((level) => level.listed), [false, false, true, true]);
    const text = await repdesk([...db, 'qil', 'score', '11.40.0.1']);
    assert.match(text.out[0], /^11\.40\.0\.1: 1 trap hit, score 0\.\d+$/);
    assert.match(text.out[1], /^ {2}QIL level 4 until \d{4}-/);
  });

  test('bad lines: exit 1 with line numbers; wrong role: exit 1; no file argument: exit 2', async () => {
    const path = hitFile('bad.csv', [`${iso(Date.now())},11.40.0.9,1`, 'not-a-time,11.40.0.9,1', `${iso(Date.now())},300.1.1.1,1`]);
    const bad = await repdesk([...investigator, 'qil', 'ingest', path]);
    assert.equal(bad.code, 1, describeRun(bad));
    assert.match(bad.error[0], /bad\.csv: 2 bad lines; nothing was ingested/);
    assert.match(bad.error[1], /^ {2}line 2: /);
    assert.match(bad.error[2], /^ {2}line 3: /);
    const lookup = await repdeskJson<{ listings: ListingView[] }>([...db, 'lookup', '11.40.0.9']);
    assert.equal(lookup.listings.length, 0);
    const publisher = await repdesk([...db, '--actor', 'pat', 'qil', 'ingest', hitFile('ok.csv', [`${iso(Date.now())},11.40.0.8,1`])]);
    assert.equal(publisher.code, 1, describeRun(publisher));
    assert.equal((await repdesk([...investigator, 'qil', 'ingest'])).code, 2);
  });

  test('expiry is exact: a lapsed entry leaves the next snapshot and keeps its history', async () => {
    // Listings of two seconds (level 4) so the test can watch one lapse.
    const short = await repdesk([...investigator, 'settings', 'set', 'qil', JSON.stringify({ listHours: [0.0004, 0.0004, 0.0004, 0.0006], maxHours: [0.0004, 0.0004, 0.0004, 0.0006] })]);
    assert.equal(short.code, 0, describeRun(short));
    const ingest = await repdeskJson<QilIngestSummary>([...investigator, 'qil', 'ingest', hitFile('short.csv', [`${iso(Date.now())},11.41.0.1,1`])]);
    assert.equal(ingest.created, 1);
    const [listing] = (await repdeskJson<{ listings: ListingView[] }>([...db, 'lookup', '11.41.0.1'])).listings;
    const publish = [...db, '--actor', 'pat', 'publish', '--out', join(folder, 'out'), '--key', join(folder, 'team.key')];
    const before = await repdesk(publish);
    assert.equal(before.code, 0, describeRun(before));
    assert.match(readFileSync(join(folder, 'out', 'current', 'qil.ip4trie'), 'utf8'), /^11\.41\.0\.1(\/32)?\s/m);

    const wait = Date.parse(listing.expiresAt ?? '') - Date.now();
    assert.ok(wait > 0 && wait <= 2200, `expires in ${wait} ms`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, wait + 50));
    const afterExpiry = await repdesk(publish);
    assert.equal(afterExpiry.code, 0, describeRun(afterExpiry));
    assert.doesNotMatch(readFileSync(join(folder, 'out', 'current', 'qil.ip4trie'), 'utf8'), /^11\.41\.0\.1(\/32)?\s/m);
    const shown = await repdeskJson<ListingView & { history: Array<{ action: string }> }>([...db, 'listing', 'show', String(listing.id)]);
    assert.equal(shown.expiresAt, listing.expiresAt);
    assert.deepEqual(shown.history.map((event) => event.action), ['qil.listed']);
  });
});
