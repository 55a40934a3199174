/**
 * Files over HTTP, against the real server on a real database: every operation that reads a file
 * takes an upload end to end; a path a client sends is refused for each of them (and nothing of
 * the named file comes back); a nomination bundle names its CSV files by plain names only; error
 * details quote no more of a file than the offending cell; bodies over their limit get a 413 that
 * the client reads before the connection closes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiResult } from '../../shared/result.js';
import type { JobView } from '../../shared/jobs.js';
import { CSV_TEMPLATES } from '../../shared/queues.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH, type UploadReceipt } from '../../shared/files.js';
import { createCore, type Core } from '../../main/core/app.js';
import { startServer, MAX_BODY_BYTES, type RunningServer } from '../../main/server/server.js';
import { repdesk } from '../e2e-support/harness.js';
import { spamMessage } from '../unit/support/mail.js';

const TOKEN = 'server-files-test-token';
let folder: string;
let core: Core;
let server: RunningServer;
let base: string;

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly result: ApiResult<unknown>;
  readonly headers: Headers;
}

async function call(name: string, body: unknown): Promise<Answer> {
  const response = await fetch(`${base}/api/${name}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, result: JSON.parse(text) as ApiResult<unknown>, headers: response.headers };
}

async function value<T>(name: string, body: unknown): Promise<T> {
  const answer = await call(name, body);
  assert.ok(answer.result.ok, `${name}: ${answer.text}`);
  return answer.result.value as T;
}

async function upload(name: string, content: string | Buffer): Promise<UploadReceipt> {
  const response = await fetch(`${base}${UPLOAD_PATH}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, [UPLOAD_NAME_HEADER]: encodeURIComponent(name) }, body: content });
  const result = (await response.json()) as ApiResult<UploadReceipt>;
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(response.status, 200);
  return result.value;
}

const ref = (receipt: UploadReceipt) => ({ upload: receipt.upload });

async function waitForJob(job: JobView): Promise<JobView> {
  let view = job;
  while (view.state === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 50));
    view = await value<JobView>('jobs.get', { id: job.id });
  }
  return view;
}

function uploadsLeft(): string[] {
  return readdirSync(core.uploads.folder as string).filter((name) => name.endsWith('.json'));
}

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-server-files-'));
  const databasePath = join(folder, 'repdesk.sqlite');
  await repdesk(databasePath, 'investigator', 'add', 'Ana', '--roles', 'investigator,liaison,reviewer,publisher');
  core = createCore({ databasePath });
  server = await startServer({ core, call: { actor: 'Ana' }, port: 0, staticFolder: folder, token: TOKEN });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server?.close();
  core?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('every operation that reads a file refuses a path over HTTP, and nothing of the file comes back', () => {
  const secret = '/etc/passwd';
  const cases: Array<[string, Record<string, unknown>]> = [
    ['listings.importFile', { file: { path: secret }, list: 'RBL', reason: 'spam-source' }],
    ['qil.ingest', { file: { path: secret } }],
    ['dul.preview', { file: { path: secret }, isp: 'Example Net' }],
    ['dul.commit', { file: { path: secret }, isp: 'Example Net' }],
    ['samples.import', { files: [{ path: secret }] }],
    ['threads.import', { threadId: 1, files: [{ path: secret }] }],
    ['nominations.import', { bundle: { path: secret } }],
    ['delisting.import', { file: { path: secret } }],
    ['audit.verify', { snapshot: { path: '/srv/snapshots/current' }, pubkeys: [{ path: secret }] }],
  ];
  for (const [name, input] of cases) {
    test(name, async () => {
      const answer = await call(name, input);
      assert.equal(answer.status, 403, answer.text);
      assert.match(answer.text, /only the command line/);
      assert.doesNotMatch(answer.text, /root:/);
    });
  }

  test('as background jobs too: the job fails, naming why', async () => {
    const job = await value<JobView>('jobs.start', { operation: 'listings.importFile', input: { file: { path: secret }, list: 'RBL', reason: 'spam-source' } });
    const ended = await waitForJob(job);
    assert.equal(ended.state, 'failed');
    assert.match(ended.error?.message ?? '', /only the command line/);
    assert.doesNotMatch(JSON.stringify(ended), /root:/);
  });

  test('publish.run into a folder the client names, and publish.outDir set to one, are refused', async () => {
    const publish = await call('publish.run', { out: '/tmp/elsewhere' });
    assert.equal(publish.status, 403);
    assert.match(publish.result.ok ? '' : publish.result.error.message, /"out" names a folder on the server/);
    const settings = await call('settings.update', { publish: { outDir: '/etc/cron.d' } });
    assert.equal(settings.status, 403);
    assert.match(settings.text, /publish\.outDir names a folder on the server/);
    // The folder as it is may be sent back unchanged (a settings page sends the whole section).
    const current = await value<{ publish: Record<string, unknown> }>('settings.get', {});
    await value('settings.update', { publish: { ...current.publish, maxAddedPerList: 20000 } });
  });
});

describe('uploads end to end, for each operation that reads a file', () => {
  test('listings.importFile: the upload imports, then is gone; a second use is refused', async () => {
    const receipt = await upload('ranges.txt', '11.20.0.0/24\n11.20.1.1\n');
    assert.equal(receipt.size, 23);
    const summary = await value<{ imported: number }>('listings.importFile', { file: ref(receipt), list: 'RBL', reason: 'spam-source' });
    assert.equal(summary.imported, 2);
    const again = await call('listings.importFile', { file: ref(receipt), list: 'RBL', reason: 'spam-source' });
    assert.equal(again.status, 400);
    assert.match(again.text, /no upload/);
  });

  test('listings.importFile as a background job', async () => {
    const receipt = await upload('more.txt', '11.21.0.0/24\n');
    const ended = await waitForJob(await value<JobView>('jobs.start', { operation: 'listings.importFile', input: { file: ref(receipt), list: 'MML', reason: 'marketing' } }));
    assert.equal(ended.state, 'done', JSON.stringify(ended.error));
    assert.equal((ended.result as { imported: number }).imported, 1);
  });

  test('qil.ingest', async () => {
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const receipt = await upload('hits.csv', `timestamp,source,count,trap\n${at},11.22.0.9,1,trap-a\n`);
    const summary = await value<{ observations: number }>('qil.ingest', { file: ref(receipt) });
    assert.equal(summary.observations, 1);
  });

  test('dul.preview reads the upload and leaves it; dul.commit of the same upload uses it up', async () => {
    await value('isps.add', { name: 'Example Net' });
    const receipt = await upload('pools.csv', '45.30.0.0/24\n45.30.1.0/24\n');
    const preview = await value<{ diff: { added: { total: number } } }>('dul.preview', { file: ref(receipt), isp: 'Example Net' });
    assert.equal(preview.diff.added.total, 2);
    const committed = await value<{ submission: { added: number; source: string } }>('dul.commit', { file: ref(receipt), isp: 'Example Net' });
    assert.equal(committed.submission.added, 2);
    assert.equal(committed.submission.source, 'pools.csv');
    assert.match((await call('dul.preview', { file: ref(receipt), isp: 'Example Net' })).text, /no upload/);
  });

  test('samples.import and threads.import', async () => {
    const listing = await value<{ listing: { id: number } }>('listings.add', { range: '185.220.101.0/24', list: 'RBL', reason: 'spam-source' });
    const sample = await upload('prize.eml', spamMessage());
    const imported = await value<{ imported: number; messages: Array<{ file: string }> }>('samples.import', { files: [ref(sample)], listingId: listing.listing.id });
    assert.equal(imported.imported, 1);
    assert.equal(imported.messages[0].file, 'prize.eml');
    const thread = await value<{ id: number }>('threads.create', { listingId: listing.listing.id, subject: 'Delisting request' });
    const mail = await upload('request.eml', spamMessage({ messageId: 'request-1', subject: 'Please delist' }));
    const added = await value<{ added: number }>('threads.import', { threadId: thread.id, files: [ref(mail)] });
    assert.equal(added.added, 1);
  });

  test('nominations.import: the bundle and the CSV files it names, sent together and mapped by name', async () => {
    const mtas = await upload('mtas.csv', `${CSV_TEMPLATES.mtas.text}45.31.0.10,mail.good.example,good.example,Good Mail BV,Netherlands,ESP\n`);
    const bundle = await upload('bundle.json', JSON.stringify({ contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' }, mtas: 'mtas.csv' }));
    const nomination = await value<{ ips: string[] }>('nominations.import', { bundle: ref(bundle), files: { 'mtas.csv': ref(mtas) } });
    assert.deepEqual(nomination.ips, ['45.31.0.10']);
  });

  test('nominations.import: a named CSV that was not sent is named; names that are paths are refused, nothing of the named file read', async () => {
    for (const name of ['helos.csv', '/etc/passwd', '../../../../etc/passwd', '..\\..\\etc\\passwd']) {
      const bundle = await upload('bundle.json', JSON.stringify({ contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' }, mtas: name }));
      const answer = await call('nominations.import', { bundle: ref(bundle) });
      assert.equal(answer.status, 400, answer.text);
      const error = answer.result.ok ? null : answer.result.error;
      assert.match(error?.details?.join('\n') ?? '', name === 'helos.csv' ? /"helos\.csv" was not sent with the bundle/ : /a file name, not a path/);
      assert.doesNotMatch(answer.text, /root:/);
    }
    const bundle = await upload('bundle.json', JSON.stringify({ contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' }, mtas: 'mtas.csv' }));
    const sentAsPath = await call('nominations.import', { bundle: ref(bundle), files: { '../mtas.csv': ref(bundle) } });
    assert.equal(sentAsPath.status, 400);
    assert.match(sentAsPath.text, /a file name, not a path/);
  });

  test('delisting.import', async () => {
    const receipt = await upload('requests.csv', 'ip,requester,reason,received\n185.220.101.7,noc@isp.example,cleaned,2026-11-27\n');
    const result = await value<{ created: number[] }>('delisting.import', { file: ref(receipt) });
    assert.equal(result.created.length, 1);
  });

  test('nothing is left in the store but the uploads no import used', () => {
    // Two unused bundles of the refused nominations, and the refused bundle/CSV pairs.
    assert.ok(uploadsLeft().length >= 1);
    for (const name of uploadsLeft()) core.uploads.consume(name.slice(0, -5));
    assert.deepEqual(uploadsLeft(), []);
  });
});

describe('error details quote no more of a file than the offending cell', () => {
  test('a file of long lines: each quoted cell is at most 80 characters', async () => {
    const line = `root:x:0:0:${'secret '.repeat(100)}`;
    const receipt = await upload('passwd', `${line}\n${line}\n`);
    const answer = await call('listings.importFile', { file: ref(receipt), list: 'RBL', reason: 'spam-source' });
    assert.equal(answer.status, 400);
    const details = answer.result.ok ? [] : (answer.result.error.details ?? []);
    assert.equal(details.length, 2);
    for (const detail of details) for (const quoted of detail.match(/"[^"]*"/g) ?? []) assert.ok(quoted.length <= 82, quoted);
    assert.ok(answer.text.length < 1000, `${answer.text.length} characters for a ${line.length * 2}-character file`);
  });

  test('on the command line a bundle naming /etc/passwd, or a path out of its folder, is refused without reading it', async () => {
    const bundle = join(folder, 'bundle.json');
    for (const name of ['/etc/passwd', '../../../../etc/passwd']) {
      writeFileSync(bundle, JSON.stringify({ contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' }, mtas: name }));
      const result = await core.dispatch('nominations.import', { bundle: { path: bundle } }, { actor: 'Ana', localFiles: true });
      assert.ok(!result.ok);
      assert.match(JSON.stringify(result.error), /a file name, not a path/);
      assert.doesNotMatch(JSON.stringify(result.error), /root:/);
    }
  });
});

/** A raw request whose body is sent in chunks while the answer may already be coming; resolves with the answer, or the error. */
function streamingRequest(path: string, headers: Record<string, string>, totalBytes: number): Promise<{ status: number; body: string; sent: number } | { error: string; sent: number }> {
  return new Promise((resolve) => {
    let sent = 0;
    const request = httpRequest(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, ...headers } });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', pump);
          return;
        }
      }
      request.end();
    };
    request.on('response', (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString(), sent }));
    });
    request.on('error', (error) => resolve({ error: error.message, sent }));
    pump();
  });
}

describe('bodies over their limit: 413 at once, and the client reads it', () => {
  test('a JSON body declared over the limit is answered before it is sent', async () => {
    const answer = await streamingRequest('/api/lookup', { 'Content-Type': 'application/json', 'Content-Length': String(8 * MAX_BODY_BYTES) }, 8 * MAX_BODY_BYTES);
    assert.ok('status' in answer, JSON.stringify(answer));
    assert.equal(answer.status, 413);
    assert.match(answer.body, /over 1\.0 MiB, the limit of an API call/);
  });

  test('a chunked JSON body is refused when its bytes pass the limit', async () => {
    const answer = await streamingRequest('/api/lookup', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, 4 * MAX_BODY_BYTES);
    assert.ok('status' in answer, JSON.stringify(answer));
    assert.equal(answer.status, 413);
  });

  test('an upload over import.maxFileBytes: 413 by its length or by its bytes, and nothing kept', async () => {
    await value('settings.update', { import: { maxFileBytes: 100_000 } });
    const before = readdirSync(core.uploads.folder as string);
    try {
      const declared = await streamingRequest(UPLOAD_PATH, { [UPLOAD_NAME_HEADER]: 'big.csv', 'Content-Length': String(2_000_000) }, 2_000_000);
      assert.ok('status' in declared, JSON.stringify(declared));
      assert.equal(declared.status, 413);
      assert.match(declared.body, /big\.csv is over the upload limit of 97\.7 KiB \(setting import\.maxFileBytes\)/);
      const chunked = await streamingRequest(UPLOAD_PATH, { [UPLOAD_NAME_HEADER]: 'big.csv', 'Transfer-Encoding': 'chunked' }, 2_000_000);
      assert.ok('status' in chunked, JSON.stringify(chunked));
      assert.equal(chunked.status, 413);
      assert.deepEqual(readdirSync(core.uploads.folder as string), before);
    } finally {
      await value('settings.update', { import: { maxFileBytes: 268435456 } });
    }
  });

  test('an upload without the token is refused, and its body not stored', async () => {
    const response = await fetch(`${base}${UPLOAD_PATH}`, { method: 'POST', body: 'x' });
    assert.equal(response.status, 401);
  });
});
