/**
 * `repdesk`: the command line on the same core, for cron jobs, batch imports and DNS hosts.
 * Exit 0 on success, 1 with a one-line error (then any per-item details) on failure, 2 on
 * wrong usage. `--help` on every command.
 *
 * It starts at once: this module and the command table (`*-commands.ts`) load no command's
 * implementation and nothing of the core; the command that runs loads its own module
 * (`run/*.ts`), and the core is loaded when a command first calls it (`call` in command.ts).
 * Lint keeps these imports type-only, and a test fails if `repdesk --help` loads mail parsing
 * or the zone writers.
 */
import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import type { Core } from '../core/app.js';
import type { OperationName, OperationResult } from '../../shared/contract.js';
import { defaultDatabasePath } from '../core/paths.js';
import { CommandError, UsageError, type Command, type CommandContext, type Options } from './command.js';
import type { Prompt } from './prompt.js';
import { LISTING_COMMANDS } from './listing-commands.js';
import { LOOKUP_COMMANDS } from './lookup-commands.js';
import { WORKBENCH_COMMANDS } from './workbench-commands.js';
import { QIL_COMMANDS } from './qil-commands.js';
import { DUL_COMMANDS } from './dul-commands.js';
import { EVIDENCE_COMMANDS } from './evidence-commands.js';
import { QUEUE_COMMANDS } from './queues-commands.js';
import { DASHBOARD_COMMANDS } from './dashboard-commands.js';
import { TEAM_COMMANDS } from './team-commands.js';
import { SETTINGS_COMMANDS } from './settings-commands.js';
import { PUBLISH_COMMANDS } from './publish-commands.js';
import { SERVE_COMMANDS } from './serve-commands.js';
import { BACKUP_COMMANDS } from './backup-commands.js';
import { LOGIN_COMMANDS } from './login-commands.js';
import { selectServer } from './remote/logins.js';
import { SERVER_COMMANDS } from './server-commands.js';

const GLOBAL_OPTIONS: Options = {
  db: { type: 'string' },
  actor: { type: 'string' },
  server: { type: 'string' },
  ca: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Global options that take a value (they may come before the command words). */
const VALUED_GLOBALS = ['--db', '--actor', '--server', '--ca'];

/** Commands that never reach a database or a server (the server is not even looked up), and login, which picks its own. */
const NEEDS_NO_SERVER = new Set(['login', 'verify', 'install', 'keygen']);

/**
 * Commands that work on this computer's database file or serve it: with a server selected they
 * say so instead of running (verify, install and keygen need no database and run here as ever).
 */
const ON_THIS_COMPUTER_ONLY: Readonly<Record<string, string>> = {
  restore: 'replaces the database file on the computer that holds it: run it there, with the server stopped',
  serve: "serves this computer's database in a browser: a team server already serves the team's",
  server: 'runs a team server on this computer, on its own data folder',
};

/** Every command: what `--help` shows and the parser accepts, and where its implementation is. */
const COMMANDS: Record<string, Command> = {
  ...LISTING_COMMANDS,
  ...LOOKUP_COMMANDS,
  ...WORKBENCH_COMMANDS,
  ...QIL_COMMANDS,
  ...DUL_COMMANDS,
  ...EVIDENCE_COMMANDS,
  ...QUEUE_COMMANDS,
  ...DASHBOARD_COMMANDS,
  ...TEAM_COMMANDS,
  ...SETTINGS_COMMANDS,
  ...PUBLISH_COMMANDS,
  ...SERVE_COMMANDS,
  ...BACKUP_COMMANDS,
  ...LOGIN_COMMANDS,
  ...SERVER_COMMANDS,
};

function commandList(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return Object.entries(COMMANDS)
    .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
    .join('\n');
}

function generalHelp(): string {
  return `Usage: repdesk [--db FILE] [--actor NAME] [--server URL [--ca FILE]] COMMAND ...

Global options (also from the environment):
  --db FILE      the database (REPDESK_DB; default: the app's data folder)
  --actor NAME   who is acting (REPDESK_ACTOR); changes need a known investigator with the right role
  --server URL   run against a team server (REPDESK_SERVER; default once logged in: the server of the
                 latest repdesk login, unless --db or REPDESK_DB names a database): as the signed-in person
  --ca FILE      trust this CA certificate (PEM) for the server, e.g. a self-signed trial one (REPDESK_CA)

Commands:
${commandList()}

Run "repdesk COMMAND --help" for a command's options.`;
}

/** Find the command: the longest run of leading words that names one. */
function findCommand(words: readonly string[]): { name: string; rest: string[] } | null {
  for (const length of [2, 1]) {
    const name = words.slice(0, length).join(' ');
    if (words.length >= length && Object.hasOwn(COMMANDS, name)) return { name, rest: words.slice(length) };
  }
  return null;
}

/** Ask at the terminal; the prompt module is loaded by the first question. */
const promptTerminal: Prompt = async (question, options) => (await import('./prompt.js')).promptTerminal(question, options);

/** The errors the core and snapshot checks throw on purpose, told apart by name (their modules load only with the core). */
function isKnownFailure(error: unknown): error is Error & { details?: readonly string[] } {
  return error instanceof Error && (error.name === 'AppError' || error.name === 'SnapshotError');
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: readonly string[], io: { out: (line: string) => void; error: (line: string) => void; prompt?: Prompt }): Promise<number> {
  let core: Core | null = null;
  let databasePath = ':memory:';
  let commandName: string | null = null;
  try {
    // Global options may come before the command words.
    const leading: string[] = [];
    let index = 0;
    while (index < argv.length && argv[index].startsWith('-')) {
      const option = argv[index];
      leading.push(option);
      if (VALUED_GLOBALS.includes(option) && index + 1 < argv.length) leading.push(argv[(index += 1)]);
      index += 1;
    }
    const words = argv.slice(index);
    const found = findCommand(words);
    if (!found) {
      if (words.length === 0 || leading.includes('--help') || leading.includes('-h') || words[0] === 'help') {
        io.out(generalHelp());
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
    const values = parsed.values as CommandContext['values'];
    if (values.help) {
      io.out(`Usage: ${command.usage}\n\n${command.summary}.`);
      return 0;
    }
    const [min, max] = command.positionals;
    if (parsed.positionals.length < min) throw new UsageError(`missing argument`);
    if (parsed.positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[max])}`);
    databasePath = typeof values.db === 'string' ? values.db : defaultDatabasePath();
    const actor = typeof values.actor === 'string' ? values.actor : (process.env.REPDESK_ACTOR ?? null);
    // `login` chooses its server itself; verify, install and keygen need none; every other command runs where the options say.
    const remote = NEEDS_NO_SERVER.has(found.name) ? null : selectServer(values);
    if (remote) {
      if (actor !== null) {
        throw new UsageError(`with a server (${remote.server}, chosen by ${remote.chosenBy}) you act as the person logged in${remote.person ? ` (${remote.person})` : ''}: unset --actor / REPDESK_ACTOR`);
      }
      const why = ON_THIS_COMPUTER_ONLY[found.name];
      if (why !== undefined) throw new CommandError(`repdesk ${found.name} ${why}; a server is selected (${remote.server}, by ${remote.chosenBy})`);
    }
    const context: CommandContext = {
      positionals: parsed.positionals,
      values,
      databasePath,
      actor,
      out: io.out,
      prompt: io.prompt ?? promptTerminal,
      isTerminal: io.prompt !== undefined || process.stdin.isTTY === true,
      status: io.error,
      remote,
      callRemote: async <Name extends OperationName>(name: Name, payload: unknown): Promise<OperationResult<Name>> => {
        if (!remote) throw new CommandError(`repdesk ${found.name} runs on this computer, not on a team server`);
        return (await import('./remote/call.js')).remoteCall(context, remote, name, payload);
      },
      core: async (extra) => {
        if (!core) {
          const { createCore } = await import('../core/app.js');
          // A database that must exist is opened where it is: no folder is made for it.
          if (databasePath !== ':memory:' && extra?.databaseMustExist !== true) mkdirSync(dirname(resolve(databasePath)), { recursive: true });
          try {
            // A command asks a few questions and exits: the address index answers from SQLite, nothing
            // is loaded; the dashboard's figures are folded once, as the command ends (settle.ts).
            core = createCore({ databasePath, addressIndex: 'database', foldsDashboard: false, ...extra });
          } catch (error) {
            if (extra?.databaseMustExist === true && !existsSync(databasePath)) throw new CommandError(`there is no database ${databasePath}; nothing was created`);
            throw new CommandError(`cannot open the database ${databasePath}: ${(error as Error).message}`);
          }
        }
        return core;
      },
    };
    await command.run(context);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.error(`repdesk: ${error.message}`);
      io.error(commandName ? `Usage: ${COMMANDS[commandName].usage}` : 'Run "repdesk --help" for the commands.');
      return 2;
    }
    if (error instanceof CommandError || isKnownFailure(error)) {
      io.error(`repdesk: ${error.message}`);
      for (const detail of error.details ?? []) io.error(`  ${detail}`);
      return 1;
    }
    io.error(`repdesk: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    const opened = core as Core | null;
    if (opened) {
      try {
        (await import('./settle.js')).settleDashboard(opened, databasePath);
      } catch (error) {
        // Left pending: the next fold (at the latest, the next dashboard open) takes it in.
        io.error(`repdesk: note: the dashboard's figures are not updated yet (${error instanceof Error ? error.message : String(error)})`);
      }
      opened.close();
    }
  }
}
