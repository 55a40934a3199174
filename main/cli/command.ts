/**
 * What every command shares: its description in the command table, the context it runs in,
 * the two errors that set the exit code, and `call`, the one place a command reaches the core.
 *
 * This module is loaded by every `repdesk` start, `--help` included: it imports types only
 * from the core (erased at build), and the command table loads a command's implementation
 * (`run/*.ts`) only when that command runs.
 */
import type { ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OperationName, OperationResult } from '../../shared/contract.js';
import type { ApiResult } from '../../shared/result.js';
import type { Core, CoreOptions } from '../core/app.js';
import type { Prompt } from './prompt.js';

/** The server a command runs against, and how to reach it. */
export interface RemoteTarget {
  /** The server's origin, e.g. `https://repdesk.example:8443`. */
  readonly server: string;
  /** A CA certificate file (PEM) to trust for it (a self-signed trial certificate), or null for the system's. */
  readonly ca: string | null;
  /** The bearer token of a saved login to this server, or null (signing in, enrolling). */
  readonly token: string | null;
  /** The person the saved login is for. */
  readonly person: string | null;
  /** Where the choice came from, for messages. */
  readonly chosenBy: '--server' | 'REPDESK_SERVER' | 'a saved login';
}

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

/** Wrong usage: exit code 2. */
export class UsageError extends Error {}

/** A failed operation: exit code 1, with optional detail lines. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface CommandContext {
  readonly positionals: readonly string[];
  readonly values: Values;
  /** The database file (`--db`, REPDESK_DB, or the default). */
  readonly databasePath: string;
  /** The core on the database, opened (and its modules loaded) on first use; publish passes its signing key. */
  readonly core: (extra?: Pick<CoreOptions, 'signingKey' | 'publishLockWaitMs' | 'databaseMustExist'>) => Promise<Core>;
  readonly actor: string | null;
  readonly out: (line: string) => void;
  /** Ask the person at the terminal (hidden: a passphrase, never echoed). */
  readonly prompt: Prompt;
  /** Whether there is a person to ask (a terminal, or a test's prompt): secrets are never read from a pipe. */
  readonly isTerminal: boolean;
  /** A line of progress or notice for the person (the error stream: standard output stays the command's result). */
  readonly status: (line: string) => void;
  /** The team server the command runs against (--server, REPDESK_SERVER or a saved login), or null: the database on this computer. */
  readonly remote: RemoteTarget | null;
  /** Runs an operation on that server (files as uploads, long work as jobs): main.ts loads remote/call.ts for it on first use. */
  readonly callRemote: <Name extends OperationName>(name: Name, payload: unknown) => Promise<OperationResult<Name>>;
}

/** Runs a command; loaded only when the command runs. */
export type Run = (context: CommandContext) => Promise<void>;

/** A command as the table describes it: what `--help` shows and what the parser accepts. */
export interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly options: Options;
  readonly positionals: readonly [min: number, max: number];
  run: Run;
}

/**
 * The command's run function, `name` in the module `load` imports, loaded when the command
 * runs: the table names its implementation without importing it.
 */
export function lazily<Module extends Record<Name, Run>, Name extends string>(load: () => Promise<Module>, name: Name): Run {
  return async (context) => (await load())[name](context);
}

/** The `--json` option most commands take. */
export const json: Options = { json: { type: 'boolean' } };

/** Run an operation of the contract as the command's actor (or, with a server, as the signed-in person); a refusal becomes a CommandError (exit 1). */
export async function call<Name extends OperationName>(context: CommandContext, name: Name, payload: unknown): Promise<OperationResult<Name>> {
  // With a server selected, the same operation goes over HTTPS (files as uploads, long work as jobs).
  if (context.remote) return context.callRemote(name, payload);
  const core = await context.core();
  // The command line runs in-process on this computer: it names files by their paths.
  const result: ApiResult<OperationResult<Name>> = await core.dispatch(name, payload, { actor: context.actor, client: 'cli', localFiles: true });
  if (!result.ok) throw new CommandError(result.error.message, result.error.details ?? []);
  return result.value;
}

export function printJson(context: CommandContext, value: unknown): void {
  context.out(JSON.stringify(value, null, 2));
}

export function integer(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** The first line of a --passphrase-file (a passphrase never goes on the command line). */
export function passphraseFileLine(file: string): string {
  try {
    return readFileSync(resolve(file), 'utf8').split(/\r?\n/)[0];
  } catch (error) {
    throw new CommandError(`cannot read the passphrase file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** A key passphrase from --passphrase-file (first line) or REPDESK_KEY_PASSPHRASE, else null. */
export function passphraseFrom(values: Values): string | null {
  const file = values['passphrase-file'];
  if (typeof file === 'string') return passphraseFileLine(file);
  return process.env.REPDESK_KEY_PASSPHRASE ?? null;
}

/** Serve until SIGINT or SIGTERM, then close the server (and resolve once it has closed). */
export function untilStopped(server: { close(): Promise<void> }): Promise<void> {
  return new Promise<void>((resolvePromise) => {
    const stop = () => void server.close().then(resolvePromise);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
