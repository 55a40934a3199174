/**
 * `repdesk backup` and `repdesk restore`: the database file itself. A restore runs on the computer
 * that holds it; a backup too, or downloads a team server's (`--server`, an admin).
 * The table's part: what `--help` shows and the parser accepts; `run/backup.ts` runs them.
 */
import { lazily, type Command } from './command.js';

const load = () => import('./run/backup.js');

export const BACKUP_COMMANDS = {
  backup: {
    usage: 'repdesk backup --to FILE [--json]',
    summary:
      "Copy the database into FILE (a new file) with SQLite's online backup: a consistent copy of one moment while the app, a server or other commands keep working; everything committed before it started is in it, and its signed history checkpoints go beside it with their key (FILE.checkpoints, FILE.checkpoint-key). Against a team server (--server, an admin) the server makes the copy and it is downloaded here",
    options: { to: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'backup'),
  },
  restore: {
    usage: 'repdesk restore FILE [--json]',
    summary:
      'Replace the database with the backup FILE: refused (nothing changed) when FILE is not a RepDesk database, is from a newer RepDesk, fails SQLite\'s integrity check or its history chain, or while RepDesk has the database open; the database it replaces is kept aside beside it (named in the output)',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'restore'),
  },
} satisfies Record<string, Command>;
