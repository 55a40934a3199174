/**
 * Evidence end to end (real database, server and Chromium), with every request of the browser
 * routed through the test: an investigator drops a hostile HTML spam sample on a record, views
 * it (hops with the chosen source, the HTML in the sandboxed frame, a link behind a confirmation
 * showing its real target), downloads the original, and answers the ISP from a template; hostile
 * structures (1,000-level nesting, a 10 MB header, 100,000 parts, a zip bomb) are shown with
 * their notes; a sample whose source is outside the record is shown with a warning and the offer
 * of the listing for its source. No request may reach a host other than 127.0.0.1, the viewer
 * makes no request beyond the app's own API, and a canary (scripts in the HTML post a message to
 * the page) proves no script ran. The frame's own wall is also tested alone: unsanitised hostile
 * HTML in the same sandboxed, policy-sealed document loads nothing remote and runs nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { Route } from 'playwright-core';
import { sampleFrameDocument } from '../../shared/evidence.js';
import { isLoopback, repdesk, seedLookupTeam, startHarness, type Harness } from '../e2e-support/harness.js';
import { spamMessage } from '../unit/support/mail.js';
import { deeplyNested, hostileHtml, hugeHeader, manyParts, withZipAttachment, zipBomb } from '../unit/support/hostile-mail.js';

/** What a script in a sample's HTML would post to the page (window.__canary), read back from the page. */
const CANARY = "window.__canary = []; window.addEventListener('message', (event) => window.__canary.push(String(event.data)));";

let harness: Harness;
let listingId: number;
let witness: Server;
let witnessUrl: string;
/** Requests that reached the witness server: each one is a load that left the frame. */
const witnessed: string[] = [];
/** Requests the browser tried to send anywhere but 127.0.0.1 (aborted by the route). */
const blocked: string[] = [];

before(async () => {
  witness = createServer((request, response) => {
    // The blank page the frame-alone test starts from (a page on a loopback address, so the
    // browser lets its frames reach another loopback address at all) is not a load from a frame.
    if (request.url === '/blank' || request.url === '/favicon.ico') {
      response.setHeader('Content-Type', 'text/html');
      response.end('<!doctype html><title>blank</title>');
      return;
    }
    witnessed.push(request.url ?? '');
    response.end('');
  });
  await new Promise<void>((resolve) => witness.listen(0, '127.0.0.2', resolve));
  witnessUrl = `http://127.0.0.2:${(witness.address() as { port: number }).port}`;
  harness = await startHarness({
    seed: async (databasePath) => {
      await seedLookupTeam(databasePath);
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '185.220.101.0/24', '--list', 'RBL', '--reason', 'spam-source');
      await repdesk(databasePath, '--actor', 'Alice', 'isp', 'add', 'Example Net', '--asn', '64500', '--isp-contact', 'noc@example.net');
    },
  });
  listingId = harness.core.connection.read.get<{ id: number }>({ text: "SELECT id FROM listings WHERE list = 'RBL' AND prefix = 24 AND hex(first) LIKE '%B9DC6500'", values: [] })?.id ?? 0;
  assert.ok(listingId > 0, 'the seeded listing');
  const handle = async (route: Route) => {
    const url = route.request().url();
    if (isLoopback(url) || url.startsWith('blob:') || url.startsWith(witnessUrl)) await route.continue();
    else {
      blocked.push(url);
      await route.abort('blockedbyclient');
    }
  };
  await harness.context.route('**/*', handle);
  await harness.context.addInitScript(CANARY);
});

async function canary(page = harness.page): Promise<string[]> {
  return (await page.evaluate('window.__canary')) as string[];
}

/** The requests the page made since `from` (an index into the harness's request log) that are not the app's own. */
function requestsBeyondTheApp(from: number): string[] {
  return harness.problems.requests.slice(from).filter((url) => !url.startsWith(`${harness.origin}/`));
}

after(async () => {
  await harness?.close();
  await new Promise((resolve) => witness?.close(resolve));
});

test('a dropped sample is stored, viewed safely, downloaded, and the ISP answered from a template', async () => {
  const { page, server } = harness;
  const content = spamMessage({ html: hostileHtml(witnessUrl), subject: 'You have won a prize' });
  await page.goto(server.url);
  await page.getByRole('link', { name: 'Lookup' }).waitFor();
  // The reputation record hosts the evidence: its Spam samples and Correspondence tabs.
  await page.evaluate(`window.location.hash = ${JSON.stringify(`#/record/${listingId}`)}`);
  await page.getByRole('heading', { name: /185\.220\.101\.0\/24 RBL/, level: 1 }).waitFor();
  await page.getByRole('tab', { name: 'Spam samples (0)' }).click();
  await page.getByText('No samples yet.').waitFor();

  // A drop as the browser delivers it: a DataTransfer holding a File with the message's bytes.
  const dataTransfer = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([${JSON.stringify(content)}], 'prize.eml', { type: 'message/rfc822' }));
    return transfer;
  })()`);
  await page.getByLabel('Drop .eml or mbox files here').dispatchEvent('drop', { dataTransfer });
  await page.getByRole('status').filter({ hasText: 'Stored 1 new sample' }).waitFor();
  assert.match(await page.getByLabel('Import outcome').innerText(), /prize\.eml: imported · source 185\.220\.101\.33/);
  await page.getByLabel('Sample statistics').filter({ hasText: '1 sample' }).waitFor();
  assert.match(await page.getByLabel('Sample statistics').innerText(), /1 sample, first seen 2026-11-26 10:00 UTC, last seen 2026-11-26 10:00 UTC/);
  await page.locator('.samples-chart canvas').first().waitFor();

  const requestsBefore = harness.problems.requests.length;
  await page.getByRole('table', { name: 'Samples' }).getByRole('button', { name: 'View' }).click();
  const viewer = page.getByRole('article', { name: /^Sample #\d+$/ });
  await viewer.waitFor();
  const chosen = viewer.getByRole('table', { name: 'Received chain' }).locator('tr[aria-current="true"]');
  assert.match(await chosen.innerText(), /^2\s+185\.220\.101\.33\s+bulk-mailer\s+mx1\.bl\.example\s+source$/);

  const frameElement = viewer.locator('iframe.sample-html');
  assert.equal(await frameElement.getAttribute('sandbox'), '');
  assert.match((await frameElement.getAttribute('srcdoc')) ?? '', /default-src 'none'; img-src data:; style-src 'unsafe-inline'/);
  await page.frameLocator('iframe.sample-html').getByText('Hello winner').waitFor();
  // Long enough for a refresh, a script or a lazy load to have fired: none may have.
  await page.waitForTimeout(1500);
  assert.deepEqual(await canary(), []);
  assert.deepEqual(requestsBeyondTheApp(requestsBefore), []);
  assert.ok(harness.problems.requests.slice(requestsBefore).every((url) => new URL(url).pathname.startsWith('/api/')), 'the viewer asks only the API');

  await viewer.getByRole('button', { name: 'Your bank' }).click();
  const confirmation = page.getByRole('alertdialog', { name: 'Open a link from a spam sample' });
  assert.match(await confirmation.innerText(), /shows “?Your bank”? and really goes to:\s+http:\/\/phish\.example\/login/);
  await confirmation.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await confirmation.count(), 0);

  const [download] = await Promise.all([page.waitForEvent('download'), viewer.getByRole('button', { name: 'Download .eml' }).click()]);
  assert.equal(readFileSync(await download.path(), 'utf8'), content);

  await page.getByRole('tab', { name: /^Correspondence/ }).click();
  const correspondence = page.getByRole('region', { name: 'Correspondence' });
  await correspondence.getByRole('textbox', { name: 'New thread' }).fill('Delisting request from the ISP');
  await correspondence.getByRole('button', { name: 'Open thread' }).click();
  const thread = page.getByRole('article', { name: /^Thread #\d+$/ });
  await thread.getByRole('heading', { name: 'Delisting request from the ISP' }).waitFor();
  await thread.getByLabel('Template', { exact: true }).selectOption('delisting-denied');
  await thread.getByRole('button', { name: 'Draft' }).click();
  const text = thread.getByLabel('Text', { exact: true });
  await text.waitFor();
  assert.match(await text.inputValue(), /Address: +185\.220\.101\.0\/24/);
  assert.match(await text.inputValue(), /Spam samples: 1, the latest received Thursday 26 November 2026, 10:00 UTC/);
  assert.doesNotMatch(await text.inputValue(), /\d{4}-\d{2}-\d{2}/);
  await thread.getByLabel('To', { exact: true }).fill('noc@isp.example');
  await thread.getByRole('button', { name: 'Save the reply' }).click();
  await thread.locator('.thread-message-outbound').waitFor();
  assert.match(await thread.locator('.thread-message-outbound').innerText(), /abuse-desk@bl\.example → noc@isp\.example/);
  await thread.getByLabel('Outcome', { exact: true }).selectOption('denied');
  await thread.getByRole('button', { name: 'Resolve' }).click();
  await thread.getByText('resolved: denied').waitFor();

  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
  assert.deepEqual(blocked, []);
  assert.deepEqual(witnessed, []);
});

test('an mbox chosen in the file picker is sent, then imported as a background job; a refused message stores nothing until "import the valid ones"', async () => {
  const { page } = harness;
  const path = join(harness.folder, 'batch.mbox');
  const messages = [1, 2, 3].map((number) => `From spammer@prize.example Thu Nov 26 10:00:0${number} 2026\n${spamMessage({ messageId: `batch-${number}`, subject: `Batch ${number}` })}`);
  writeFileSync(path, [...messages, 'From junk@prize.example Thu Nov 26 10:00:09 2026\nthis is not a mail message at all\n'].join('\n'));
  await page.evaluate(`window.location.hash = ${JSON.stringify(`#/record/${listingId}`)}`);
  await page.getByRole('heading', { name: /185\.220\.101\.0\/24 RBL/, level: 1 }).waitFor();
  await page.getByRole('tab', { name: /^Spam samples/ }).click();
  const picker = page.getByLabel('or choose files');
  await picker.setInputFiles(path);
  await page.getByRole('status').filter({ hasText: 'Nothing was stored' }).waitFor();
  assert.match(await page.getByLabel('Import outcome').innerText(), /batch\.mbox #4: failed — no header block: line 1/);
  await page.getByLabel('Import the valid ones when some are refused').check();
  await picker.setInputFiles(path);
  await page.getByRole('status').filter({ hasText: 'Stored 3 new samples' }).waitFor();
  await page.getByLabel('Sample statistics').filter({ hasText: '4 samples' }).waitFor();
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(blocked, []);
});

test("an ISP's page has its correspondence: a thread, the DUL acknowledgement drafted to the ISP's contact, saved", async () => {
  const { page } = harness;
  await page.evaluate(`window.location.hash = '#/dul/Example%20Net'`);
  await page.getByRole('heading', { name: 'Example Net' }).waitFor();
  const correspondence = page.getByRole('region', { name: 'Correspondence' });
  await correspondence.getByRole('textbox', { name: 'New thread' }).fill('DUL submission 2026');
  await correspondence.getByRole('button', { name: 'Open thread' }).click();
  const thread = page.getByRole('article', { name: /^Thread #\d+$/ });
  await thread.getByRole('heading', { name: 'DUL submission 2026' }).waitFor();
  assert.equal(await thread.getByLabel('Template', { exact: true }).inputValue(), 'dul-submission-received');
  await thread.getByRole('button', { name: 'Draft' }).click();
  await thread.getByLabel('Text', { exact: true }).waitFor();
  assert.equal(await thread.getByLabel('To', { exact: true }).inputValue(), 'noc@example.net');
  assert.match(await thread.getByLabel('Text', { exact: true }).inputValue(), /ISP: +Example Net \(AS64500\)/);
  await thread.getByRole('button', { name: 'Save the reply' }).click();
  await thread.locator('.thread-message-outbound').waitFor();
  await page.getByRole('region', { name: 'Correspondence' }).getByText(/open · 1 message/).waitFor();
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(blocked, []);
});

let lastCanary: string[] = [];

/** Show `document` in a sandboxed srcdoc frame on a blank page (no policy of the app's page to inherit), and wait for it to settle. */
async function showInSandbox(document: string, sandbox = '', isWaitingForText = true): Promise<void> {
  const page = await harness.context.newPage();
  try {
    await page.goto(`${witnessUrl}/blank`);
    await page.evaluate(`(() => {
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', ${JSON.stringify(sandbox)});
      frame.setAttribute('srcdoc', ${JSON.stringify(document)});
      frame.id = 'raw';
      document.body.append(frame);
    })()`);
    // (A frame allowed to run scripts follows its <meta refresh> away at once: there is no text to wait for.)
    if (isWaitingForText) await page.frameLocator('#raw').getByText('Hello winner').waitFor();
    // Long enough for a refresh, a script or a lazy load to have fired.
    await page.waitForTimeout(1500);
    lastCanary = await canary(page);
  } finally {
    await page.close();
  }
}

test('the sealed frame alone: unsanitised hostile HTML loads nothing remote and runs no script', async () => {
  witnessed.length = 0;
  const routedBefore = blocked.length;
  await showInSandbox(sampleFrameDocument(hostileHtml(witnessUrl)));
  assert.deepEqual(witnessed, []);
  assert.deepEqual(blocked.slice(routedBefore), []);
  assert.equal(lastCanary.join(', '), '', 'no script ran in the sealed frame');
  // The witness does see what the same frame loads without its policy: the check above can fail.
  await showInSandbox(`<!doctype html><html><body>${hostileHtml(witnessUrl)}</body></html>`);
  const unsealed: string[] = [...witnessed];
  assert.ok(unsealed.includes('/pixel.gif'), `witnessed without the policy: ${unsealed.join(', ')}`);
  assert.ok(!unsealed.includes('/beacon'), 'no script runs in the sandbox even without the policy');
  assert.equal(lastCanary.join(', '), '');
  // And the canary can sing: the same HTML in a frame allowed to run scripts posts to the page.
  await showInSandbox(`<!doctype html><html><body>${hostileHtml(witnessUrl)}</body></html>`, 'allow-scripts', false);
  assert.ok(lastCanary.includes('canary:script'), `canary with scripts allowed: ${lastCanary.join(', ')}`);
});

test('hostile structures are shown with their notes; a sample from outside the record says so and offers the listing of its source', async () => {
  const { page } = harness;
  const write = (name: string, bytes: Buffer): string => {
    const path = join(harness.folder, name);
    writeFileSync(path, bytes);
    return path;
  };
  const paths = [
    write('nested.eml', deeplyNested(1000)),
    write('header.eml', hugeHeader(10_000_000)),
    write('parts.eml', manyParts(100_000)),
    write('zip.eml', withZipAttachment(await zipBomb(64 * 1024 * 1024))),
    write('outside.eml', Buffer.from(spamMessage({ source: '91.7.8.9', messageId: 'outside', subject: 'From elsewhere' }))),
  ];
  const imported = await harness.core.dispatch('samples.import', { files: paths.map((path) => ({ path })), listingId }, { actor: 'Alice', localFiles: true });
  assert.ok(imported.ok && imported.value.committed && imported.value.imported === 5, JSON.stringify(imported));
  assert.match(imported.value.messages[4].notes.join(' '), /its source 91\.7\.8\.9 is outside listing #\d+ \(RBL 185\.220\.101\.0\/24\): attached as asked/);

  await page.evaluate(`window.location.hash = ${JSON.stringify(`#/record/${listingId}`)}`);
  await page.getByRole('heading', { name: /185\.220\.101\.0\/24 RBL/, level: 1 }).waitFor();
  await page.getByRole('tab', { name: /^Spam samples/ }).click();
  const samples = page.getByRole('table', { name: 'Samples' });
  const row = (subject: string) => samples.getByRole('row').filter({ hasText: subject });
  await row('100000 parts').waitFor();
  assert.match(await row('From elsewhere').innerText(), /91\.7\.8\.9\s*outside this record/);
  assert.doesNotMatch(await row('100000 parts').innerText(), /outside this record/);

  const requestsBefore = harness.problems.requests.length;
  for (const [subject, note] of [
    ['nested 1000 levels', /nested deeper than 50 levels/],
    ['a huge header', /a header block over 1\.0 MiB/],
    ['100000 parts', /more than 1,000 MIME parts: only the first 1,000 are examined/],
  ] as const) {
    await row(subject).getByRole('button', { name: 'View' }).click();
    const viewer = page.getByRole('article', { name: /^Sample #\d+$/ });
    await viewer.getByRole('heading', { name: new RegExp(subject) }).waitFor();
    assert.match(await viewer.getByRole('region', { name: 'Problems with the message' }).innerText(), note);
  }
  await row('your invoice').getByRole('button', { name: 'View' }).click();
  const invoice = page.getByRole('article', { name: /^Sample #\d+$/ });
  await invoice.getByRole('heading', { name: /your invoice/ }).waitFor();
  assert.match(await invoice.innerText(), /Attachments: invoice\.zip \(application\/zip, \d+(\.\d)? KB\)/);

  await row('From elsewhere').getByRole('button', { name: 'View' }).click();
  const outside = page.getByRole('article', { name: /^Sample #\d+$/ });
  const warning = outside.getByRole('alert', { name: 'Source outside this record' });
  await warning.waitFor();
  assert.match(await warning.innerText(), /The source 91\.7\.8\.9 is outside this record \(RBL 185\.220\.101\.0\/24\)\./);
  await outside.getByRole('button', { name: 'Create an RBL listing for 91.7.8.9' }).click();
  await outside.getByText(/Linked to .*RBL 91\.7\.8\.9/).waitFor();
  assert.deepEqual(requestsBeyondTheApp(requestsBefore), []);
  assert.deepEqual(await canary(), []);
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(blocked, []);
});
