/**
 * Dashboard speed on 1,200,000 listings (the foundation bench's file: 1M single IPv4 addresses
 * and 200k overlapping IPv4 and IPv6 ranges): the fold that builds the materialised figures
 * after the import, the core time of `dashboard.get`, the cost of one more change, and the time
 * until the dashboard is on screen in Chromium (when /usr/bin/chromium and the built renderer exist).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createCore } from '../../main/core/app.js';
import { foldDashboard } from '../../main/core/dashboard/counters.js';
import { startServer } from '../../main/server/server.js';
import { listingImportFile } from './generate.js';
import { logCopiedBack } from './settle-log.js';
import { CHROMIUM_PATH, RENDERER_FOLDER } from '../e2e-support/harness.js';

type Line = (label: string, value: string, target: string) => void;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchDashboard(folder: string, line: Line): Promise<void> {
  const file = await listingImportFile();
  const databasePath = join(folder, 'dashboard.sqlite');
  const core = createCore({ databasePath });
  const must = <T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };
  must(await core.dispatch('investigators.add', { name: 'Bench', roles: ['admin', 'investigator'] }, { actor: null }));
  let started = performance.now();
  must(await core.dispatch('listings.importFile', { file: { path: file }, list: 'RBL', reason: 'spam-source' }, { actor: 'Bench', localFiles: true }));
  line('import 1.2M entries (with the change journal)', `${((performance.now() - started) / 1000).toFixed(2)} s`, 'under 10 s (foundation)');
  line('  log copied back into the file after it answered (then the rest)', `${logCopiedBack(core.connection).toFixed(2)} s`, 'informational');

  started = performance.now();
  const fold = foldDashboard(core.connection.write, new Date());
  line(`fold after the import (${fold.listings} listings)`, `${((performance.now() - started) / 1000).toFixed(2)} s`, 'off the request path; informational');

  for (const period of ['month', 'year'] as const) {
    const times: number[] = [];
    for (let round = 0; round < 15; round += 1) {
      started = performance.now();
      must(await core.dispatch('dashboard.get', { period }, { actor: 'Bench' }));
      times.push(performance.now() - started);
    }
    line(`dashboard.get (${period}), median of 15`, `${median(times).toFixed(1)} ms`, 'under 500 ms');
  }
  const view = must(await core.dispatch('dashboard.get', { period: 'month' }, { actor: 'Bench' }));
  const rbl = view.lists.find((entry) => entry.list === 'RBL');
  line('RBL active / IPv4 addresses / IPv6 /64s', `${rbl?.active} / ${rbl?.ipv4Addresses} / ${rbl?.ipv6Slash64s}`, 'informational');

  // One more listing and one delisting: the open that follows folds them first.
  const changes: number[] = [];
  for (let round = 0; round < 10; round += 1) {
    const added = must(await core.dispatch('listings.add', { range: `5.${100 + round}.0.0/16`, list: 'RBL', reason: 'spam-source' }, { actor: 'Bench' }));
    must(await core.dispatch('listings.delist', { id: added.listing.id - 1000 * (round + 1), why: 'bench' }, { actor: 'Bench' }));
    started = performance.now();
    must(await core.dispatch('dashboard.get', { period: 'month' }, { actor: 'Bench' }));
    changes.push(performance.now() - started);
  }
  line('dashboard.get right after an add and a delist', `${median(changes).toFixed(1)} ms`, 'under 500 ms');

  if (!existsSync(CHROMIUM_PATH) || !existsSync(join(RENDERER_FOLDER, 'index.html'))) {
    line('on screen in Chromium', 'not run', `needs ${CHROMIUM_PATH} and the built renderer`);
    core.close();
    return;
  }
  const { chromium } = await import('playwright-core');
  const server = await startServer({ core, call: { actor: 'Bench' }, port: 0, staticFolder: RENDERER_FOLDER });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    started = performance.now();
    await page.goto(server.url);
    await page.locator('table.dashboard-lists-table').waitFor();
    await page.locator('.activity-chart canvas').first().waitFor();
    line('first load to dashboard on screen (page + data)', `${(performance.now() - started).toFixed(0)} ms`, 'under 500 ms');
    started = performance.now();
    await page.reload();
    await page.locator('table.dashboard-lists-table').waitFor();
    await page.locator('.activity-chart canvas').first().waitFor();
    line('reload to dashboard on screen', `${(performance.now() - started).toFixed(0)} ms`, 'under 500 ms');
    // Where the reload's time went, from the page's own clock (ms since navigation start).
    const timing = (await page.evaluate(`(() => {
      const navigation = performance.getEntriesByType('navigation')[0];
      const data = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/api/dashboard.get'));
      return { script: navigation ? navigation.domContentLoadedEventEnd : -1, requested: data ? data.startTime : -1, received: data ? data.responseEnd : -1 };
    })()`)) as { script: number; requested: number; received: number };
    line('  of which: scripts run / data asked / data in', `${timing.script.toFixed(0)} / ${timing.requested.toFixed(0)} / ${timing.received.toFixed(0)} ms`, 'informational');
    const reopen: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      await page.evaluate("window.location.hash = '#/settings'");
      await page.getByRole('heading', { name: 'Settings' }).first().waitFor();
      started = performance.now();
      await page.evaluate("window.location.hash = '#/dashboard/year'");
      await page.locator('.activity-chart[data-days="365"] canvas').first().waitFor();
      reopen.push(performance.now() - started);
    }
    line('opening the dashboard (year) from another view', `${median(reopen).toFixed(0)} ms`, 'under 500 ms');
  } finally {
    await browser.close();
    await server.close();
    core.close();
  }
}
