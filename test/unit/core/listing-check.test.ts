/** `listings.check`: what a new listing would store, answer and warn about, computed without writing anything. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCore, type Core } from '../../../main/core/app.js';
import type { ListingCheck } from '../../../shared/listing-check.js';

let folder: string;
let databasePath: string;
let core: Core;
const NOW = new Date(Date.UTC(2026, 5, 1, 12));

async function check(input: Record<string, unknown>): Promise<ListingCheck> {
  const result = await core.dispatch('listings.check', input, { actor: 'Ana' });
  if (!result.ok) assert.fail(result.error.message);
  return result.value;
}

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-listing-check-'));
  databasePath = join(folder, 'repdesk.sqlite');
  core = createCore({ databasePath, now: () => NOW });
  assert.ok((await core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator', 'reviewer', 'liaison'] }, { actor: null })).ok);
  for (const [range, list, reason] of [
    ['81.2.0.0/16', 'RBL', 'spam-source'],
    ['81.2.3.0/24', 'DUL', 'dynamic'],
    ['81.2.3.25', 'GAL', 'approved'],
  ]) {
    const added = await core.dispatch('listings.add', { range, list, reason }, { actor: 'Ana' });
    assert.ok(added.ok, added.ok ? '' : added.error.message);
  }
});

after(() => {
  core.close();
  rmSync(folder, { recursive: true, force: true });
});

test('shows the normalised range, its CIDR blocks and the answer with $ replaced; writes nothing', async () => {
  const handle = new Database(databasePath, { readonly: true });
  const before = handle.prepare('SELECT count(*) AS listings, (SELECT count(*) FROM events) AS events FROM listings').get();
  const hostBits = await check({ range: '45.6.7.8/24', list: 'RBL', reason: 'spam-source', txt: 'Spam from $' });
  assert.equal(hostBits.range, '45.6.7.0/24');
  assert.match(hostBits.notes.join('\n'), /host bits/);
  assert.deepEqual(hostBits.cidrs, ['45.6.7.0/24']);
  assert.equal(hostBits.answer.a, '127.0.0.2');
  assert.equal(hostBits.answer.queriedAddress, '45.6.7.0');
  assert.match(hostBits.answer.txt, /^RBL: Spam source - Spam from 45\.6\.7\.0; see /);
  assert.deepEqual(hostBits.warnings, []);
  assert.deepEqual(hostBits.problems, []);
  const split = await check({ range: '45.6.7.8-45.6.7.20', list: 'RBL', reason: 'spam-source' });
  assert.equal(split.range, '45.6.7.8-45.6.7.20');
  assert.deepEqual(split.cidrs, ['45.6.7.8/29', '45.6.7.16/30', '45.6.7.20/32']);
  assert.equal(split.addressCount, '13');
  assert.deepEqual(handle.prepare('SELECT count(*) AS listings, (SELECT count(*) FROM events) AS events FROM listings').get(), before);
  handle.close();
});

test('warns of overlapping listings (which), GAL entries, a duplicate and a block wider than publishing allows; names special-purpose space as refused', async () => {
  const overlap = await check({ range: '81.2.3.0/25', list: 'RBL', reason: 'open-relay' });
  const kinds = Object.fromEntries(overlap.warnings.map((warning) => [warning.kind, warning]));
  assert.deepEqual(Object.keys(kinds).sort(), ['gal', 'overlap']);
  assert.deepEqual(kinds.overlap.listings.map((listing) => `${listing.list} ${listing.range}`), ['RBL 81.2.0.0/16', 'DUL 81.2.3.0/24']);
  assert.deepEqual(kinds.gal.listings.map((listing) => listing.range), ['81.2.3.25']);
  const duplicate = await check({ range: '81.2.0.0/16', list: 'RBL', reason: 'spam-source' });
  assert.match(duplicate.warnings.find((warning) => warning.kind === 'duplicate')?.message ?? '', /already listed on RBL as #1/);
  const special = await check({ range: '10.1.0.0/16', list: 'RBL', reason: 'spam-source' });
  assert.match(special.problems.join('\n'), /10\.1\.0\.0\/16 overlaps 10\.0\.0\.0\/8, private/, 'special-purpose space is named as what the save refuses');
  const wide = await check({ range: '23.0.0.0/7', list: 'RBL', reason: 'spam-source' });
  assert.match(wide.warnings.find((warning) => warning.kind === 'too-wide')?.message ?? '', /22\.0\.0\.0\/7 is wider than the publish limit \/8/);
});

test('names what the save would refuse instead of failing: a reason not on the list, a bad TXT, a level off QIL; QIL takes the defaults', async () => {
  const refused = await check({ range: '45.1.1.1', list: 'DUL', reason: 'spam-source', txt: 'costs $1', level: 2 });
  assert.equal(refused.problems.length, 3);
  assert.match(refused.problems[0], /reason spam-source does not belong on DUL/);
  assert.match(refused.problems[1], /cannot contain "\$1"/);
  assert.match(refused.problems[2], /--level applies to QIL entries only/);
  const qil = await check({ range: '45.1.1.1', list: 'QIL', reason: 'botnet' });
  assert.equal(qil.level, 2);
  assert.equal(qil.answer.a, '127.0.1.2');
  assert.equal(qil.expiresAt, new Date(NOW.getTime() + 24 * 3_600_000).toISOString());
  const bad = await core.dispatch('listings.check', { range: '45.1.1', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' });
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.error.message, /four decimal octets/);
});

test('overlaps are weighed by the one rule: an entry past its expiry is not in force and not warned about', async () => {
  const qil = await core.dispatch('listings.add', { range: '23.9.8.7', list: 'QIL', reason: 'botnet', level: 2, expires: new Date(NOW.getTime() + 3_600_000).toISOString() }, { actor: 'Ana' });
  assert.ok(qil.ok, qil.ok ? '' : qil.error.message);
  const fresh = await check({ range: '23.9.8.0/24', list: 'RBL', reason: 'spam-source' });
  assert.deepEqual(fresh.warnings.map((warning) => [warning.kind, warning.listings.map((listing) => listing.id)]), [['overlap', [qil.value.listing.id]]]);
  // An hour and more later the QIL entry has lapsed (still stored as active): nothing in force overlaps.
  const later = createCore({ databasePath, now: () => new Date(NOW.getTime() + 2 * 3_600_000) });
  try {
    const result = await later.dispatch('listings.check', { range: '23.9.8.0/24', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' });
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.deepEqual(result.value.warnings, []);
  } finally {
    later.close();
  }
});
