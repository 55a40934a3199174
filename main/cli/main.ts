/**
 * `repdesk`: the command line on the same core, for cron jobs, batch imports and DNS hosts.
 * Exit 0 on success, 1 with a one-line error (then any per-item details) on failure, 2 on
 * wrong usage. `--help` on every command.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { dirname, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiResult, OperationName, OperationResult } from '../../shared/contract.js';
import { LISTS, REASONS, ROLES } from '../../shared/domain.js';
import { describeOrigin } from '../../shared/team.js';
import { createCore, type Core, type CoreOptions } from '../core/app.js';
import { readFileSync } from 'node:fs';
import { readSecretKeyFile } from '../core/publish/keys.js';
import { formatKeyId } from '../core/publish/minisign.js';
import { SnapshotError } from '../core/publish/manifest.js';
import { AppError } from '../core/errors.js';
import { defaultDatabasePath } from '../core/paths.js';
import { startServer } from '../server/server.js';
import { formatListingLine } from './format.js';
import { LOOKUP_COMMANDS } from './lookup-commands.js';
import { openThreadedCore, type ThreadedCore } from '../core/writer/threaded-core.js';
import { QIL_COMMANDS } from './qil-commands.js';
import { DUL_COMMANDS } from './dul-commands.js';
import { EVIDENCE_COMMANDS } from './evidence-commands.js';
import { QUEUE_COMMANDS } from './queues-commands.js';
import { WORKBENCH_COMMANDS } from './workbench-commands.js';
import { DASHBOARD_COMMANDS } from './dashboard-commands.js';
import { TEAM_COMMANDS } from './team-commands.js';
import { BACKUP_COMMANDS } from './backup-commands.js';
import { promptTerminal, type Prompt } from './prompt.js';
import { PUBLISH_COMMANDS } from './publish-commands.js';

type Options = NonNullable<ParseArgsConfig['options']>;
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
  /** The core on the database, opened on first use (publish passes its signing key). */
  readonly core: (extra?: Pick<CoreOptions, 'signingKey' | 'publishLockWaitMs'>) => Core;
  readonly actor: string | null;
  readonly out: (line: string) => void;
  /** Ask the person at the terminal (hidden: a passphrase, never echoed). */
  readonly prompt: Prompt;
}

export interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly options: Options;
  readonly positionals: readonly [min: number, max: number];
  run(context: CommandContext): Promise<void>;
}

const GLOBAL_OPTIONS: Options = {
  db: { type: 'string' },
  actor: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const json: Options = { json: { type: 'boolean' } };

export async function call<Name extends OperationName>(context: CommandContext, name: Name, payload: unknown): Promise<OperationResult<Name>> {
  // The command line runs in-process on this computer: it names files by their paths.
  const result: ApiResult<OperationResult<Name>> = await context.core().dispatch(name, payload, { actor: context.actor, client: 'cli', localFiles: true });
  if (!result.ok) throw new CommandError(result.error.message, result.error.details ?? []);
  return result.value;
}

export function printJson(context: CommandContext, value: unknown): void {
  context.out(JSON.stringify(value, null, 2));
}

function integer(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

const COMMANDS: Record<string, Command> = {
  'listing add': {
    usage: 'repdesk listing add RANGE --list L --reason R [--txt T] [--level N] [--expires ISO] [--why TEXT] [--json]',
    summary: `Create a listing. Lists: ${LISTS.join(', ')}. Reasons: ${REASONS.join(', ')}. --txt is the reason in the TXT answer, one line; a $ in it stands for the queried address ("listed: $ sent spam" answers "listed: 11.2.3.4 sent spam"). QIL entries without --level/--expires take the Settings defaults. Special-purpose space (private, loopback, documentation, the whole space...) is refused`,
    options: { list: { type: 'string' }, reason: { type: 'string' }, txt: { type: 'string' }, level: { type: 'string' }, expires: { type: 'string' }, why: { type: 'string' }, ...json },
    positionals: [1, 1],
    async run(context) {
      const { list, reason, txt, level, expires, why } = context.values;
      if (typeof list !== 'string') throw new UsageError('--list is required');
      if (typeof reason !== 'string') throw new UsageError('--reason is required');
      const result = await call(context, 'listings.add', {
        range: context.positionals[0],
        list: list.toUpperCase(),
        reason,
        txt,
        level: typeof level === 'string' ? integer(level, '--level') : undefined,
        expires,
        why,
      });
      if (context.values.json) printJson(context, result);
      else {
        for (const note of result.notes) context.out(`note: ${note}`);
        context.out(`created ${formatListingLine(result.listing)}`);
      }
    },
  },
  'listing delist': {
    usage: 'repdesk listing delist ID --why TEXT [--json]',
    summary: 'Delist a listing (it leaves the zones at the next publish; its record stays)',
    options: { why: { type: 'string' }, ...json },
    positionals: [1, 1],
    async run(context) {
      if (typeof context.values.why !== 'string') throw new UsageError('--why is required');
      const listing = await call(context, 'listings.delist', { id: integer(context.positionals[0], 'ID'), why: context.values.why });
      if (context.values.json) printJson(context, listing);
      else context.out(`delisted ${formatListingLine(listing)}`);
    },
  },
  'listing show': {
    usage: 'repdesk listing show ID [--json]',
    summary: 'One reputation record with its history',
    options: json,
    positionals: [1, 1],
    async run(context) {
      const id = integer(context.positionals[0], 'ID');
      const listing = await call(context, 'listings.get', { id });
      const history = await call(context, 'listings.history', { id });
      if (context.values.json) printJson(context, { ...listing, history });
      else {
        context.out(formatListingLine(listing));
        if (listing.txt) context.out(`  TXT: ${listing.txt}`);
        for (const event of history) {
          const origin = describeOrigin(event);
          context.out(`  ${event.at}  ${event.actor}  ${event.action}${event.reason ? `: ${event.reason}` : ''}${origin ? `  (${origin})` : ''}`);
        }
      }
    },
  },
  import: {
    usage: 'repdesk import FILE --list L --reason R [--txt T] [--json]',
    summary: 'Import a plain-text (one range per line) or CSV (range[,txt]) file onto one list: all or nothing (a bad line, or one in special-purpose space, is reported with its number and nothing is imported). In a TXT text a $ stands for the queried address',
    options: { list: { type: 'string' }, reason: { type: 'string' }, txt: { type: 'string' }, ...json },
    positionals: [1, 1],
    async run(context) {
      const { list, reason, txt } = context.values;
      if (typeof list !== 'string') throw new UsageError('--list is required');
      if (typeof reason !== 'string') throw new UsageError('--reason is required');
      const summary = await call(context, 'listings.importFile', { file: { path: resolve(context.positionals[0]) }, list: list.toUpperCase(), reason, txt });
      if (context.values.json) printJson(context, summary);
      else {
        for (const note of summary.notes) context.out(`note: ${note}`);
        if (summary.notesOmitted > 0) context.out(`note: ... and ${summary.notesOmitted} more`);
        context.out(`imported ${summary.imported} entries onto ${summary.list}`);
      }
    },
  },
  'investigator add': {
    usage: `repdesk investigator add NAME --roles R1,R2 [--json]   (roles: ${ROLES.join(', ')})`,
    summary: 'Add a person to the team. The first one added to an empty database becomes an admin; after that only an admin adds people',
    options: { roles: { type: 'string' }, ...json },
    positionals: [1, 1],
    async run(context) {
      if (typeof context.values.roles !== 'string') throw new UsageError('--roles is required');
      const roles = context.values.roles.split(',').map((role) => role.trim()).filter(Boolean);
      const investigator = await call(context, 'investigators.add', { name: context.positionals[0], roles });
      if (context.values.json) printJson(context, investigator);
      else context.out(`added ${investigator.name} (${investigator.roles.join(', ')})`);
    },
  },
  'investigator update': {
    usage: 'repdesk investigator update NAME [--roles R1,R2] [--active yes|no] [--json]',
    summary: 'Change a person\'s roles, or deactivate them (admin only)',
    options: { roles: { type: 'string' }, active: { type: 'string' }, ...json },
    positionals: [1, 1],
    async run(context) {
      const { roles, active } = context.values;
      if (active !== undefined && active !== 'yes' && active !== 'no') throw new UsageError('--active takes yes or no');
      const investigator = await call(context, 'investigators.update', {
        name: context.positionals[0],
        roles: typeof roles === 'string' ? roles.split(',').map((role) => role.trim()).filter(Boolean) : undefined,
        active: active === undefined ? undefined : active === 'yes',
      });
      if (context.values.json) printJson(context, investigator);
      else context.out(`${investigator.name}: ${investigator.roles.join(', ')}${investigator.active ? '' : ' (inactive)'}`);
    },
  },
  'investigator list': {
    usage: 'repdesk investigator list [--json]',
    summary: 'The team and their roles',
    options: json,
    positionals: [0, 0],
    async run(context) {
      const team = await call(context, 'investigators.list', {});
      if (context.values.json) printJson(context, team);
      else for (const person of team) context.out(`${person.name}\t${person.roles.join(',')}${person.active ? '' : '\t(inactive)'}`);
    },
  },
  'settings get': {
    usage: 'repdesk settings get [--json]',
    summary: 'Print the settings',
    options: json,
    positionals: [0, 0],
    async run(context) {
      printJson(context, await call(context, 'settings.get', {}));
    },
  },
  'settings set': {
    usage: 'repdesk settings set KEY JSON   (e.g. repdesk settings set qil \'{"defaultLevel":3}\')',
    summary: 'Change one top-level setting (admin only); the value is JSON, merged into the current one',
    options: json,
    positionals: [2, 2],
    async run(context) {
      let value: unknown;
      try {
        value = JSON.parse(context.positionals[1]);
      } catch {
        throw new UsageError(`the value must be JSON, e.g. '"text"', '3' or '{"key":1}'`);
      }
      printJson(context, await call(context, 'settings.update', { [context.positionals[0]]: value }));
    },
  },
  serve: {
    usage: 'repdesk serve [--port N] [--key FILE [--passphrase-file F]]',
    summary: 'Browser mode: serve the app and its API on 127.0.0.1 and print the URL to open (token included); with --key, the Publish screen signs with that key (it stays in this process)',
    options: { port: { type: 'string' }, key: { type: 'string' }, 'passphrase-file': { type: 'string' } },
    positionals: [0, 0],
    async run(context) {
      const port = typeof context.values.port === 'string' ? integer(context.values.port, '--port') : 0;
      if (port > 65535) throw new UsageError('--port must be at most 65535');
      const key = typeof context.values.key === 'string' ? readSecretKeyFile(resolve(context.values.key), passphraseFrom(context.values)) : null;
      // A server's core: writes in a writer thread with a bounded wait, reads never wait for a writer.
      if (context.databasePath !== ':memory:') mkdirSync(dirname(resolve(context.databasePath)), { recursive: true });
      let core: ThreadedCore;
      try {
        core = await openThreadedCore({ databasePath: context.databasePath, ...(key ? { signingKey: () => key } : {}) });
      } catch (error) {
        throw new CommandError(`cannot open the database ${context.databasePath}: ${(error as Error).message}`);
      }
      try {
        const staticFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../renderer');
        const server = await startServer({ core, call: { actor: context.actor }, port, staticFolder });
        context.out(`RepDesk is serving ${core.connection.path} as ${context.actor ?? '(no actor: read-only)'}${key ? `, signing with key ${formatKeyId(key.keyId)}` : ''}`);
        context.out(`Open ${server.url}`);
        await new Promise<void>((resolvePromise) => {
          const stop = () => void server.close().then(resolvePromise);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      } finally {
        core.close();
        await core.closed();
      }
    },
  },
  ...LOOKUP_COMMANDS,
  ...QIL_COMMANDS,
  ...DUL_COMMANDS,
  ...EVIDENCE_COMMANDS,
  ...QUEUE_COMMANDS,
  ...WORKBENCH_COMMANDS,
  ...DASHBOARD_COMMANDS,
  ...TEAM_COMMANDS,
  ...PUBLISH_COMMANDS,
  ...BACKUP_COMMANDS,
};

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

function commandList(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return Object.entries(COMMANDS)
    .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
    .join('\n');
}

const GENERAL_HELP = `Usage: repdesk [--db FILE] [--actor NAME] COMMAND ...

Global options (also from the environment):
  --db FILE      the database (REPDESK_DB; default: the app's data folder)
  --actor NAME   who is acting (REPDESK_ACTOR); changes need a known investigator with the right role

Commands:
${commandList()}

Run "repdesk COMMAND --help" for a command's options.`;

/** Find the command: the longest run of leading words that names one. */
function findCommand(words: readonly string[]): { name: string; rest: string[] } | null {
  for (const length of [2, 1]) {
    const name = words.slice(0, length).join(' ');
    if (words.length >= length && COMMANDS[name]) return { name, rest: words.slice(length) };
  }
  return null;
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: readonly string[], io: { out: (line: string) => void; error: (line: string) => void; prompt?: Prompt }): Promise<number> {
  let core: Core | null = null;
  let commandName: string | null = null;
  try {
    // Global options may come before the command words.
    const leading: string[] = [];
    let index = 0;
    while (index < argv.length && argv[index].startsWith('-')) {
      const option = argv[index];
      leading.push(option);
      if ((option === '--db' || option === '--actor') && index + 1 < argv.length) leading.push(argv[(index += 1)]);
      index += 1;
    }
    const words = argv.slice(index);
    const found = findCommand(words);
    if (!found) {
      if (words.length === 0 || leading.includes('--help') || leading.includes('-h') || words[0] === 'help') {
        io.out(GENERAL_HELP);
        return words.length === 0 && !leading.includes('--help') && !leading.includes('-h') ? 2 : 0;
      }
      // Name only the command words, not an option that follows them.
      const named = words.slice(0, 2);
      const optionAt = named.findIndex((word) => word.startsWith('-'));
      throw new UsageError(`unknown command ${JSON.stringify((optionAt === -1 ? named : named.slice(0, optionAt)).join(' '))}`);
    }
    commandName = found.name;
    const command = COMMANDS[found.name];
    let parsed;
    try {
      parsed = parseArgs({ args: [...leading, ...found.rest], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message.split('\n')[0]);
    }
    const values = parsed.values as Values;
    if (values.help) {
      io.out(`Usage: ${command.usage}\n\n${command.summary}.`);
      return 0;
    }
    const [min, max] = command.positionals;
    if (parsed.positionals.length < min) throw new UsageError(`missing argument`);
    if (parsed.positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[max])}`);
    const databasePath = typeof values.db === 'string' ? values.db : defaultDatabasePath();
    const actor = typeof values.actor === 'string' ? values.actor : (process.env.REPDESK_ACTOR ?? null);
    await command.run({
      positionals: parsed.positionals,
      values,
      databasePath,
      actor,
      out: io.out,
      prompt: io.prompt ?? promptTerminal,
      core: (extra) => {
        if (!core) {
          if (databasePath !== ':memory:') mkdirSync(dirname(resolve(databasePath)), { recursive: true });
          try {
            core = createCore({ databasePath, ...extra });
          } catch (error) {
            throw new CommandError(`cannot open the database ${databasePath}: ${(error as Error).message}`);
          }
        }
        return core;
      },
    });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.error(`repdesk: ${error.message}`);
      io.error(commandName ? `Usage: ${COMMANDS[commandName].usage}` : 'Run "repdesk --help" for the commands.');
      return 2;
    }
    if (error instanceof AppError || error instanceof SnapshotError) {
      io.error(`repdesk: ${error.message}`);
      for (const detail of (error instanceof AppError ? error.details : undefined) ?? []) io.error(`  ${detail}`);
      return 1;
    }
    if (error instanceof CommandError) {
      io.error(`repdesk: ${error.message}`);
      for (const detail of error.details) io.error(`  ${detail}`);
      return 1;
    }
    io.error(`repdesk: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    (core as Core | null)?.close();
  }
}
