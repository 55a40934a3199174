/**
 * The review queues end to end (real database, server and Chromium), signed in as Rosa, a
 * reviewer: a GAL nomination from the in-app form through its checks to approval (resolving a
 * blocklist conflict), and a delisting request from the form to a temporary removal; then the
 * cores' clock (the harness's test-only clock) moves past the removal's date and the listing is
 * visibly back in the zone. Ageing requests stand out and the queue panel links to the filter.
 * Each decision shows what goes out (the reply the core drafts, redrafted as the choice changes,
 * no reason in it) apart from what stays in the history; the reply stored in the correspondence
 * thread is the one previewed; "Send" appears only once a relay is configured (before, the
 * reason is shown), and sending through a relay (a local SMTP sink) delivers those bytes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CSV_TEMPLATES } from '../../shared/queues.js';
import type { Locator } from 'playwright-core';
import { repdesk, startHarness, type Harness } from '../e2e-support/harness.js';
import { startSmtpSink } from '../unit/support/smtp-sink.js';

/** Wait until a field's value matches (a draft is redrafted when the choice changes), and return it. */
async function valueMatching(field: Locator, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await field.inputValue();
    if (pattern.test(value)) return value;
    if (Date.now() > deadline) assert.fail(`the value never matched ${pattern}: ${value}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let harness: Harness;
let clock = Date.parse('2026-11-28T12:00:00Z');

before(async () => {
  harness = await startHarness({
    actor: 'Rosa',
    now: () => new Date(clock),
    seed: async (databasePath) => {
      await repdesk(databasePath, 'investigator', 'add', 'Alice', '--roles', 'investigator,liaison,publisher');
      await repdesk(databasePath, '--actor', 'Alice', 'investigator', 'add', 'Rosa', '--roles', 'reviewer');
      // The FCrDNS check asks a resolver on loopback that is not there: no query leaves the machine.
      await repdesk(databasePath, '--actor', 'Alice', 'settings', 'set', 'queues', '{"resolvers":["127.0.0.1:9"],"dnsTimeoutMs":300}');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '82.0.2.0/24', '--list', 'RBL', '--reason', 'spam-source');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '93.0.113.0/24', '--list', 'RBL', '--reason', 'spam-source');
    },
  });
  // An old request, received long before the clock's now: overdue.
  const old = await harness.core.dispatch('delisting.add', { ip: '93.0.113.99', requester: 'late@isp.example', reason: 'still waiting', received: '2026-11-20' }, { actor: 'Alice' });
  assert.ok(old.ok, JSON.stringify(old));
  await harness.page.goto(harness.server.url);
});

after(async () => {
  await harness?.close();
});

test('a reviewer works a nomination from intake to approval, resolving a blocklist conflict', async () => {
  const { page } = harness;
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Nominations' }).click();
  await page.getByRole('heading', { name: 'GAL nominations', level: 1 }).waitFor();
  await page.getByText('New nomination (received by email or phone)').click();
  // The sample template downloads as the file the import accepts.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /MTA entries/ }).click()]);
  assert.equal(download.suggestedFilename(), CSV_TEMPLATES.mtas.filename);
  assert.equal(readFileSync(await download.path(), 'utf8'), CSV_TEMPLATES.mtas.text);
  const form = page.getByRole('form', { name: 'New nomination' });
  const mta = async (row: number, values: string[]) => {
    for (const [index, title] of ['IP', 'FQDN', 'Email domain', 'Company', 'Country/region', 'Type of company'].entries()) {
      await form.getByLabel(`MTA ${row} ${title}`, { exact: true }).fill(values[index]);
    }
  };
  await mta(1, ['82.0.2.25', 'mail.good.example', 'good.example', 'Good Mail BV', 'Netherlands', 'ESP']);
  await form.getByRole('button', { name: 'Add another MTA' }).click();
  await mta(2, ['88.51.100.25', 'mx.good.example', 'good.example', 'Good Mail BV', 'Netherlands', 'ESP']);
  await form.getByLabel('HELO strings').fill('mail.good.example');
  await form.getByLabel('Email', { exact: true }).fill('pat@good.example');
  await form.getByLabel('First name').fill('Pat');
  await form.getByLabel('Last name').fill('Doe');
  await form.getByRole('button', { name: 'Add nomination' }).click();

  // Opening ran the checks and gave the nomination to Rosa.
  await page.getByRole('heading', { name: /Nomination #1/ }).waitFor();
  assert.match(await page.getByRole('heading', { name: /Nomination #1/ }).innerText(), /investigating/);
  const checks = page.getByRole('table', { name: 'Checks for 82.0.2.25' });
  await checks.waitFor();
  const listedRow = await checks.getByRole('row', { name: /^Listed/ }).innerText();
  assert.match(listedRow, /flag\s+RBL #1 82\.0\.2\.0\/24 \(spam-source, by Alice\)/);
  assert.match(listedRow, /2026-11-28 12:00 UTC/);
  assert.match(await checks.getByRole('row', { name: /HELO matches/ }).innerText(), /ok\s+HELO mail\.good\.example matches mail\.good\.example/);
  assert.match(await checks.getByRole('row', { name: /Forward-confirmed/ }).innerText(), /flag\s+not confirmed/);

  const decision = page.getByRole('form', { name: 'Decision' });
  const goesOut = decision.getByRole('group', { name: 'What goes out' });
  assert.match(await goesOut.innerText(), /the reply to Pat Doe \(pat@good\.example\)[\s\S]*to pat@good\.example/);
  await decision.getByRole('group', { name: 'What stays in the history' }).getByLabel('Reason (required)').fill('Verified ESP with SPF and DKIM');
  const approve = decision.getByRole('button', { name: 'Approve' });
  assert.equal(await approve.isDisabled(), true, 'approval waits until the blocklist conflict is resolved');
  const reply = goesOut.getByLabel('Reply', { exact: true });
  await decision.getByLabel('Refuse 82.0.2.25').check();
  await valueMatching(reply, /Approved: 88\.51\.100\.25\. [^\n]*\n\nNot approved: 82\.0\.2\.25\./);
  await decision.getByLabel('Delist the blocking listings and approve 82.0.2.25').check();
  const previewed = await valueMatching(reply, /Approved: 82\.0\.2\.25, 88\.51\.100\.25\. These addresses are on the Global Approved List from the next zone publication\.\n\nThe reputation team/);
  assert.doesNotMatch(previewed, /Verified ESP|\{|\d{4}-\d{2}-\d{2}/, 'no reason, template syntax or machine date in what goes out');
  await approve.click();
  const decided = page.getByRole('status').filter({ hasText: 'Decided: approve by Rosa' });
  await decided.waitFor();
  assert.match(await decided.innerText(), /Approved: 82\.0\.2\.25, 88\.51\.100\.25\./);
  // The reply is in the nomination's thread as mail, exactly as previewed.
  const correspondence = page.getByRole('region', { name: 'Correspondence with the nominee' });
  await correspondence.locator('.thread-message-outbound').waitFor();
  assert.equal(await correspondence.locator('.thread-message-outbound .thread-message-text').innerText(), previewed.replace(/\n*$/, '\n'));
  const stored = await harness.core.dispatch('nominations.get', { id: 1 }, { actor: 'Rosa' });
  assert.ok(stored.ok);
  // (A text field drops the final line break; the mail body ends in one.)
  assert.equal(stored.value.decision?.reply, previewed.replace(/\n*$/, '\n'), 'the reply stored is the reply previewed, character for character');
  const mtas = await page.getByRole('table', { name: 'MTAs' }).locator('tbody tr').allInnerTexts();
  assert.match(mtas[0], /approved\s+GAL\s+#3/);
  assert.match(mtas[1], /approved\s+GAL\s+#4/);
  assert.equal(await page.getByRole('link', { name: '#3' }).getAttribute('href'), '#/record/3');

  await page.goto(`${harness.origin}/#/nominations/status=approved`);
  const rows = page.getByRole('table', { name: 'Nomination queue' }).locator('tbody tr');
  await rows.first().waitFor();
  assert.match(await rows.first().innerText(), /#1\s+approved\s+82\.0\.2\.25, 88\.51\.100\.25\s+pat@good\.example/);
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});

test('a delisting request to temporary removal; after its date the listing is back in the zone', async () => {
  const { page } = harness;
  await page.goto(`${harness.origin}/#/delisting`);
  await page.getByRole('heading', { name: 'Delisting requests', level: 1 }).waitFor();
  // The overdue request stands out, and the panel's overdue number leads to it.
  const overdueRow = page.getByRole('table', { name: 'Delisting queue' }).locator('tr.is-overdue');
  await overdueRow.waitFor();
  assert.match(await overdueRow.innerText(), /93\.0\.113\.99/);
  await page.getByRole('link', { name: 'Delisting requests: 1 overdue' }).click();
  await page.waitForURL(/#\/delisting\/age=overdue$/);
  await page.getByRole('table', { name: 'Delisting queue' }).locator('caption', { hasText: /^1 request$/ }).waitFor();
  assert.deepEqual(await page.getByRole('table', { name: 'Delisting queue' }).locator('tbody tr td:nth-child(3)').allInnerTexts(), ['93.0.113.99']);

  await page.getByText('New delisting request').click();
  const form = page.getByRole('form', { name: 'New delisting request' });
  await form.getByLabel('IP').fill('93.0.113.7');
  await form.getByLabel('Requester contact').fill('postmaster@customer.example');
  await form.getByLabel('Reason given').fill('We closed the open relay yesterday');
  await form.getByRole('button', { name: 'Add request' }).click();
  await page.getByRole('heading', { name: /Delisting request #2: 93\.0\.113\.7/ }).waitFor();
  assert.match(await page.locator('dl.facts').innerText(), /Routing\s+routed to Alice, who assigned RBL #2 93\.0\.113\.0\/24/);
  const listing = page.getByRole('table', { name: 'Listings concerned' }).locator('tbody tr').first();
  assert.match(await listing.innerText(), /#2\s+RBL\s+93\.0\.113\.0\/24\s+active\s+in the zone\s+Alice/);
  assert.match(await page.getByRole('list', { name: 'Prior requests' }).or(page.getByText('None for this IP.')).innerText(), /None for this IP/);

  // The requester's mail is in the record's thread from the start.
  const correspondence = page.getByRole('region', { name: 'Correspondence with the requester' });
  await correspondence.locator('.thread-message-inbound').waitFor();
  assert.match(await correspondence.locator('.thread-message-inbound').innerText(), /postmaster@customer\.example[\s\S]*Delisting request for 93\.0\.113\.7[\s\S]*We closed the open relay yesterday/);

  const decision = page.getByRole('form', { name: 'Decision' });
  const reply = decision.getByRole('group', { name: 'What goes out' }).getByLabel('Reply', { exact: true });
  await valueMatching(reply, /until Saturday 12 December 2026, 12:00 UTC/);
  await decision.getByLabel(/Removed until/).fill('2026-12-01');
  await decision.getByLabel('Reason (required)').fill('Relay closed; trial removal');
  const previewed = await valueMatching(
    reply,
    /93\.0\.113\.7 is removed from our RBL list \(93\.0\.113\.0\/24\) until Tuesday 1 December 2026, 00:00 UTC\. On that date it returns to the list by itself, whatever happens in the meantime\./,
  );
  assert.doesNotMatch(previewed, /Relay closed|\{|\d{4}-\d{2}-\d{2}/);
  await decision.getByRole('button', { name: 'Remove temporarily' }).click();
  const decided = page.getByRole('status').filter({ hasText: 'Decided: remove-temporarily' });
  await decided.waitFor();
  assert.match(await decided.innerText(), /by Rosa, 2026-11-28 12:00 UTC, until 2026-12-01 00:00 UTC/);
  assert.match(await listing.innerText(), /suppressed\s+out of the zone until 2026-12-01 00:00 UTC/);
  assert.match(await page.getByRole('list', { name: 'History' }).innerText(), /Rosa · #2 Taken out of the zone until 2026-12-01 00:00 UTC on delisting request #\d+\. “Relay closed; trial removal”/);
  // The reply, in the thread as mail, is the one previewed; no relay yet: the reason is shown instead of Send.
  const outbound = correspondence.locator('.thread-message-outbound');
  await outbound.waitFor();
  assert.equal(await outbound.locator('.thread-message-text').innerText(), previewed.replace(/\n*$/, '\n'));
  const stored = await harness.core.dispatch('delisting.get', { id: 2 }, { actor: 'Rosa' });
  assert.ok(stored.ok);
  // (A text field drops the final line break; the mail body ends in one.)
  assert.equal(stored.value.decision?.reply, previewed.replace(/\n*$/, '\n'), 'the reply stored is the reply previewed, character for character');
  const storedThread = await harness.core.dispatch('threads.get', { id: stored.value.threadId as number }, { actor: 'Rosa' });
  assert.ok(storedThread.ok);
  assert.equal(storedThread.value.messages.at(-1)?.text, previewed.replace(/\n*$/, '\n'));
  assert.equal(await outbound.getByRole('button', { name: 'Send through the relay' }).count(), 0);
  assert.match(await outbound.getByRole('note').innerText(), /No mail relay is configured \(setting evidence\.smtp\.host\), so RepDesk cannot send/);
  // With a relay (a local SMTP sink standing in for one), Send appears and delivers the stored bytes.
  const sink = await startSmtpSink();
  try {
    const configured = await harness.core.dispatch('settings.update', { evidence: { smtp: { host: '127.0.0.1', port: sink.port } } }, { actor: 'Alice' });
    assert.ok(configured.ok, JSON.stringify(configured));
    await page.reload();
    await correspondence.locator('.thread-message-outbound').waitFor();
    await correspondence.getByRole('button', { name: 'Send through the relay' }).click();
    await correspondence.getByRole('status').filter({ hasText: 'Sent to postmaster@customer.example' }).waitFor();
    assert.equal(sink.received.length, 1);
    assert.deepEqual(sink.received[0].to, ['postmaster@customer.example']);
    assert.match(sink.received[0].data, /^Subject: Re: Delisting request for 93\.0\.113\.7\r$/m);
  } finally {
    await sink.close();
    await harness.core.dispatch('settings.update', { evidence: { smtp: { host: '' } } }, { actor: 'Alice' });
  }

  // Past the date: nobody touched the listing, and it is back in the zone by itself.
  clock = Date.parse('2026-12-01T00:00:01Z');
  await page.reload();
  await page.getByRole('heading', { name: /Delisting request #2/ }).waitFor();
  const after = page.getByRole('table', { name: 'Listings concerned' }).locator('tbody tr').first();
  await after.waitFor();
  assert.match(await after.innerText(), /back in the zone \(removal ended 2026-12-01 00:00 UTC\)/);
  const preview = await harness.core.dispatch('publish.preview', {}, { actor: 'Alice' });
  assert.ok(preview.ok, JSON.stringify(preview));
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});

test('a file of delisting requests imports as a background job: bad rows named first, then imported', async () => {
  const { page } = harness;
  // The job runs on a worker thread with its own core on the real clock, so its listing must be in force by any clock.
  const listed = await harness.core.dispatch('listings.add', { range: '2001:db7:50::/48', list: 'RBL', reason: 'spam-source' }, { actor: 'Alice' });
  assert.ok(listed.ok, JSON.stringify(listed));
  await page.goto(`${harness.origin}/#/delisting`);
  await page.getByText('New delisting request').click();
  const path = join(harness.folder, 'requests.csv');
  writeFileSync(path, 'ip,requester,reason,received\n93.0.113.50,a@customer.example,fixed,2026-11-27\n93.0.113.51,b@customer.example,=HYPERLINK(1),\n');
  const form = page.getByRole('form', { name: 'Import delisting requests' });
  await form.getByLabel('File', { exact: true }).setInputFiles(path);
  await form.getByRole('button', { name: 'Import' }).click();
  const problem = page.getByRole('alert').filter({ hasText: '1 bad row' });
  await problem.waitFor();
  assert.match(await problem.innerText(), /requests\.csv line 3: the reason starts with "="/);
  writeFileSync(path, 'ip,requester,reason,received\n2001:db7:50::25,a@customer.example,fixed,2026-11-27\n88.51.100.200,b@customer.example,why?,\n');
  await form.getByLabel('File', { exact: true }).setInputFiles(path);
  await form.getByRole('button', { name: 'Import' }).click();
  const done = page.getByRole('status').filter({ hasText: 'requests imported' });
  await done.waitFor();
  assert.match(await done.innerText(), /2 requests imported; 1 closed themselves \(not listed\)/);
  assert.deepEqual(harness.problems.errors, []);
});
