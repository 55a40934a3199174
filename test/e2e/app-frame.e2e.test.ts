/**
 * The frame of the app in Chromium through browser mode: the first start of an empty database
 * (add yourself), the theme switch (light, dark, following the system, remembered), palette
 * commands, and type-ahead names in the investigator and ISP filters.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { saveScreenshot, startHarness, type Harness } from '../e2e-support/harness.js';

let harness: Harness;

before(async () => {
  // An empty database, and the app started as Ana, who is not on the team yet.
  harness = await startHarness({ seed: async () => undefined, actor: 'Ana' });
});

after(async () => {
  await harness?.close();
});

const theme = () => harness.page.evaluate('document.documentElement.dataset.theme');
/** The theme in effect becomes `value` (a change of the emulated system scheme reaches the page's listener a moment later). */
async function themeBecomes(value: 'light' | 'dark', message?: string): Promise<void> {
  try {
    // A locator, not waitForFunction: the page's policy refuses the eval that a function string needs.
    await harness.page.locator(`html[data-theme="${value}"]`).waitFor({ state: 'attached', timeout: 5000 });
  } catch {
    assert.equal(await theme(), value, message);
  }
}

test('the first start of an empty database asks the person to add themselves, and then they are signed in', async () => {
  const { page, server } = harness;
  await page.goto(server.url);
  const welcome = page.getByRole('region', { name: 'Welcome to RepDesk: add yourself first' });
  await welcome.waitFor();
  assert.equal(await welcome.getByLabel('Your name').inputValue(), 'Ana', 'the name the app runs as');
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'first-start-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'first-start-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await welcome.getByRole('button', { name: 'Add me to the team' }).click();
  await page.getByText('Signed in as').waitFor();
  assert.match(await page.locator('header').innerText(), /Signed in as Ana · investigator, liaison, reviewer, publisher, admin/);
  assert.equal(await welcome.count(), 0, 'the welcome is gone once the team has someone');
});

test('the theme switch: light, dark, or the system\'s, remembered across a reload', async () => {
  const { page } = harness;
  await page.emulateMedia({ colorScheme: 'dark' });
  await themeBecomes('dark', 'by default the system decides');
  const select = page.getByLabel('Theme');
  await select.selectOption('light');
  assert.equal(await theme(), 'light');
  await page.reload();
  await page.getByText('Signed in as').waitFor();
  assert.equal(await page.getByLabel('Theme').inputValue(), 'light');
  assert.equal(await theme(), 'light', 'the choice outlives a reload, whatever the system says');
  assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(246, 247, 249)');
  await page.getByLabel('Theme').selectOption('dark');
  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await theme(), 'dark');
  assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(20, 23, 28)');
  await page.getByLabel('Theme').selectOption('system');
  await themeBecomes('light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await themeBecomes('dark', 'following the system as it changes');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('the palette runs commands: new listing, go to a section, switch the theme', async () => {
  const { page } = harness;
  const palette = page.getByRole('dialog', { name: 'Go to' });
  await page.keyboard.press('Control+k');
  await palette.getByRole('combobox').fill('new listing');
  await palette.getByRole('option', { name: /^New listing/ }).waitFor();
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/new-listing$/);
  await page.getByRole('heading', { name: 'New listing', level: 1 }).waitFor();

  await page.keyboard.press('Control+k');
  await palette.getByRole('combobox').fill('go to publish');
  assert.deepEqual(await palette.getByRole('option').allInnerTexts(), ['Go to Publish']);
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/publish$/);

  await page.keyboard.press('Control+k');
  await palette.getByRole('combobox').fill('theme dark');
  await palette.getByRole('option', { name: /Theme: dark/ }).click();
  assert.equal(await theme(), 'dark');
  assert.equal(await page.getByLabel('Theme').inputValue(), 'dark');
  await page.keyboard.press('Control+k');
  await palette.getByRole('combobox').fill('switch theme');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByLabel('Theme').inputValue(), 'system', 'dark -> system');
});

test('the investigator and ISP filters suggest the names as one types', async () => {
  const { page, core, origin } = harness;
  for (const name of ['Rosa', 'Roberto']) assert.ok((await core.dispatch('investigators.add', { name, roles: ['investigator'] }, { actor: 'Ana' })).ok);
  assert.ok((await core.dispatch('isps.add', { name: 'Example Net', asns: [64500] }, { actor: 'Ana' })).ok);
  await page.goto(`${origin}/#/listings`);
  const filters = page.getByRole('form', { name: 'Filter listings' });
  const investigator = filters.locator('input[name="investigator"]');
  await investigator.waitFor();
  const listId = await investigator.getAttribute('list');
  assert.ok(listId, 'the field names its suggestions');
  await page.locator(`#${listId} option`).nth(2).waitFor({ state: 'attached' });
  assert.deepEqual(await page.locator(`#${listId} option`).evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value)), ['Ana', 'Roberto', 'Rosa']);
  const ispList = await filters.locator('input[name="isp"]').getAttribute('list');
  await page.locator(`#${ispList} option`).first().waitFor({ state: 'attached' });
  assert.equal(await page.locator(`#${ispList} option`).getAttribute('value'), 'Example Net');
  // A suggestion taken is the exact name the filter needs.
  await investigator.fill('Rosa');
  await filters.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/investigator=Rosa/);
});

test('the listings table fits a 1400 px window without cutting columns; a whole IPv6 range is in its tooltip', async () => {
  const { page, core, origin } = harness;
  const range = '2a01:4f8:100::5-2a01:4f8:100::ffff:ffff';
  assert.ok((await core.dispatch('listings.add', { range, list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' })).ok);
  await page.setViewportSize({ width: 1400, height: 800 });
  await page.goto(`${origin}/#/listings`);
  const cell = page.locator('.grid-body [role="row"] .column-range code').first();
  await cell.waitFor();
  assert.equal(await cell.getAttribute('title'), range);
  const fits = await page.evaluate(`(() => {
    const viewport = document.querySelector('.grid-viewport');
    const headers = [...document.querySelectorAll('.grid-header > *')].map((header) => header.getBoundingClientRect().right);
    return { scroll: viewport.scrollWidth, client: viewport.clientWidth, right: Math.max(...headers), edge: viewport.getBoundingClientRect().right };
  })()`) as { scroll: number; client: number; right: number; edge: number };
  assert.ok(fits.scroll <= fits.client, `the grid scrolls sideways: ${fits.scroll} > ${fits.client}`);
  assert.ok(fits.right <= fits.edge + 0.5, `a column ends past the table's edge: ${fits.right} > ${fits.edge}`);
  await saveScreenshot(page, 'listings-1400-light');
  await page.setViewportSize({ width: 1280, height: 720 });
});

test('the pages logged no console errors and talked to 127.0.0.1 only', () => {
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});
