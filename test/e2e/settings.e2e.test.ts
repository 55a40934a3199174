/**
 * The Settings page end to end: every setting the CLI can change is a field; an admin saves a
 * number, a list, a checkbox, text; a bad value is named beside its field (checked in the page by
 * the core's own schema) and nothing is saved; a value the core refuses is shown as its error;
 * someone who is not an admin sees the values and cannot change them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiResult } from '../../shared/result.js';
import type { Settings } from '../../shared/settings.js';
import { harnessForFile, saveScreenshot, type Harness } from '../e2e-support/harness.js';

let harness: Harness;

harnessForFile((started) => (harness = started));

async function stored(): Promise<Settings> {
  const result: ApiResult<Settings> = await harness.core.dispatch('settings.get', {}, { actor: 'Alice' });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** Every dotted key of the settings, as `repdesk settings get` prints them. */
function dottedKeys(value: unknown, prefix = ''): string[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return Object.entries(value).flatMap(([key, inner]) => dottedKeys(inner, prefix ? `${prefix}.${key}` : key));
  return [prefix];
}

const field = (key: string) => harness.page.getByLabel(key, { exact: true });
const section = (name: string) => harness.page.getByRole('form', { name: `${name} settings` });

test('every setting is a field showing its stored value', async () => {
  const { page, server } = harness;
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  await field('returnCodes.RBL').waitFor();
  const settings = await stored();
  const keys = dottedKeys(settings);
  assert.ok(keys.length >= 50, `${keys.length} settings`);
  for (const key of keys) assert.equal(await field(key).count(), 1, `no field for ${key}`);
  assert.equal(await field('qil.defaultLevel').inputValue(), '2');
  assert.equal(await field('qil.thresholds').inputValue(), '10, 10, 3, 1');
  assert.equal(await field('publish.nameServers').inputValue(), 'ns1.bl.example, ns2.bl.example');
  assert.equal(await field('evidence.smtp.secure').isChecked(), false);
  assert.equal(await field('lookupUrl').inputValue(), 'https://lookup.example/ip/$');
  assert.equal(await field('auth.secondFactorRoles').inputValue(), '');
});

test('an admin saves a number, lists, a checkbox and text; the core keeps exactly that', async () => {
  await field('qil.defaultLevel').fill('3');
  await field('qil.thresholds').fill('12, 10, 4, 1');
  await section('qil').getByRole('button', { name: 'Save qil' }).click();
  await section('qil').getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  await field('publish.nameServers').fill('ns1.example.net,ns2.example.net , ns3.example.net');
  await section('publish').getByRole('button', { name: 'Save publish' }).click();
  await section('publish').getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  await field('evidence.smtp.secure').check();
  await field('evidence.smtp.host').fill('relay.example.net');
  await field('evidence.smtp.port').fill('465');
  await section('evidence').getByRole('button', { name: 'Save evidence' }).click();
  await section('evidence').getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  await field('auth.secondFactorRoles').fill('publisher, admin');
  await field('auth.sessionIdleMinutes').fill('30');
  await section('auth').getByRole('button', { name: 'Save auth' }).click();
  await section('auth').getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  const settings = await stored();
  assert.equal(settings.qil.defaultLevel, 3);
  assert.deepEqual(settings.qil.thresholds, [12, 10, 4, 1]);
  assert.deepEqual(settings.publish.nameServers, ['ns1.example.net', 'ns2.example.net', 'ns3.example.net']);
  assert.deepEqual(settings.evidence.smtp, { host: 'relay.example.net', port: 465, secure: true });
  assert.deepEqual(settings.auth.secondFactorRoles, ['publisher', 'admin']);
  assert.equal(settings.auth.sessionIdleMinutes, 30);
  // Reloaded, the page shows what was kept.
  await harness.page.reload();
  await field('publish.nameServers').waitFor();
  assert.equal(await field('publish.nameServers').inputValue(), 'ns1.example.net, ns2.example.net, ns3.example.net');
  // The history has them, as with repdesk settings set.
  const events = harness.core.connection.read.all<{ actor: string; action: string }>({ text: "SELECT actor, action FROM events WHERE action = 'settings.changed'", values: [] });
  assert.deepEqual(events.length, 4);
});

test('a bad value is named beside its field and nothing is saved', async () => {
  const before = JSON.stringify(await stored());
  await field('returnCodes.RBL').fill('127.0.0.1');
  await field('returnCodes.qilPrefix').fill('10.0.0.');
  await section('returnCodes').getByRole('button', { name: 'Save returnCodes' }).click();
  await section('returnCodes').getByText(/never 127\.0\.0\.1/).waitFor();
  await section('returnCodes').getByText(/three octets and a dot/).waitFor();
  assert.equal(await field('returnCodes.RBL').getAttribute('aria-invalid'), 'true');
  await field('qil.thresholds').fill('1, 10, 3, 1');
  await section('qil').getByRole('button', { name: 'Save qil' }).click();
  await section('qil').getByText(/must not rise from level 1 to level 4/).waitFor();
  await field('qil.defaultLevel').fill('');
  await section('qil').getByRole('button', { name: 'Save qil' }).click();
  await section('qil').getByRole('alert').filter({ hasText: /expected number|Invalid input/i }).first().waitFor();
  await field('auth.secondFactorRoles').fill('publisher, owner');
  await section('auth').getByRole('button', { name: 'Save auth' }).click();
  await section('auth').getByRole('alert').first().waitFor();
  assert.equal(JSON.stringify(await stored()), before, 'nothing was saved');
  for (const name of ['returnCodes', 'qil', 'auth']) await section(name).getByRole('button', { name: 'Undo changes' }).click();
  assert.equal(await field('returnCodes.RBL').inputValue(), '127.0.0.2');
  assert.equal(await field('qil.defaultLevel').inputValue(), '3');
  assert.equal(await section('qil').getByRole('alert').count(), 0, 'undo clears the problems');
});

test("the core decides: a save it refuses shows its error, and a save changes only what was edited", async () => {
  // Meanwhile another admin took Alice's admin role away (after making Zoe an admin): the page still offers the form.
  const as = (actor: string) => ({ actor, client: 'cli' as const });
  const check = async (promise: Promise<ApiResult<unknown>>) => assert.ok((await promise).ok);
  await check(harness.core.dispatch('investigators.add', { name: 'Zoe', roles: ['admin'] }, as('Alice')));
  await check(harness.core.dispatch('investigators.update', { name: 'Alice', roles: ['investigator', 'liaison', 'publisher'] }, as('Zoe')));
  await field('qil.halfLifeHours').fill('6');
  await section('qil').getByRole('button', { name: 'Save qil' }).click();
  await section('qil').getByRole('alert').filter({ hasText: /Alice does not have the admin role/ }).waitFor();
  assert.equal((await stored()).qil.halfLifeHours, 12);
  await check(harness.core.dispatch('investigators.update', { name: 'Alice', roles: ['investigator', 'liaison', 'publisher', 'admin'] }, as('Zoe')));
  // Zoe changes another QIL value; Alice's save of hers leaves Zoe's alone.
  await check(harness.core.dispatch('settings.update', { qil: { goodRatingFactor: 7 } }, as('Zoe')));
  await section('qil').getByRole('button', { name: 'Save qil' }).click();
  await section('qil').getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  const settings = await stored();
  assert.equal(settings.qil.halfLifeHours, 6);
  assert.equal(settings.qil.goodRatingFactor, 7, "Zoe's change was not written over");
});

test('screenshots in light and dark', async () => {
  const { page } = harness;
  await page.reload();
  await field('returnCodes.RBL').fill('127.0.0.1');
  await section('returnCodes').getByRole('button', { name: 'Save returnCodes' }).click();
  await section('returnCodes').getByText(/never 127\.0\.0\.1/).waitFor();
  await page.mouse.move(640, 700);
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'settings-light', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'settings-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('someone who is not an admin sees the settings and cannot change them', async () => {
  const rosa = await harness.openSession('Rosa');
  await rosa.page.goto(`${rosa.server.url}`);
  await rosa.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
  await rosa.page.getByText('Only an admin changes settings').waitFor();
  const level = rosa.page.getByLabel('qil.defaultLevel', { exact: true });
  assert.equal(await level.inputValue(), '3');
  assert.equal(await level.isDisabled(), true);
  assert.equal(await rosa.page.getByRole('button', { name: /^Save/ }).count(), 0);
  assert.deepEqual(rosa.problems.errors, []);
});

test('the page logged no console errors or CSP violations and talked to 127.0.0.1 only', () => {
  const { problems } = harness;
  assert.deepEqual(problems.errors, []);
  assert.deepEqual(problems.refusedCalls, ['403 /api/settings.update']);
  assert.deepEqual(problems.foreignRequests, []);
});
