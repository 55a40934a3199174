/**
 * The real `repdesk server` in a child process on a data folder, for tests that kill it and
 * start it again: resolves with its URL once it listens. `env`: extra variables (the test-only
 * pause hooks of main/core/snapshot/crash-points.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/integration/support -> the package root. */
export const REPDESK = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../../..'), 'bin', 'repdesk.js');

/** The environment a child gets: no person or database of the test runner's. */
export function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.REPDESK_ACTOR;
  delete env.REPDESK_DB;
  return { ...env, ...extra };
}

/** Start `repdesk server --listen 127.0.0.1:0 --data DATA`. */
export async function startServerProcess(data: string, extra: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [REPDESK, 'server', '--listen', '127.0.0.1:0', '--data', data], { env: childEnvironment(extra), stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolvePromise, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) resolvePromise(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)));
  });
  return { child, url };
}
