/** `repdesk serve`. The table's entry is in `../serve-commands.ts`. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSecretKeyFile, formatKeyId } from '../../core/snapshot/index.js';
import { openThreadedCore, type ThreadedCore } from '../../core/writer/threaded-core.js';
import { startServer } from '../../server/server.js';
import { CommandError, integer, passphraseFrom, UsageError, untilStopped, type CommandContext } from '../command.js';
import { coreFileUrl } from '../../core/core-files.js';

/** `repdesk serve` */
export async function serve(context: CommandContext): Promise<void> {
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
    const staticFolder = fileURLToPath(coreFileUrl('../../renderer'));
    const server = await startServer({ core, call: { actor: context.actor }, port, staticFolder });
    context.out(`RepDesk is serving ${core.connection.path} as ${context.actor ?? '(no actor: read-only)'}${key ? `, signing with key ${formatKeyId(key.keyId)}` : ''}`);
    context.out(`Open ${server.url}`);
    await untilStopped(server);
  } finally {
    core.close();
    await core.closed();
  }
}
