/**
 * The real `bin/repdesk.js` in child processes, for tests that kill a publish at a named step,
 * hold it paused there (the test-only hooks of main/core/snapshot/crash-points.ts), or run two
 * at once. The child's environment has no REPDESK_* from ours, only what the test gives.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

/** dist/test/integration/support -> the package root. */
const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../../..'), 'bin', 'repdesk.js');

export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly error: string;
}

function environment(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('REPDESK_')) env[name] = value;
  env.REPDESK_LOG_LEVEL = 'warn';
  // Never the machine's default database.
  env.XDG_CONFIG_HOME = join(tmpdir(), 'repdesk-child-no-default-db');
  return { ...env, ...extra };
}

/** Run `repdesk ARGS` to its end (or its death). */
export function runChild(args: readonly string[], env: Readonly<Record<string, string>> = {}): ChildRun {
  const result = spawnSync(process.execPath, [BIN, ...args], { env: environment(env), encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  return { code: result.status, signal: result.signal, out: result.stdout, error: result.stderr };
}

/** Start `repdesk ARGS`; `done` settles when it ends. */
export function startChild(args: readonly string[], env: Readonly<Record<string, string>> = {}): { readonly pid: number; readonly done: Promise<ChildRun> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let error = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (error += chunk));
  const done = new Promise<ChildRun>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, out, error }));
  });
  return { pid: child.pid ?? -1, done };
}

/** The environment that pauses a child at `step` until `release` is called. */
export function pauseAt(step: string, file: string): { readonly env: Record<string, string>; reached(child: Promise<ChildRun>): Promise<void>; release(): void } {
  return {
    env: { REPDESK_TEST_PAUSE_AT: step, REPDESK_TEST_PAUSE_FILE: file },
    /** Resolves once the child waits at the step; fails at once if it ended before. */
    async reached(child) {
      let ended: ChildRun | null = null;
      void child.then((run) => (ended = run));
      const started = Date.now();
      while (!existsSync(`${file}.reached`)) {
        if (ended) throw new Error(`the child ended before it reached ${step}: ${describeChild(ended)}`);
        if (Date.now() - started > 120_000) throw new Error(`the child never reached ${step}`);
        await new Promise((resolvePromise) => setTimeout(resolvePromise, 20));
      }
    },
    release() {
      writeFileSync(`${file}.go`, '');
    },
  };
}

/** Text describing a child's run, for assertion messages. */
export function describeChild(run: ChildRun): string {
  return `exit ${run.code} signal ${run.signal}\nstdout: ${run.out}\nstderr: ${run.error}`;
}
