/**
 * `repdesk listings find|bulk|export` and `repdesk search` as an investigator uses them: filters
 * and sorts, a bulk change over a filter (one event per listing), a refused one (exit 1, nothing
 * changed), a formula-safe CSV file, usage errors (exit 2) and --help.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BulkResult, ListingTableRow, TextHit } from '../../shared/workbench.js';
import { describeRun, repdesk, repdeskJson } from './support/cli.js';

describe('repdesk listings / search', () => {
  let folder: string;
  let database: string;
  const as = (actor: string, ...args: string[]) => ['--db', database, '--actor', actor, ...args];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-workbench-'));
    database = join(folder, 'repdesk.sqlite');
    for (const args of [
      ['investigator', 'add', 'ann', '--roles', 'investigator'],
      ['investigator', 'add', 'ben', '--roles', 'investigator'],
      ['listing', 'add', '82.0.2.0/24', '--list', 'RBL', '--reason', 'spam-source', '--txt', '@evil snowshoe'],
      ['listing', 'add', '82.0.2.9', '--list', 'RBL', '--reason', 'open-relay', '--txt', 'relay on port 25'],
      ['listing', 'add', '88.51.100.0/25', '--list', 'MML', '--reason', 'marketing'],
    ]) {
      const run = await repdesk(as('ann', ...args));
      assert.equal(run.code, 0, describeRun(run));
    }
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('find by contained IP, overlapping CIDR and text, sorted', async () => {
    const found = await repdeskJson<{ total: number; listings: ListingTableRow[] }>(as('ann', 'listings', 'find', '--ip', '82.0.2.9', '--sort', 'range.asc'));
    assert.equal(found.total, 2);
    assert.deepEqual(found.listings.map((row) => row.range), ['82.0.2.0/24', '82.0.2.9']);
    const overlapping = await repdeskJson<{ listings: ListingTableRow[] }>(as('ann', 'listings', 'find', '--cidr', '88.51.100.100-88.51.100.200', '--list', 'mml'));
    assert.deepEqual(overlapping.listings.map((row) => row.range), ['88.51.100.0/25']);
    const text = await repdesk(as('ann', 'listings', 'find', '--q', 'snowshoe'));
    assert.equal(text.code, 0, describeRun(text));
    assert.match(text.out[0], /^#1\tRBL\t82\.0\.2\.0\/24\tactive\tspam-source\tann\t/);
    assert.equal(text.out[1], '1 shown of 1 matching');
    const hits = await repdeskJson<TextHit[]>(as('ann', 'search', 'relay'));
    assert.deepEqual(hits.map((hit) => [hit.kind, hit.listingIds]), [['listing', [2]]]);
  });

  test('a bulk change over a filter writes one event per listing; a refused one changes nothing', async () => {
    const refused = await repdesk(as('ann', 'listings', 'bulk', 'reassign', '--list', 'RBL', '--why', 'handover', '--investigator', 'nobody'));
    assert.equal(refused.code, 1, describeRun(refused));
    assert.match(refused.error.join('\n'), /no one is named "nobody"/);
    const result = await repdeskJson<BulkResult>(as('ann', 'listings', 'bulk', 'reassign', '--list', 'RBL', '--why', 'handover', '--investigator', 'ben'));
    assert.deepEqual([result.changed, result.skipped], [2, 0]);
    const mine = await repdeskJson<{ listings: ListingTableRow[] }>(as('ann', 'listings', 'find', '--investigator', 'ben'));
    assert.equal(mine.listings.length, 2);
    const shown = await repdesk(as('ann', 'listing', 'show', '1'));
    assert.match(shown.out.join('\n'), /listing\.reassigned/);
  });

  test('export writes a CSV a spreadsheet cannot run', async () => {
    const path = join(folder, 'out.csv');
    const run = await repdesk(as('ann', 'listings', 'export', '--out', path, '--ids', '1,2'));
    assert.equal(run.code, 0, describeRun(run));
    const lines = readFileSync(path, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines.find((line) => line.startsWith('1,')) ?? '', /,'@evil snowshoe,/);
  });

  test('usage errors exit 2 with the problem named; --help explains', async () => {
    for (const [args, message] of [
      [['listings', 'bulk', 'delist', '--why', 'x'], /say which listings/],
      [['listings', 'bulk', 'explode', '--ids', '1', '--why', 'x'], /delist, suppress, extend or reassign/],
      [['listings', 'find', '--sort', 'colour'], /--sort takes one of/],
      [['listings', 'export', '--ids', '1'], /--out FILE is required/],
      [['listings', 'bulk', 'delist', '--ids', '1,x', '--why', 'x'], /--ids takes listing numbers/],
    ] as const) {
      const run = await repdesk(as('ann', ...args));
      assert.equal(run.code, 2, describeRun(run));
      assert.match(run.error.join('\n'), message);
    }
    const help = await repdesk(['listings', 'find', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out.join('\n'), /^Usage: repdesk listings find/);
  });
});
