/**
 * `repdesk backup` and `repdesk restore`: the database file itself, on the computer that holds it
 * (never over the API: these name files on that computer). Merged into the COMMANDS table of
 * main.ts; only its hoisted functions and types are used here, and only inside `run`.
 */
import { resolve } from 'node:path';
import { backupDatabase, restoreDatabase } from '../core/db/backup.js';
import { printJson, UsageError, type Command } from './main.js';

/** The backup commands. */
export const BACKUP_COMMANDS: Record<string, Command> = {
  backup: {
    usage: 'repdesk backup --to FILE [--json]',
    summary:
      "Copy the database into FILE (a new file) with SQLite's online backup: a consistent copy of one moment while the app, a server or other commands keep working; everything committed before it started is in it",
    options: { to: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    async run(context) {
      if (typeof context.values.to !== 'string') throw new UsageError('--to FILE is required');
      const result = await backupDatabase(context.databasePath, resolve(context.values.to));
      if (context.values.json) printJson(context, result);
      else context.out(`backed up ${context.databasePath} to ${result.path}: ${result.bytes} bytes, schema ${result.schemaVersion}, history up to event ${result.lastEvent}, sha256 ${result.sha256}`);
    },
  },
  restore: {
    usage: 'repdesk restore FILE [--json]',
    summary:
      'Replace the database with the backup FILE: refused (nothing changed) when FILE is not a RepDesk database, is from a newer RepDesk, fails SQLite\'s integrity check or its history chain, or while RepDesk has the database open; the database it replaces is kept aside beside it (named in the output)',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const result = restoreDatabase(resolve(context.positionals[0]), resolve(context.databasePath), { actor: context.actor, client: 'cli' }, new Date());
      if (context.values.json) printJson(context, result);
      else {
        context.out(`restored ${result.path} from ${resolve(context.positionals[0])} (schema ${result.fromSchemaVersion}${result.fromSchemaVersion === result.schemaVersion ? '' : `, brought to ${result.schemaVersion}`}): ${result.listings} listings, ${result.events} events, history verified`);
        context.out(result.keptAside ? `the database it replaced is kept at ${result.keptAside}` : 'there was no database there before');
      }
    },
  },
};
