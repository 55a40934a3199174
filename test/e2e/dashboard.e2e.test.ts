/**
 * The dashboard end to end: a database seeded through the core, the opening screen in Chromium
 * showing the expected counts (overlaps once, IPv6 in /64s), the publishing panel with changes
 * not yet published, clicks on a number and on a chart bar opening the filtered listings route,
 * and screenshots in light and dark.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '../../main/core/snapshot/index.js';
import { saveScreenshot, repdesk, startHarness, type Harness } from '../e2e-support/harness.js';
import { ok } from '../unit/support/results.js';

let harness: Harness;
let today: string;
let serial: number;

/** Public space only: publishing refuses private and documentation ranges. */
async function seedTeam(databasePath: string): Promise<void> {
  await repdesk(databasePath, 'investigator', 'add', 'Alice', '--roles', 'investigator,liaison,publisher');
  await repdesk(databasePath, '--actor', 'Alice', 'investigator', 'add', 'Rosa', '--roles', 'reviewer');
}

before(async () => {
  harness = await startHarness({ seed: seedTeam, signingKey: generateKeyPair(), actor: 'Alice' });
  const { core } = harness;
  const alice = { actor: 'Alice', localFiles: true };
  today = new Date().toISOString().slice(0, 10);
  await ok(core.dispatch('listings.add', { range: '5.45.0.0/24', list: 'RBL', reason: 'spam-source' }, alice));
  await ok(core.dispatch('listings.add', { range: '5.45.0.128/25', list: 'RBL', reason: 'open-relay' }, alice));
  await ok(core.dispatch('listings.add', { range: '2a01:4f8:100::/48', list: 'RBL', reason: 'spam-source' }, alice));
  const marketing = await ok(core.dispatch('listings.add', { range: '185.12.64.7', list: 'MML', reason: 'marketing' }, alice));
  await ok(core.dispatch('listings.delist', { id: marketing.listing.id, why: 'stopped' }, alice));
  await ok(core.dispatch('listings.add', { range: '37.120.9.9', list: 'GAL', reason: 'approved' }, { actor: 'Rosa' }));
  await ok(core.dispatch('isps.add', { name: 'Example Net', country: 'de' }, alice));
  const pools = join(harness.folder, 'pools.txt');
  writeFileSync(pools, '45.10.1.0/24\n45.10.2.0/24\n');
  await ok(core.dispatch('dul.commit', { file: { path: pools }, isp: 'Example Net' }, alice));
  const published = await ok(core.dispatch('publish.run', {}, alice));
  assert.equal(published.published, true, JSON.stringify(published.safety));
  serial = published.serial ?? 0;
  await ok(core.dispatch('listings.add', { range: '5.46.0.1', list: 'RBL', reason: 'spam-source' }, alice));
  await harness.page.goto(harness.server.url);
});

after(async () => {
  await harness?.close();
});

function currentHash(): string {
  return decodeURIComponent(new URL(harness.page.url()).hash);
}

/** The filter of the listings route the page is on (`#/listings/<URLSearchParams>`), as key/value pairs in order. */
async function listingsFilter(): Promise<Array<[string, string]>> {
  await harness.page.waitForURL(/#\/listings\//);
  const match = /^#\/listings\/(.*)$/.exec(currentHash());
  assert.ok(match, `not on the listings route: ${currentHash()}`);
  return [...new URLSearchParams(match[1])];
}

async function figure(list: string, name: string): Promise<string> {
  return (await harness.page.locator(`table.dashboard-lists-table tr[data-list="${list}"] td[data-figure="${name}"]`).innerText()).trim();
}

test('the dashboard is the opening screen and shows the expected counts', async () => {
  const { page } = harness;
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  await page.locator('table.dashboard-lists-table').waitFor();
  assert.equal(currentHash(), '#/dashboard');
  // RBL: a /24 with a /25 inside it (256 addresses, once), one more address, and a /48 (65,536 /64s).
  assert.equal(await figure('RBL', 'active'), '4');
  assert.equal(await figure('RBL', 'ipv4'), '257');
  assert.equal(await figure('RBL', 'ipv6'), '65,536');
  assert.equal(await figure('RBL', 'day'), '+4 −0');
  assert.equal(await figure('DUL', 'active'), '2');
  assert.equal(await figure('DUL', 'ipv4'), '512');
  assert.equal(await figure('MML', 'active'), '0');
  assert.equal(await figure('MML', 'day'), '+1 −1');
  assert.equal(await figure('GAL', 'ipv4'), '1');

  const publishing = page.locator('section.dashboard-publishing');
  assert.equal((await publishing.locator('[data-figure="serial"]').innerText()).trim(), String(serial));
  assert.match(await publishing.innerText(), /1 listing changed, not yet published \(\w+ 1\)/);
  assert.match(await publishing.innerText(), /by Alice/);

  const countries = page.locator('table.countries tr[data-country="DE"]');
  assert.match(await countries.innerText(), /Example Net\s+2\s+512\s+0/);
  // The choropleth: Germany (ISO 276) in the darkest shade with its figures in the tooltip; a country with nothing listed unshaded.
  const germany = page.locator('.country-map path[data-country="DE"]');
  await germany.waitFor();
  assert.match(await germany.getAttribute('class') ?? '', /\bchoropleth-5\b/);
  assert.match(await germany.locator('title').textContent() ?? '', /Germany: 512 IPv4 addresses, 0 IPv6 \/64s in 2 DUL ranges/);
  assert.equal(await page.locator('.country-map path.choropleth-0').count() > 150, true, 'the other countries are drawn unshaded');
  const alice = page.locator('section.dashboard-investigators tr[data-investigator="Alice"]');
  assert.match(await alice.innerText(), /^Alice\s+6\b/);
  assert.equal(await page.locator('.activity-chart canvas').count() > 0, true, 'the chart is drawn');
  // The numbers are links named by their number: a "DUL" link is still only the navigation's.
  assert.equal(await page.getByRole('link', { name: 'DUL' }).count(), 1);
});

test('a click on a number opens the listings table with the matching filter', async () => {
  const { page } = harness;
  await page.locator('tr[data-list="RBL"] td[data-figure="active"] a').click();
  assert.deepEqual(await listingsFilter(), [['list', 'RBL'], ['status', 'active']]);
  await page.goBack();
  await page.locator('table.dashboard-lists-table').waitFor();
  await page.locator('tr[data-list="MML"] td[data-figure="day"] a.change-delisted').click();
  assert.deepEqual(await listingsFilter(), [['list', 'MML'], ['status', 'delisted'], ['changedFrom', today], ['changedTo', today]]);
  await page.goBack();
  await page.locator('section.dashboard-countries').getByRole('link', { name: 'Example Net' }).click();
  assert.deepEqual(await listingsFilter(), [['list', 'DUL'], ['status', 'active'], ['isp', 'Example Net']]);
  await page.goBack();
});

test('a click on a chart bar opens that list and day in the listings table', async () => {
  const { page } = harness;
  await page.locator('table.dashboard-lists-table').waitFor();
  const over = page.locator('.activity-chart .u-over');
  await over.waitFor();
  const box = await over.boundingBox();
  assert.ok(box, 'the chart has a plot area');
  const days = Number(await page.locator('.activity-chart').getAttribute('data-days'));
  assert.equal(days, 30);
  // Today is the last bar; RBL is the bottom of the stack.
  await page.mouse.click(box.x + (box.width * (days - 0.5)) / days, box.y + box.height - 3);
  assert.deepEqual(await listingsFilter(), [['list', 'RBL'], ['createdFrom', today], ['createdTo', today]]);
  await page.goBack();
  await page.locator('table.dashboard-lists-table').waitFor();
  // A day with nothing on it under the pointer opens every list's listings of that day.
  await page.locator('.activity-chart .u-over').waitFor();
  const first = await page.locator('.activity-chart .u-over').boundingBox();
  assert.ok(first);
  await page.mouse.click(first.x + first.width / days / 2, first.y + first.height / 2);
  const firstDay = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  assert.deepEqual(await listingsFilter(), [['createdFrom', firstDay], ['createdTo', firstDay]]);
  await page.goBack();
});

test('the period is part of the route: a year draws 365 days', async () => {
  const { page } = harness;
  await page.getByRole('group', { name: 'Period' }).getByRole('button', { name: 'Year' }).click();
  await page.waitForURL(/#\/dashboard\/year$/);
  await page.locator('.activity-chart[data-days="365"]').waitFor();
  assert.equal(await page.getByRole('group', { name: 'Period' }).getByRole('button', { name: 'Year' }).getAttribute('aria-pressed'), 'true');
});

test('screenshots in light and dark', async () => {
  const { page, origin } = harness;
  await page.goto(`${origin}/#/dashboard/month`);
  await page.locator('.activity-chart canvas').first().waitFor();
  await page.mouse.move(1200, 5);
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'dashboard-light', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.equal(await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches"), true);
  // The chart redraws in the dark colours on the scheme change.
  await page.waitForTimeout(100);
  await saveScreenshot(page, 'dashboard-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('the page logged no console errors or CSP violations and talked to 127.0.0.1 only', () => {
  const { problems } = harness;
  assert.ok(problems.requests.some((url) => url.includes('/api/dashboard.get')), 'the page never asked for the dashboard');
  assert.deepEqual(problems.errors, []);
  assert.deepEqual(problems.refusedCalls, []);
  assert.deepEqual(problems.foreignRequests, []);
});
