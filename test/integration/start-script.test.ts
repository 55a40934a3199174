/**
 * `npm start` (scripts/start.js) builds only what changed: with the build current (npm test built
 * it), it runs no UI build and goes straight to `repdesk serve`, with the arguments given after
 * `--` (here `--port 0`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

test('a start with nothing changed builds no UI and serves with the arguments given', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-start-'));
  const child = spawn(process.execPath, ['scripts/start.js', '--port', '0'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, REPDESK_DB: join(folder, 'repdesk.sqlite'), REPDESK_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 120 s:\n${output}`)), 120_000);
      const check = () => {
        if (/Open http:\/\/127\.0\.0\.1:\d+\/#token=/.test(output)) {
          clearTimeout(timer);
          resolvePromise();
        }
      };
      child.stdout.on('data', check);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start ended (${code}) before serving:\n${output}`));
      });
    });
    assert.match(output, /renderer: up to date/);
    assert.doesNotMatch(output, /vite|building/i, 'no UI build when nothing changed');
  } finally {
    // The script and the server it started are one process group.
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolvePromise) => child.once('exit', resolvePromise).once('error', resolvePromise));
    rmSync(folder, { recursive: true, force: true });
  }
});
