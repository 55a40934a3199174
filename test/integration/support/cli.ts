/**
 * The `repdesk` command line run in this process through `runCli`, with what it printed kept
 * line by line, and external programs run with their output kept for assertion messages.
 */
import { spawnSync } from 'node:child_process';
import { runCli } from '../../../main/cli/main.js';

export interface Run {
  readonly code: number;
  readonly out: string[];
  readonly error: string[];
}

/** Run `repdesk ARGS` in this process; REPDESK_DB and REPDESK_ACTOR are ignored (arguments say everything). */
export async function repdesk(args: readonly string[]): Promise<Run> {
  const saved = { database: process.env.REPDESK_DB, actor: process.env.REPDESK_ACTOR };
  delete process.env.REPDESK_DB;
  delete process.env.REPDESK_ACTOR;
  const out: string[] = [];
  const error: string[] = [];
  try {
    const code = await runCli(args, { out: (line) => out.push(...line.split('\n')), error: (line) => error.push(...line.split('\n')) });
    return { code, out, error };
  } finally {
    if (saved.database !== undefined) process.env.REPDESK_DB = saved.database;
    if (saved.actor !== undefined) process.env.REPDESK_ACTOR = saved.actor;
  }
}

/** `repdesk ARGS` that must succeed; returns its standard output parsed as JSON (the command gets `--json`). */
export async function repdeskJson<T>(args: readonly string[]): Promise<T> {
  const run = await repdesk([...args, '--json']);
  if (run.code !== 0) throw new Error(`repdesk ${args.join(' ')} exited ${run.code}: ${run.error.join('\n')}`);
  return JSON.parse(run.out.join('\n')) as T;
}

/** Text describing a run, for assertion messages. */
export function describeRun(run: Run): string {
  return `exit ${run.code}\nstdout: ${run.out.join('\n')}\nstderr: ${run.error.join('\n')}`;
}

/** Run an external program to completion (`input`: what it reads on standard input; `env`: added to this process's). */
export function runProgram(path: string, args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Run {
  const result = spawnSync(path, args, { encoding: 'utf8', timeout: 30_000, maxBuffer: 256 * 1024 * 1024, input: options.input, env: { ...process.env, ...options.env } });
  if (result.error) throw result.error;
  const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  return { code: result.status ?? -1, out: lines(result.stdout), error: lines(result.stderr) };
}
