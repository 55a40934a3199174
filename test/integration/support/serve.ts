/**
 * A real `repdesk serve` process on 127.0.0.1 (`POST /api/<operation>` with a bearer token), for
 * tests of what goes over HTTP to a server that is its own process: started, called, stopped
 * (SIGTERM) or killed (SIGKILL) by its pid.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiResult } from '../../../shared/result.js';

/** dist/test/integration/support -> the package root. */
const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../../..'), 'bin', 'repdesk.js');

export interface ServeAnswer {
  readonly status: number;
  readonly result: ApiResult<unknown>;
}

export interface ServeProcess {
  readonly pid: number;
  readonly port: number;
  readonly token: string;
  /** `POST /api/<name>` with the token. */
  call(name: string, body: unknown): Promise<ServeAnswer>;
  /** What it printed on standard error so far (its log). */
  log(): string;
  /** SIGTERM, then wait for it to end. */
  stop(): Promise<void>;
  /** SIGKILL, then wait for it to end. */
  kill(): Promise<void>;
}

/**
 * Start `repdesk --db DATABASE --actor ACTOR serve --port 0 ...extra`; resolves once it printed
 * its URL. `variables`: extra environment (the test-only hooks of main/core/snapshot/crash-points.ts).
 */
export async function startServe(database: string, actor: string, extra: readonly string[] = [], variables: Record<string, string> = {}): Promise<ServeProcess> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('REPDESK_')) env[name] = value;
  env.REPDESK_LOG_LEVEL = 'warn';
  env.XDG_CONFIG_HOME = join(tmpdir(), 'repdesk-child-no-default-db');
  Object.assign(env, variables);
  const child = spawn(process.execPath, [BIN, '--db', database, '--actor', actor, 'serve', '--port', '0', ...extra], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let error = '';
  const ended = new Promise<void>((resolvePromise) => child.once('close', () => resolvePromise()));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (error += chunk));
  const url = await new Promise<URL>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`repdesk serve printed no URL in 60 s: ${out}${error}`)), 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePromise(new URL(match[1]));
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`repdesk serve ended (${code}) before it served: ${out}${error}`));
    });
  });
  const token = url.hash.slice('#token='.length);
  const port = Number(url.port);
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await ended;
  };
  return {
    pid: child.pid ?? -1,
    port,
    token,
    async call(name, body) {
      const response = await fetch(`http://127.0.0.1:${port}/api/${name}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, result: (await response.json()) as ApiResult<unknown> };
    },
    log: () => error,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}
