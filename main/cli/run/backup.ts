/** `repdesk backup` and `repdesk restore`. The table's entries are in `../backup-commands.ts`. */
import { resolve } from 'node:path';
import { backupDatabase, restoreDatabase } from '../../core/db/backup.js';
import { printJson, UsageError, type CommandContext } from '../command.js';

/** `repdesk backup` */
export async function backup(context: CommandContext): Promise<void> {
  if (typeof context.values.to !== 'string') throw new UsageError('--to FILE is required');
  const result = await backupDatabase(context.databasePath, resolve(context.values.to));
  if (context.values.json) printJson(context, result);
  else context.out(`backed up ${context.databasePath} to ${result.path}: ${result.bytes} bytes, schema ${result.schemaVersion}, history up to event ${result.lastEvent}, sha256 ${result.sha256}`);
}

/** `repdesk restore` */
export async function restore(context: CommandContext): Promise<void> {
  const result = restoreDatabase(resolve(context.positionals[0]), resolve(context.databasePath), { actor: context.actor, client: 'cli' }, new Date());
  if (context.values.json) printJson(context, result);
  else {
    context.out(`restored ${result.path} from ${resolve(context.positionals[0])} (schema ${result.fromSchemaVersion}${result.fromSchemaVersion === result.schemaVersion ? '' : `, brought to ${result.schemaVersion}`}): ${result.listings} listings, ${result.events} events, history verified`);
    context.out(result.keptAside ? `the database it replaced is kept at ${result.keptAside}` : 'there was no database there before');
  }
}
