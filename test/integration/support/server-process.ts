/**
 * The real `repdesk server` in a child process of its own, as a team runs it: on a data folder,
 * plain HTTP on loopback (or TLS, or behind a proxy: any arguments after `--data`), its output
 * kept for assertion messages. `stop` ends it with SIGTERM, `kill` with SIGKILL; both wait for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/integration/support -> the package root's bin/repdesk.js. */
export const REPDESK_BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../../..'), 'bin', 'repdesk.js');

export interface ServerProcess {
  readonly child: ChildProcess;
  /** The URL it printed (`http://127.0.0.1:PORT/`). */
  readonly url: string;
  readonly port: number;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** The environment of a child RepDesk: ours without any REPDESK_* (the server refuses an actor or a database named there). */
export function childEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('REPDESK_')) env[name] = value;
  return { ...env, REPDESK_LOG_LEVEL: 'info', ...extra };
}

/** Start `repdesk server --listen HOST:PORT --data DATA [extra]`; resolves once it listens. */
export async function startServerProcess(
  data: string,
  options: {
    listen?: string;
    extra?: readonly string[];
    env?: Readonly<Record<string, string>>;
    /** A command the server runs under, e.g. `ip netns exec NAME` (it must exec the server in place, so that signals reach it). */
    prefix?: readonly string[];
  } = {},
): Promise<ServerProcess> {
  const command = [...(options.prefix ?? []), process.execPath, REPDESK_BIN, 'server', '--listen', options.listen ?? '127.0.0.1:0', '--data', data, ...(options.extra ?? [])];
  const child = spawn(command[0], command.slice(1), {
    env: childEnvironment(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolvePromise) => child.once('close', () => resolvePromise()));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (https?:\/\/\S+\/)/.exec(output);
      if (match) resolvePromise(match[1]);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('exit', (code, signal) => reject(new Error(`repdesk server ended (${code ?? signal}) before listening:\n${output}`)));
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, url, port: Number(new URL(url).port), output: () => output, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
