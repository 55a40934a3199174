/**
 * The Lookup view end to end: real database, real server, real Chromium. Also checks what every
 * page of the app must hold to: no console errors or CSP violations, no request off loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harnessForFile, saveScreenshot, type Harness } from '../e2e-support/harness.js';

const SECTION_TITLES = ['Dashboard', 'Lookup', 'Listings', 'DUL', 'QIL', 'Nominations', 'Delisting', 'Publish', 'Team', 'Settings'];

let harness: Harness;

harnessForFile((started) => (harness = started));

/** The message the server gives for a malformed address, asked of the core directly. */
async function serverMessage(ip: string): Promise<string> {
  const result = await harness.core.dispatch('lookup', { ip }, { actor: 'Alice' });
  assert.equal(result.ok, false, `${ip} should be refused by the server`);
  return result.ok ? '' : result.error.message;
}

async function lookUp(ip: string, how: 'enter' | 'button' = 'enter'): Promise<void> {
  const field = harness.page.getByLabel('IP address');
  await field.fill(ip);
  if (how === 'enter') await field.press('Enter');
  else await harness.page.getByRole('button', { name: 'Look up' }).click();
}

async function listingRows(): Promise<{ list: string; range: string; status: string; reason: string; investigator: string; txt: string }[]> {
  const rows = harness.page.locator('table.listings tbody tr');
  await rows.first().waitFor();
  const result = [];
  for (const row of await rows.all()) {
    const cell = (column: string) => row.locator(`td.column-${column}`).innerText();
    result.push({
      list: await cell('list'),
      range: await cell('range'),
      status: await cell('status'),
      reason: await cell('reason'),
      investigator: await cell('investigator'),
      txt: await cell('txt'),
    });
  }
  return result;
}

function currentHash(): string {
  return new URL(harness.page.url()).hash;
}

test('the frame shows the ten sections and the signed-in person, and the token leaves the address bar', async () => {
  const { page, server } = harness;
  await page.goto(server.url);
  const links = page.getByRole('navigation', { name: 'Sections' }).getByRole('link');
  await links.first().waitFor();
  assert.deepEqual(await links.allInnerTexts(), SECTION_TITLES);
  await page.getByText('Signed in as').waitFor();
  assert.match(await page.locator('header').innerText(), /Signed in as Alice/);
  // The dashboard is the opening screen.
  assert.equal(currentHash(), '#/dashboard');
  assert.ok(!page.url().includes(server.token), 'the token must not stay in the URL');
  assert.equal(await page.getByRole('link', { name: 'Dashboard', exact: true }).getAttribute('aria-current'), 'page');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Lookup' }).click();
  await page.getByLabel('IP address').waitFor();
  assert.equal(currentHash(), '#/lookup');
});

test('an IP inside an RBL /24 and a DUL /16 shows both listings with their lists and statuses', async () => {
  await lookUp('82.0.2.1');
  const rows = await listingRows();
  assert.deepEqual(
    rows.map((row) => [row.list, row.range, row.status, row.reason, row.investigator]),
    [
      ['RBL', '82.0.2.0/24', 'active', 'Spam source', 'Alice'],
      ['DUL', '82.0.0.0/16', 'active', 'Dynamic / DUL', 'Alice'],
    ],
  );
  assert.equal(rows[0].txt, 'Spam source, see https://lookup.example/ip/$');
  assert.match(await harness.page.locator('table.listings caption').innerText(), /2 listings contain 82\.0\.2\.1/);
  assert.equal(currentHash(), '#/lookup/82.0.2.1');
});

test('an IP on no list says so and shows no table', async () => {
  await lookUp('93.0.113.9', 'button');
  await harness.page.getByText('Not listed on any list.').waitFor();
  assert.equal(await harness.page.locator('table').count(), 0);
  assert.equal(currentHash(), '#/lookup/93.0.113.9');
});

test('an IPv4-mapped IPv6 address is looked up as IPv4, with a note', async () => {
  await lookUp('::ffff:88.51.100.25');
  await harness.page.getByText('treated as IPv4').waitFor();
  const rows = await listingRows();
  assert.deepEqual(
    rows.map((row) => [row.list, row.range, row.status]),
    [['GAL', '88.51.100.25', 'active']],
  );
  assert.match(await harness.page.locator('#answer-title').innerText(), /^88\.51\.100\.25/);
});

for (const malformed of ['10.1', '010.0.0.1']) {
  test(`a malformed IP (${malformed}) shows the server's message beside the field, no table, and keeps the input`, async () => {
    const message = await serverMessage(malformed);
    await lookUp('82.0.2.1');
    await listingRows();
    await lookUp(malformed);
    const alert = harness.page.getByRole('alert').filter({ hasText: message });
    await alert.waitFor();
    assert.equal(await alert.innerText(), message);
    assert.equal(await harness.page.locator('table').count(), 0);
    assert.equal(await harness.page.getByLabel('IP address').inputValue(), malformed);
    assert.equal(await harness.page.getByLabel('IP address').getAttribute('aria-invalid'), 'true');
  });
}

test('what a mail server sees: per list, by the rule publishing applies (an ISP exclusion is not on DUL)', async () => {
  const { core } = harness;
  const alice = { actor: 'Alice', localFiles: true };
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-lookup-e2e-'));
  try {
    const file = join(folder, 'pools.txt');
    writeFileSync(file, '45.60.0.0/22\n');
    const isp = await core.dispatch('isps.add', { name: 'Lookup Cable' }, alice);
    assert.ok(isp.ok);
    const committed = await core.dispatch('dul.commit', { file: { path: file }, isp: 'Lookup Cable', exclude: ['45.60.1.0/24'] }, alice);
    assert.ok(committed.ok, committed.ok ? '' : committed.error.message);
    const rbl = await core.dispatch('listings.add', { range: '45.60.2.0/24', list: 'RBL', reason: 'open-relay', txt: 'relay at $' }, alice);
    assert.ok(rbl.ok);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const sees = harness.page.locator('table.mail-sees');
  const answerOf = (list: string) => sees.locator(`tr[data-list="${list}"] td.mail-answer`).innerText();

  await lookUp('45.60.2.9');
  await sees.waitFor();
  assert.equal(await answerOf('RBL'), '127.0.0.2 “RBL: Open relay - relay at 45.60.2.9; see https://lookup.example/ip/45.60.2.9”');
  assert.equal(await answerOf('DUL'), '127.0.0.3 “DUL: Dynamic / DUL; see https://lookup.example/ip/45.60.2.9”');
  assert.equal(await answerOf('QIL'), 'not listed');
  assert.match(await answerOf('combined'), /127\.0\.0\.2 “RBL: Open relay[^]*127\.0\.0\.3 “DUL/);

  // Inside the ISP's exclusion: the DUL listing's range contains it, but DUL does not list it.
  await lookUp('45.60.1.9');
  await harness.page.locator('table.listings caption', { hasText: '45.60.1.9' }).waitFor();
  assert.equal(await answerOf('DUL'), 'not listed');
  assert.equal(await answerOf('combined'), 'not listed');
  const rows = await listingRows();
  assert.deepEqual(rows.map((row) => [row.list, row.range, row.status]), [['DUL', '45.60.0.0/22', 'active']]);
  assert.equal(await harness.page.locator('table.listings tbody tr td.column-role').innerText(), 'excluded by its ISP');
});

test('the route holds the IP: a reload and a pasted link show the same result', async () => {
  const { page, origin } = harness;
  // Each read waits for the table of this address: the previous test's table stays on screen until the answer replaces it.
  const tableOf = (ip: string) => page.locator('table.listings caption', { hasText: ip }).waitFor();
  await lookUp('82.0.2.77');
  await tableOf('82.0.2.77');
  const before = await listingRows();
  assert.equal(before.length, 2);
  assert.equal(currentHash(), '#/lookup/82.0.2.77');
  await page.reload();
  await tableOf('82.0.2.77');
  assert.deepEqual(await listingRows(), before);
  assert.equal(await page.getByLabel('IP address').inputValue(), '82.0.2.77');

  await page.goto(`${origin}/#/lookup/93.0.113.9`);
  await page.getByText('Not listed on any list.').waitFor();
  assert.equal(await page.getByLabel('IP address').inputValue(), '93.0.113.9');

  await page.goBack();
  await tableOf('82.0.2.77');
  assert.deepEqual(await listingRows(), before);
  assert.equal(await page.getByLabel('IP address').inputValue(), '82.0.2.77');
});

test('every section is a titled page with no placeholder left; Settings lists the real settings', async () => {
  const { page } = harness;
  for (const [link, heading] of [
    ['Listings', 'Listings'],
    ['Nominations', 'GAL nominations'],
    ['Delisting', 'Delisting requests'],
  ]) {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /later version/);
  }
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Listings', exact: true }).click();
  await page.getByRole('grid', { name: 'Listings' }).getByRole('row').filter({ hasText: '82.0.2.0/24' }).waitFor();
  assert.equal(currentHash(), '#/listings');

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  const returnCode = page.getByLabel('returnCodes.RBL', { exact: true });
  await returnCode.waitFor();
  assert.equal(await returnCode.inputValue(), '127.0.0.2');
  assert.equal(currentHash(), '#/settings');
});

test('the API refuses a call without the token (401)', async () => {
  const response = await fetch(`${harness.origin}/api/lookup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ip: '82.0.2.1' }),
  });
  assert.equal(response.status, 401);
  const body = (await response.json()) as { ok: boolean; error: { code: string } };
  assert.equal(body.ok, false);
  assert.equal(body.error.code, 'unauthenticated');
});

test('a page opened without the token says why it cannot reach the data', async () => {
  // A new context: its own sessionStorage, so no token.
  const page = await harness.browser.newPage();
  try {
    await page.goto(`${harness.origin}/#/lookup`);
    await page.getByRole('alert').filter({ hasText: 'missing or wrong token' }).waitFor();
  } finally {
    await page.close();
  }
});

test('screenshots in light and dark', async () => {
  const { page, origin } = harness;
  await page.goto(`${origin}/#/lookup/82.0.2.1`);
  await listingRows();
  // Away from the navigation, so no hover highlight is left in the picture.
  await page.mouse.move(640, 700);
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'lookup-light', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.equal(await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches"), true);
  await saveScreenshot(page, 'lookup-dark', { fullPage: true });
  await lookUp('010.0.0.1');
  await page.getByRole('alert').waitFor();
  await saveScreenshot(page, 'lookup-error-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('the page logged no console errors or CSP violations and talked to 127.0.0.1 only', () => {
  const { problems } = harness;
  assert.ok(problems.requests.length > 0, 'the page made no requests at all');
  assert.ok(problems.requests.some((url) => url.includes('/api/lookup')), 'the page never called the API');
  assert.deepEqual(problems.errors, []);
  // The only other console lines: Chromium's network log of the three malformed lookups above.
  assert.deepEqual(problems.refusedCalls, ['400 /api/lookup', '400 /api/lookup', '400 /api/lookup']);
  assert.deepEqual(problems.foreignRequests, []);
});
