/**
 * `npm run bench team`: one real `repdesk server` (a child process) and 50 simulated people, each
 * signed in with a session of their own and a connection of their own, working while a
 * 1,200,000-line import runs as a job: lookups and record views (reads), TXT edits and delisting
 * decisions (writes), each person pausing 250-750 ms between calls as a person at work would.
 * Each call is made once: a 503 (a write that did not get the database within the server's 5 s)
 * is a failed call, counted apart as well, and not tried again, so the latencies are those of
 * first answers (the clients' own retry would hide a 503 inside a longer wait). Printed: the calls
 * made, read and write latency (median, p99, max) during the import and over the whole run, the
 * 503 answers, failed calls by reason, and afterwards that
 * nothing was lost (every answered edit and decision is in the database, the import's count,
 * `audit verify`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { formatAddress } from '../../shared/address.js';
import type { ApiResult } from '../../shared/result.js';
import { createCore } from '../../main/core/app.js';
import { listingImportFile, publicIpv4, seededRandom } from './generate.js';
import { ok } from '../unit/support/results.js';

type Line = (label: string, value: string, target: string) => void;

const REPDESK = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bin', 'repdesk.js');
const PEOPLE = 50;
const SEEDED_LISTINGS = 5_000;
const SEEDED_REQUESTS = 3_000;
const PASSPHRASE_OF = (name: string) => `${name.toLowerCase()} walks the long quay at noon`;
/** The least the people work after the import ends (the whole run is also a steady state). */
const AFTER_IMPORT_MS = 10_000;

function seedAddress(index: number): string {
  return `81.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

/** The database: an admin, 50 enrolled people (investigator and reviewer), 5,000 listings and 3,000 open delisting requests about them. */
async function seed(folder: string, databasePath: string): Promise<string[]> {
  const core = createCore({ databasePath });
  const cli = { actor: 'Ada', client: 'cli' as const, localFiles: true };
  try {
    await ok(core.dispatch('investigators.add', { name: 'Ada', roles: ['investigator', 'reviewer'] }, { actor: null }));
    const names: string[] = [];
    for (let index = 1; index <= PEOPLE; index += 1) {
      const name = `Person ${String(index).padStart(2, '0')}`;
      const invitation = await ok(core.dispatch('team.invite', { name, roles: ['investigator', 'reviewer'] }, cli));
      await ok(core.dispatch('auth.enrol', { code: invitation.code, passphrase: PASSPHRASE_OF(name) }, { actor: null }));
      names.push(name);
    }
    const listings = join(folder, 'seed-listings.txt');
    writeFileSync(listings, Array.from({ length: SEEDED_LISTINGS }, (_, index) => seedAddress(index)).join('\n'));
    await ok(core.dispatch('listings.importFile', { file: { path: listings }, list: 'RBL', reason: 'spam-source' }, cli));
    const requests = join(folder, 'seed-requests.csv');
    const rows = Array.from({ length: SEEDED_REQUESTS }, (_, index) => `${seedAddress(index)},owner${index}@mail.example,we fixed the server,2026-12-01T00:00:00Z`);
    writeFileSync(requests, `ip,requester,reason,received\n${rows.join('\n')}\n`);
    await ok(core.dispatch('delisting.import', { file: { path: requests } }, cli));
    return names;
  } finally {
    core.close();
  }
}

interface Answer {
  readonly status: number;
  readonly result: ApiResult<unknown> | null;
  readonly ms: number;
}

/** One call over a person's own keep-alive connection. */
function call(agent: Agent, port: number, path: string, body: unknown, token: string | null, raw?: { file: string; name: string }): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const headers: Record<string, string> = raw
      ? { 'Content-Type': 'application/octet-stream', 'X-File-Name': raw.name, 'Content-Length': String(statSync(raw.file).size) }
      : { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        let result: ApiResult<unknown> | null = null;
        try {
          result = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ApiResult<unknown>;
        } catch {
          result = null;
        }
        resolvePromise({ status: response.statusCode ?? 0, result, ms: performance.now() - started });
      });
    });
    outgoing.on('error', (error) => resolvePromise({ status: 0, result: { ok: false, error: { code: 'internal', message: error.message } }, ms: performance.now() - started }));
    if (raw) createReadStream(raw.file).pipe(outgoing);
    else outgoing.end(JSON.stringify(body));
  });
}

/** A person's call, made once: a 503 is counted (and is a failed call). */
async function callAsAPerson(agent: Agent, port: number, path: string, body: unknown, token: string, onBusy: () => void): Promise<Answer> {
  const answer = await call(agent, port, path, body, token);
  if (answer.status === 503) onBusy();
  return answer;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function figures(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${percentile(sorted, 0.5).toFixed(0)} / ${percentile(sorted, 0.99).toFixed(0)} / ${(sorted.at(-1) ?? Number.NaN).toFixed(0)} ms`;
}

async function startServer(data: string): Promise<{ child: ChildProcess; port: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, REPDESK_LOG_LEVEL: process.env.BENCH_SERVER_LOG ?? 'error' };
  delete env.REPDESK_ACTOR;
  delete env.REPDESK_DB;
  const child = spawn(process.execPath, [REPDESK, 'server', '--listen', '127.0.0.1:0', '--data', data], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolvePromise, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (match) resolvePromise(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${out}`)));
  });
  return { child, port };
}

export async function benchTeam(folder: string, line: Line): Promise<void> {
  const data = join(folder, 'team');
  mkdirSync(data, { mode: 0o700 });
  const databasePath = join(data, 'repdesk.sqlite');
  let started = performance.now();
  const names = await seed(folder, databasePath);
  const importFile = await listingImportFile();
  line('set-up: 50 people enrolled, 5,000 listings, 3,000 requests', `${((performance.now() - started) / 1000).toFixed(1)} s`, 'informational');

  const server = await startServer(data);
  try {
    const agents = names.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
    const tokens = await Promise.all(
      names.map(async (name, index) => {
        const answer = await call(agents[index], server.port, '/api/auth.signIn', { name, passphrase: PASSPHRASE_OF(name), client: 'cli' }, null);
        if (!answer.result?.ok) throw new Error(`${name} could not sign in: ${JSON.stringify(answer.result)}`);
        return (answer.result.value as { token: string }).token;
      }),
    );

    // The first person also starts the import as a job, the file streamed to the server as an upload, on a connection of its own.
    const adminAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const importer = tokens[0];
    const upload = await call(adminAgent, server.port, '/api/upload', undefined, importer, { file: importFile, name: 'listings.txt' });
    if (!upload.result?.ok) throw new Error(`the upload failed: ${JSON.stringify(upload.result)}`);
    const uploadId = (upload.result.value as { upload: string }).upload;

    const reads: { ms: number; during: boolean }[] = [];
    const writes: { ms: number; during: boolean }[] = [];
    const failures = new Map<string, number>();
    const editsDone = new Map<string, number>();
    let decisionsDone = 0;
    let busyAnswers = 0;
    const onBusy = () => {
      busyAnswers += 1;
    };
    let nextRequest = 1;
    let isImporting = true;
    let isWorking = true;

    const job = await call(adminAgent, server.port, '/api/jobs.start', { operation: 'listings.importFile', input: { file: { upload: uploadId }, list: 'RBL', reason: 'spam-source' } }, importer);
    if (!job.result?.ok) throw new Error(`the import did not start: ${JSON.stringify(job.result)}`);
    const jobId = (job.result.value as { id: number }).id;
    started = performance.now();

    const person = async (index: number) => {
      const random = seededRandom(1000 + index);
      const agent = agents[index];
      const token = tokens[index];
      for (let turn = 0; isWorking; turn += 1) {
        await new Promise((resolvePromise) => setTimeout(resolvePromise, 250 + random() * 500));
        if (!isWorking) break;
        const roll = random();
        const listingId = 1 + Math.floor(random() * SEEDED_LISTINGS);
        let answer: Answer;
        let isWrite = false;
        if (roll < 0.4) {
          const ip = random() < 0.5 ? seedAddress(Math.floor(random() * SEEDED_LISTINGS)) : formatAddress(4, BigInt(publicIpv4(random)));
          answer = await callAsAPerson(agent, server.port, '/api/lookup', { ip }, token, onBusy);
        } else if (roll < 0.7) {
          answer = await callAsAPerson(agent, server.port, '/api/listings.record', { id: listingId }, token, onBusy);
        } else if (roll < 0.9) {
          isWrite = true;
          answer = await callAsAPerson(agent, server.port, '/api/listings.edit', { action: 'txt', id: listingId, why: 'bench edit', txt: `checked by ${names[index]} (${turn})` }, token, onBusy);
          if (answer.result?.ok) editsDone.set(names[index], (editsDone.get(names[index]) ?? 0) + 1);
        } else {
          isWrite = true;
          const id = nextRequest;
          nextRequest += 1;
          answer = await callAsAPerson(agent, server.port, '/api/delisting.decide', { id, decision: 'deny', why: 'still sending spam' }, token, onBusy);
          if (answer.result?.ok) decisionsDone += 1;
        }
        (isWrite ? writes : reads).push({ ms: answer.ms, during: isImporting });
        if (!answer.result?.ok) {
          const reason = `${answer.status} ${answer.result && !answer.result.ok ? `${answer.result.error.code}: ${answer.result.error.message.slice(0, 80)}` : 'no JSON'}`;
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        }
      }
    };
    const working = names.map((_, index) => person(index));

    let imported = 0;
    for (;;) {
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 250));
      const view = await call(adminAgent, server.port, '/api/jobs.get', { id: jobId }, importer);
      const state = view.result?.ok ? (view.result.value as { state: string; result: { imported: number } | null; error: { message: string } | null }) : null;
      if (!state) throw new Error(`jobs.get failed: ${JSON.stringify(view.result)}`);
      if (state.state === 'running') continue;
      if (state.state !== 'done') throw new Error(`the import ended ${state.state}: ${state.error?.message}`);
      imported = state.result?.imported ?? 0;
      break;
    }
    const importSeconds = (performance.now() - started) / 1000;
    isImporting = false;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, AFTER_IMPORT_MS));
    isWorking = false;
    await Promise.all(working);
    const seconds = (performance.now() - started) / 1000;

    const during = (samples: { ms: number; during: boolean }[]) => samples.filter((sample) => sample.during).map((sample) => sample.ms);
    const all = (samples: { ms: number; during: boolean }[]) => samples.map((sample) => sample.ms);
    line('the 1.2M-line import job, with 50 people at work', `${importSeconds.toFixed(1)} s`, 'informational');
    line('calls made (reads + writes), whole run', `${reads.length} + ${writes.length}`, `${((reads.length + writes.length) / seconds).toFixed(0)} calls/s over ${seconds.toFixed(0)} s`);
    line('read p50 / p99 / max during the import', figures(during(reads)), 'p99 under 100 ms');
    line('write p50 / p99 / max during the import', figures(during(writes)), 'p99 under 250 ms');
    line('read p50 / p99 / max, whole run', figures(all(reads)), 'p99 under 100 ms');
    line('write p50 / p99 / max, whole run', figures(all(writes)), 'p99 under 250 ms');
    const failed = [...failures.values()].reduce((sum, count) => sum + count, 0);
    line('503 busy answers (each call made once: a 503 is a failed call)', String(busyAnswers), 'zero');
    line('failed calls (what a person saw)', String(failed), 'zero');
    for (const [reason, count] of failures) line(`  ${reason}`, String(count), 'zero');

    server.child.kill('SIGTERM');
    await new Promise((resolvePromise) => server.child.once('close', resolvePromise));
    const database = new Database(databasePath, { readonly: true });
    try {
      const listings = (database.prepare('SELECT count(*) AS count FROM listings').get() as { count: number }).count;
      line('listings after (5,000 seeded + the import)', String(listings), `${SEEDED_LISTINGS + imported} (imported ${imported})`);
      const edits = (database.prepare("SELECT count(*) AS count FROM events WHERE action = 'listing.updated' AND actor LIKE 'Person %'").get() as { count: number }).count;
      const answeredEdits = [...editsDone.values()].reduce((sum, count) => sum + count, 0);
      line('TXT edits in the history / answered', `${edits} / ${answeredEdits}`, 'equal');
      const denied = (database.prepare("SELECT count(*) AS count FROM delisting_requests WHERE status = 'denied'").get() as { count: number }).count;
      line('delisting decisions recorded / answered', `${denied} / ${decisionsDone}`, 'equal');
    } finally {
      database.close();
    }
    // The server folds the dashboard's figures after the import in steps and stops with them when
    // it is stopped; fold the rest here, so that `audit verify` finds nothing to fold and starts no
    // detached fold that would still be writing when the section removes its folder.
    spawnSync(process.execPath, [REPDESK, '--db', databasePath, 'dashboard', '--json'], { stdio: 'ignore', env: { ...process.env, REPDESK_LOG_LEVEL: 'error' } });
    const verify = spawnSync(process.execPath, [REPDESK, '--db', databasePath, 'audit', 'verify'], { encoding: 'utf8', env: { ...process.env, REPDESK_LOG_LEVEL: 'error' } });
    line('audit verify after', verify.status === 0 ? 'intact' : `FAILED (exit ${verify.status})`, 'intact');
    if (verify.status !== 0) process.stdout.write(`${verify.stdout}${verify.stderr}\n`);
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
}
