/**
 * One hostile input, in a process of its own so its memory can be measured: `import KIND FILE`
 * imports a file through the reader of KIND (on the command line's terms, a local path), `http`
 * starts the real server and sends it 100 MB bodies (a JSON call and an upload, by their declared
 * length and chunked). Prints one JSON line: per case the milliseconds until the refusal and its
 * message, and the process's RSS before the first case and its peak after the last.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiResult } from '../../../shared/result.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH } from '../../../shared/files.js';
import { createCore, type CallContext } from '../../../main/core/app.js';
import { startServer } from '../../../main/server/server.js';

const MB = 1024 * 1024;
const [mode, kind, file] = process.argv.slice(2);
const folder = mkdtempSync(join(tmpdir(), 'repdesk-bounded-'));
const core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
const local: CallContext = { actor: 'Ana', localFiles: true };

interface Outcome {
  readonly name: string;
  readonly milliseconds: number;
  readonly status?: number;
  readonly message: string;
}

async function must(result: Promise<ApiResult<unknown>>): Promise<void> {
  const answer = await result;
  if (!answer.ok) throw new Error(answer.error.message);
}

async function importFile(): Promise<Outcome[]> {
  const inputs: Record<string, [string, Record<string, unknown>]> = {
    listings: ['listings.importFile', { file: { path: file }, list: 'RBL', reason: 'spam-source' }],
    qil: ['qil.ingest', { file: { path: file } }],
    dul: ['dul.preview', { file: { path: file }, isp: 'Example Net' }],
    delisting: ['delisting.import', { file: { path: file } }],
    nominations: ['nominations.import', { bundle: { path: join(folder, 'bundle.json') }, files: { 'mtas.csv': { path: file } } }],
    samples: ['samples.import', { files: [{ path: file }] }],
  };
  writeFileSync(join(folder, 'bundle.json'), JSON.stringify({ contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' }, mtas: 'mtas.csv' }));
  const [operation, input] = inputs[kind];
  const started = performance.now();
  const result = await core.dispatchUnknown(operation, input, local);
  const milliseconds = performance.now() - started;
  const message = result.ok ? JSON.stringify(result.value).slice(0, 300) : `${result.error.message} ${(result.error.details ?? []).join(' ')}`.slice(0, 300);
  return [{ name: kind, milliseconds, message }];
}

/** Send `bytes` of body (a repeated 64 KiB chunk, so the sender holds no more) and time the answer. */
function send(port: number, token: string, path: string, headers: Record<string, string>, bytes: number): Promise<Omit<Outcome, 'name'>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const outgoing = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { Authorization: `Bearer ${token}`, ...headers } });
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!outgoing.write(chunk)) {
          outgoing.once('drain', pump);
          return;
        }
      }
      outgoing.end();
    };
    outgoing.on('response', (response) => {
      const milliseconds = performance.now() - started;
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ milliseconds, status: response.statusCode, message: Buffer.concat(parts).toString().slice(0, 300) }));
    });
    outgoing.on('error', reject);
    pump();
  });
}

async function http(): Promise<Outcome[]> {
  await must(core.dispatch('settings.update', { import: { maxFileBytes: 10 * MB } }, local));
  const server = await startServer({ core, call: { actor: 'Ana' }, port: 0, staticFolder: folder });
  const size = 100 * MB;
  const outcomes: Outcome[] = [];
  const cases: Array<[string, string, Record<string, string>]> = [
    ['JSON body, declared length', '/api/lookup', { 'Content-Type': 'application/json', 'Content-Length': String(size) }],
    ['JSON body, chunked', '/api/lookup', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }],
    ['upload, declared length', UPLOAD_PATH, { [UPLOAD_NAME_HEADER]: 'huge.csv', 'Content-Length': String(size) }],
    ['upload, chunked', UPLOAD_PATH, { [UPLOAD_NAME_HEADER]: 'huge.csv', 'Transfer-Encoding': 'chunked' }],
  ];
  for (const [name, path, headers] of cases) outcomes.push({ name, ...(await send(server.port, server.token, path, headers, size)) });
  await server.close();
  return outcomes;
}

try {
  await must(core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator', 'liaison', 'reviewer'] }, { actor: null }));
  await must(core.dispatch('isps.add', { name: 'Example Net' }, local));
  const rssBefore = process.memoryUsage().rss;
  const outcomes = mode === 'http' ? await http() : await importFile();
  process.stdout.write(`${JSON.stringify({ rssBefore, maxRss: process.resourceUsage().maxRSS * 1024, outcomes })}\n`);
} finally {
  core.close();
  rmSync(folder, { recursive: true, force: true });
}
