/** `repdesk backup` and `repdesk restore`. The table's entries are in `../backup-commands.ts`. */
import { resolve } from 'node:path';
import { backupDatabase, restoreDatabase } from '../../core/backup/backup.js';
import { formatBytes } from '../../../shared/files.js';
import type { BackupFigures } from '../../../shared/remote.js';
import { printJson, UsageError, type CommandContext } from '../command.js';

/** `repdesk backup`: the database here, or (with a server selected) the team server's, downloaded. */
export async function backup(context: CommandContext): Promise<void> {
  if (typeof context.values.to !== 'string') throw new UsageError('--to FILE is required');
  const target = resolve(context.values.to);
  let from = context.databasePath;
  let result: BackupFigures & { path: string };
  if (context.remote) {
    const { ServerClient } = await import('../remote/client.js');
    const { ProgressLine } = await import('../remote/progress.js');
    const progress = new ProgressLine(context.status);
    from = context.remote.server;
    result = await new ServerClient(context.remote, context.status).backup(target, (bytes, total) => progress.show('receiving the backup', bytes, total ?? 0, formatBytes));
  } else {
    result = await backupDatabase(context.databasePath, target);
  }
  if (context.values.json) printJson(context, result);
  else {
    const anchors = result.checkpoints > 0 ? `; ${result.checkpoints} signed history checkpoints and their key beside it (${result.path}.checkpoints, .checkpoint-key)` : '';
    context.out(`backed up ${from} to ${result.path}: ${result.bytes} bytes, schema ${result.schemaVersion}, history up to event ${result.lastEvent}, sha256 ${result.sha256}${anchors}`);
  }
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
