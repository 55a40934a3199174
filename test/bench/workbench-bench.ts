/**
 * Workbench figures on the 1.2M-listing bench database (1,000,000 single IPv4 + 200,000 ranges
 * from generate.ts, with varied change dates and statuses): the core time of a filter's or a
 * sort's first page, then, in Debian's Chromium against the real server and the built renderer,
 * the first render of the listings table, a sort change on screen, and the frames while
 * scrolling through 10,000 rows (requestAnimationFrame gaps).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createCore, type Core } from '../../main/core/app.js';
import { startServer } from '../../main/server/server.js';
import type { ListingFilter, ListingSort } from '../../shared/workbench.js';
import { CHROMIUM_PATH, RENDERER_FOLDER } from '../e2e-support/harness.js';
import { benchDataFolder, listingImportFile } from './generate.js';

type Line = (label: string, value: string, target: string) => void;

const ROWS_TO_SCROLL = 10_000;
const ROW_HEIGHT = 30;

async function prepareDatabase(path: string): Promise<void> {
  const temporary = `${path}.partial`;
  rmSync(temporary, { force: true });
  const core = createCore({ databasePath: temporary });
  try {
    const added = await core.dispatch('investigators.add', { name: 'Bench', roles: ['investigator', 'liaison', 'reviewer'] }, { actor: null });
    if (!added.ok) throw new Error(added.error.message);
    await core.dispatch('investigators.add', { name: 'Rosa', roles: ['investigator'] }, { actor: 'Bench' });
    const imported = await core.dispatch('listings.importFile', { file: { path: await listingImportFile() }, list: 'RBL', reason: 'spam-source' }, { actor: 'Bench', localFiles: true });
    if (!imported.ok) throw new Error(imported.error.message);
    // Bench data only (no history): a year of change dates, every tenth delisted, every seventh Rosa's, some TXT.
    core.connection.write.run({
      text: `UPDATE listings SET updated_at = printf('2026-%02d-%02dT%02d:00:00.000Z', 1 + id % 12, 1 + id % 28, id % 24),
        status = CASE WHEN id % 10 = 0 THEN 'delisted' ELSE status END,
        investigator_id = CASE WHEN id % 7 = 0 THEN 2 ELSE investigator_id END,
        txt = CASE WHEN id % 100 = 0 THEN 'snowshoe spam run ' || (id % 50) ELSE txt END`,
      values: [],
    });
  } finally {
    core.close();
  }
  rmSync(`${temporary}-wal`, { force: true });
  rmSync(`${temporary}-shm`, { force: true });
  renameSync(temporary, path);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function coreFigures(core: Core, line: Line): Promise<void> {
  const cases: Array<[string, ListingFilter, ListingSort]> = [
    ['no filter, last change (default)', {}, { column: 'changed', descending: true }],
    ['sort by range', {}, { column: 'range', descending: false }],
    ['sort by created, ascending', {}, { column: 'created', descending: false }],
    ['list = QIL', { list: 'QIL' }, { column: 'changed', descending: true }],
    ['sort by expiry', {}, { column: 'expires', descending: false }],
    ['status = delisted', { status: 'delisted' }, { column: 'changed', descending: true }],
    ['investigator = Rosa', { investigator: 'Rosa' }, { column: 'changed', descending: true }],
    ['changed in March', { changedFrom: '2026-03-01', changedTo: '2026-03-31' }, { column: 'changed', descending: true }],
    ['contains IP (nested ranges)', { ip: '45.67.89.10' }, { column: 'changed', descending: true }],
    ['overlaps CIDR /16', { cidr: '45.67.0.0/16' }, { column: 'range', descending: false }],
    ['free text "snowshoe"', { q: 'snowshoe' }, { column: 'changed', descending: true }],
    ['status + text + sort by range', { status: 'active', q: 'spam' }, { column: 'range', descending: false }],
  ];
  // The index is built on first use (start-up); the first case pays for it, so warm it once.
  await core.dispatch('listings.query', { filter: { ip: '1.2.3.4' } }, { actor: 'Bench' });
  for (const [name, filter, sort] of cases) {
    const times: number[] = [];
    let total = 0;
    for (let round = 0; round < 5; round += 1) {
      const result = await core.dispatch('listings.query', { filter, sort, limit: 200, withCount: true }, { actor: 'Bench' });
      if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
      times.push(result.value.elapsedMs);
      total = result.value.total ?? 0;
    }
    line(`core first page: ${name} (${total >= 100_000 ? '100k+' : total} rows)`, `${median(times).toFixed(1)} ms`, 'under 150 ms');
  }
}

/** In the page: milliseconds from a click to the first row showing different text. */
const CHANGE_TIMER = `(selector) => new Promise((resolve) => {
  const first = () => document.querySelector('.grid-body [role="row"]')?.textContent ?? '';
  const before = first();
  const started = performance.now();
  const observer = new MutationObserver(() => {
    const now = first();
    if (now !== '' && now !== before) { observer.disconnect(); resolve(performance.now() - started); }
  });
  observer.observe(document.querySelector('.listings-view'), { subtree: true, childList: true, characterData: true });
  setTimeout(() => { observer.disconnect(); resolve(-1); }, 20000);
  document.querySelector(selector).click();
})`;

/** In the page: scroll the grid through N rows, one step per frame, recording the gaps between frames. */
const SCROLLER = `([rows, rowHeight]) => new Promise((resolve) => {
  const viewport = document.querySelector('.grid-viewport');
  const targetTop = rows * rowHeight;
  const gaps = [];
  let last = performance.now();
  const started = last;
  const step = () => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (viewport.scrollTop + viewport.clientHeight >= targetTop || now - started > 120000) {
      resolve({ gaps, seconds: (now - started) / 1000, reachedRow: Math.floor((viewport.scrollTop + viewport.clientHeight) / rowHeight) });
      return;
    }
    viewport.scrollTop += 15 * rowHeight;
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})`;

async function screenFigures(core: Core, line: Line): Promise<void> {
  if (!existsSync(join(RENDERER_FOLDER, 'index.html'))) throw new Error('the renderer is not built: npm run build:renderer');
  const server = await startServer({ core, call: { actor: 'Bench' }, port: 0, staticFolder: RENDERER_FOLDER });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Take the token once, then measure a fresh load of the listings route.
    await page.goto(server.url);
    await page.waitForSelector('.frame');
    const renders: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      await page.goto(`${server.url.split('#')[0]}#/listings`);
      await page.reload();
      await page.waitForSelector('.grid-body [role="row"]');
      // Time from navigation start to the first row in the DOM (the element's own paint follows within the frame).
      renders.push(await page.evaluate(`new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))`));
    }
    line('first render of the table (navigation to first rows)', `${(median(renders) / 1000).toFixed(2)} s`, 'under 1.5 s');

    const changes: Array<[string, string]> = [
      ['sort by range', '[role="columnheader"] .sort-button >> text=Range'],
      // Created is hidden by default (a click away in the column menu), and sorting by ID shows the
      // rows the default sort shows: turn the range sort around, then go back to the last change.
      ['sort by range, descending', '[role="columnheader"] .sort-button >> text=Range'],
      ['sort by last change', '[role="columnheader"] .sort-button >> text=Changed'],
    ];
    for (const [name, selector] of changes) {
      const handle = await page.$(selector);
      if (!handle) throw new Error(`no ${selector}`);
      await handle.evaluate((element) => element.setAttribute('data-bench-target', 'yes'));
      const elapsed = (await page.evaluate(`(${CHANGE_TIMER})('[data-bench-target="yes"]')`)) as number;
      await handle.evaluate((element) => element.removeAttribute('data-bench-target'));
      line(`on screen: ${name}`, elapsed < 0 ? 'no change seen in 20 s' : `${elapsed.toFixed(0)} ms`, 'under 300 ms');
      await page.waitForTimeout(300);
    }
    const filterStart = Date.now();
    await page.goto(`${server.url.split('#')[0]}#/listings/status=delisted`);
    await page.waitForSelector('.grid-body [role="row"]');
    line('on screen: route change to status=delisted', `${Date.now() - filterStart} ms`, 'under 300 ms (includes Playwright round trips)');

    await page.goto(`${server.url.split('#')[0]}#/listings`);
    await page.waitForSelector('.grid-body [role="row"]');
    // The same frame loop with no scrolling: what this machine's load alone does to frame gaps.
    const idle = (await page.evaluate(`new Promise((resolve) => { const gaps = []; let last = performance.now();
      const step = () => { const now = performance.now(); gaps.push(now - last); last = now; if (gaps.length < 300) requestAnimationFrame(step); else resolve(gaps.slice(1)); };
      requestAnimationFrame(step); })`)) as number[];
    const idleSorted = [...idle].sort((a, b) => a - b);
    line('idle frames (no scrolling): longest / p95', `${idleSorted[idleSorted.length - 1].toFixed(1)} / ${idleSorted[Math.floor(idleSorted.length * 0.95)].toFixed(1)} ms`, 'baseline of this machine');
    const scrolled = (await page.evaluate(`(${SCROLLER})([${ROWS_TO_SCROLL}, ${ROW_HEIGHT}])`)) as { gaps: number[]; seconds: number; reachedRow: number };
    const gaps = scrolled.gaps.slice(1);
    const worst = Math.max(...gaps);
    const slow = gaps.filter((gap) => gap > 50).length;
    const sorted = [...gaps].sort((a, b) => a - b);
    line(`scroll ${scrolled.reachedRow.toLocaleString('en')} rows: frames`, `${gaps.length} in ${scrolled.seconds.toFixed(1)} s`, 'informational');
    line('scroll: longest frame', `${worst.toFixed(1)} ms`, 'no frame over 50 ms');
    line('scroll: frames over 50 ms / p95 frame', `${slow} / ${sorted[Math.floor(sorted.length * 0.95)].toFixed(1)} ms`, '0');
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function benchWorkbench(line: Line): Promise<void> {
  const folder = benchDataFolder();
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'workbench-bench-v2.sqlite');
  if (!existsSync(path)) {
    const started = performance.now();
    await prepareDatabase(path);
    line('bench database prepared (once, kept in test/bench/data)', `${((performance.now() - started) / 1000).toFixed(1)} s`, 'informational');
  }
  const core = createCore({ databasePath: path });
  try {
    await coreFigures(core, line);
    await screenFigures(core, line);
  } finally {
    core.close();
  }
}
