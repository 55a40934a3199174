/**
 * `repdesk dashboard` through the command line: the figures after imports made by earlier
 * commands (each command's core leaves them current when it closes), text and JSON, and a bad
 * period refused with the schema's message.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DashboardView } from '../../shared/dashboard.js';
import { describeRun, repdesk, repdeskJson } from './support/cli.js';

describe('repdesk dashboard', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-dashboard-'));
  const database = join(folder, 'repdesk.sqlite');
  const db = ['--db', database];

  before(async () => {
    const file = join(folder, 'rbl.txt');
    writeFileSync(file, '5.45.0.0/24\n5.45.0.128/25\n2a01:4f8:100::/48\n2a01:4f8:100::1\n');
    for (const args of [
      ['investigator', 'add', 'ann', '--roles', 'admin,investigator'],
      ['--actor', 'ann', 'import', file, '--list', 'RBL', '--reason', 'spam-source'],
      ['--actor', 'ann', 'listing', 'add', '185.12.64.0/30', '--list', 'MML', '--reason', 'marketing'],
    ]) {
      const run = await repdesk([...db, ...args]);
      assert.equal(run.code, 0, describeRun(run));
    }
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test('the commands that wrote left the figures current, and the dashboard prints them', async () => {
    const raw = new Database(database, { readonly: true });
    const state = raw.prepare('SELECT folded_max_id AS folded, (SELECT max(id) FROM listings) AS max FROM dashboard_state').get() as { folded: number; max: number };
    raw.close();
    assert.equal(state.folded, state.max, 'folded when the writing command closed its core');
    const run = await repdesk([...db, 'dashboard']);
    assert.equal(run.code, 0, describeRun(run));
    assert.ok(run.out.includes('RBL: 4 active, 256 IPv4 addresses, 65536 IPv6 /64s; today +4 -0, 7 days +4 -0, 30 days +4 -0'), run.out.join('\n'));
    assert.ok(run.out.some((line) => line.startsWith('MML: 1 active, 4 IPv4 addresses')), run.out.join('\n'));
    assert.ok(run.out.includes('published: nothing yet'), run.out.join('\n'));
    assert.ok(run.out.includes('ann: 5 active listings assigned, 0 open requests'), run.out.join('\n'));
  });

  test('--json gives the view; --period year has 365 days; a bad period is refused', async () => {
    const view = await repdeskJson<DashboardView>([...db, 'dashboard', '--period', 'year']);
    assert.equal(view.series.days.length, 365);
    assert.equal(view.lists.find((list) => list.list === 'RBL')?.ipv6Slash64s, '65536');
    const bad = await repdesk([...db, 'dashboard', '--period', 'decade']);
    assert.equal(bad.code, 1, describeRun(bad));
    assert.match(bad.error.join('\n'), /period/);
  });
});
