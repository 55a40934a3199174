/**
 * `repdesk server`: the team server (main/server/team-server.ts) on a data folder that holds the
 * database and everything beside it (uploads, snapshots, history checkpoints). People sign in;
 * nobody acts as `--actor`, and the server holds no signing key (publishers sign on their own
 * computers). The table's entry is in `../server-commands.ts`.
 */
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChangeNotice } from '../../../shared/changes.js';
import { coreFileUrl } from '../../core/core-files.js';
import { openThreadedCore, type ThreadedCore } from '../../core/writer/threaded-core.js';
import { ChangeStreams } from '../../server/events.js';
import { listenProblem, startTeamServer } from '../../server/team-server.js';
import { CommandError, UsageError, integer, untilStopped, type CommandContext } from '../command.js';

/** The database's name inside the data folder. */
export const TEAM_DATABASE_NAME = 'repdesk.sqlite';

/** `ADDRESS:PORT`, the address an IPv4 one or an IPv6 one in brackets (`[::1]:8443`). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(text);
  if (!match) throw new UsageError(`--listen takes ADDRESS:PORT (e.g. 127.0.0.1:8443, 0.0.0.0:443 or [::]:443), not ${JSON.stringify(text)}`);
  const port = integer(match[3], '--listen port');
  if (port > 65535) throw new UsageError('--listen: the port is at most 65535');
  return { host: match[1] ?? match[2], port };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(resolve(path));
  } catch (error) {
    throw new CommandError(`cannot read the TLS ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** `repdesk server` */
export async function server(context: CommandContext): Promise<void> {
  const { values } = context;
  // Who acts is whoever signed in: an actor named here (or in the environment) would be a back door.
  if (typeof values.actor === 'string' || process.env.REPDESK_ACTOR !== undefined) {
    throw new UsageError('the team server acts as each signed-in person: unset --actor / REPDESK_ACTOR (they are for one person working on their own computer)');
  }
  if (values.key !== undefined) throw new UsageError('the team server never holds a signing key: publishers sign on their own computers (repdesk publish against the server, or the desktop app)');
  if (typeof values.db === 'string' || process.env.REPDESK_DB !== undefined) throw new UsageError(`the team server keeps its database in --data DIR (DIR/${TEAM_DATABASE_NAME}): unset --db / REPDESK_DB`);
  if (typeof values.listen !== 'string') throw new UsageError('--listen ADDRESS:PORT is required');
  if (typeof values.data !== 'string') throw new UsageError('--data DIR is required (the folder that holds the database and what goes beside it)');
  const { host, port } = parseListen(values.listen);
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if ((typeof certFile === 'string') !== (typeof keyFile === 'string')) throw new UsageError('--tls-cert FILE and --tls-key FILE go together');
  const trustedProxy = typeof values['behind-proxy'] === 'string' ? values['behind-proxy'] : null;
  const tlsFiles = typeof certFile === 'string' && typeof keyFile === 'string' ? { certFile, keyFile } : null;
  // Refused before anything is opened or bound.
  const problem = listenProblem({ host, tls: tlsFiles ? { cert: Buffer.alloc(0), key: Buffer.alloc(0) } : null, trustedProxy });
  if (problem) throw new UsageError(problem);
  const tls = tlsFiles ? { cert: readPem(tlsFiles.certFile, 'certificate'), key: readPem(tlsFiles.keyFile, 'key') } : null;

  const dataFolder = resolve(values.data);
  try {
    mkdirSync(dataFolder, { recursive: true, mode: 0o700 });
    mkdirSync(join(dataFolder, 'uploads'), { recursive: true, mode: 0o700 });
    chmodSync(join(dataFolder, 'uploads'), 0o700);
  } catch (error) {
    throw new CommandError(`cannot use the data folder ${dataFolder}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const databasePath = join(dataFolder, TEAM_DATABASE_NAME);
  const changes = new ChangeStreams();
  let core: ThreadedCore;
  try {
    core = await openThreadedCore({
      databasePath,
      snapshotFolder: join(dataFolder, 'snapshots'),
      uploadParent: join(dataFolder, 'uploads'),
      onChange: (notice: ChangeNotice) => changes.publish(notice),
    });
  } catch (error) {
    changes.close();
    throw new CommandError(`cannot open the database ${databasePath}: ${(error as Error).message}`);
  }
  try {
    const staticFolder = fileURLToPath(coreFileUrl('../../renderer'));
    let running;
    try {
      running = await startTeamServer({ core, changes, host, port, tls, trustedProxy, staticFolder });
    } catch (error) {
      throw new CommandError(`cannot start the team server: ${(error as Error).message}`);
    }
    context.out(`RepDesk team server: ${databasePath}${tls ? '' : trustedProxy ? `, behind the proxy at ${trustedProxy}` : ', plain HTTP on loopback'}`);
    context.out(`Listening on ${running.url}`);
    await untilStopped(running);
  } finally {
    core.close();
    await core.closed();
  }
}
