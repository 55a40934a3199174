/**
 * `call()` against a team server: the same operation and payload as in-process, over the team
 * protocol. A file the command names by its path (`{ path }`) is streamed to the server as an
 * upload first and named by its id (`{ upload }`); an operation that can run as a background
 * job (an import, a DUL commit, a bulk edit...) runs as one, its progress (done/total, rate,
 * time left) shown on the terminal (stderr) until it ends, and its result is the command's.
 */
import { type OperationName, type OperationResult } from '../../../shared/contract.js';
import { JOB_OPERATIONS, type JobOperation, type JobView } from '../../../shared/jobs.js';
import type { ApiResult } from '../../../shared/result.js';
import { formatBytes } from '../../../shared/files.js';
import { CommandError, type CommandContext, type RemoteTarget } from '../command.js';
import { ServerClient } from './client.js';
import { ProgressLine } from './progress.js';

/** How often a running job is asked how far it got. */
const POLL_MS = 250;

/** The client of the run's server, made once per run. */
const clients = new WeakMap<RemoteTarget, ServerClient>();

export function clientFor(target: RemoteTarget, status: (line: string) => void): ServerClient {
  let client = clients.get(target);
  if (!client) {
    client = new ServerClient(target, status);
    clients.set(target, client);
  }
  return client;
}

function isPathRef(value: unknown): value is { path: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { path?: unknown }).path === 'string';
}

/** The payload with every `{ path }` replaced by `{ upload }` of that file, sent now (each once). */
async function withUploads(client: ServerClient, payload: unknown, progress: ProgressLine): Promise<unknown> {
  const sent = new Map<string, string>();
  const replace = async (value: unknown): Promise<unknown> => {
    if (isPathRef(value)) {
      let upload = sent.get(value.path);
      if (upload === undefined) {
        const name = value.path;
        const receipt = await client.upload(name, (bytes, total) => progress.show(`sending ${name}`, bytes, total, formatBytes));
        progress.done(`sent ${name} (${formatBytes(receipt.size)}, sha256 ${receipt.sha256.slice(0, 16)}...)`);
        upload = receipt.upload;
        sent.set(value.path, upload);
      }
      return { upload };
    }
    if (Array.isArray(value)) return Promise.all(value.map(replace));
    if (typeof value === 'object' && value !== null) {
      const entries = await Promise.all(Object.entries(value).map(async ([key, inner]) => [key, await replace(inner)] as const));
      return Object.fromEntries(entries);
    }
    return value;
  };
  return replace(payload);
}

function isJobOperation(name: OperationName): name is JobOperation {
  return (JOB_OPERATIONS as readonly string[]).includes(name);
}

function unwrap<T>(result: ApiResult<T>): T {
  if (!result.ok) throw new CommandError(result.error.message, result.error.details ?? []);
  return result.value;
}

/**
 * Start the operation as a job on the server and wait for it, showing its progress. Ctrl-C asks
 * the server to cancel it (all or nothing: it rolls back) and waits for it to end; a second
 * Ctrl-C leaves it running there.
 */
async function runJob(client: ServerClient, name: JobOperation, input: unknown, progress: ProgressLine): Promise<unknown> {
  let job = unwrap((await client.call('jobs.start', { operation: name, input })) as ApiResult<JobView>);
  const id = job.id;
  let isCancelling = false;
  const onInterrupt = () => {
    if (isCancelling) {
      process.off('SIGINT', onInterrupt);
      progress.note(`left job #${id} running on ${client.target.server}`);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    isCancelling = true;
    progress.note(`cancelling job #${id} on ${client.target.server} (Ctrl-C again to leave it running there)...`);
    void client.call('jobs.cancel', { id });
  };
  process.on('SIGINT', onInterrupt);
  try {
    while (job.state === 'running') {
      progress.show(job.stage || name, job.done, job.total, (count) => count.toLocaleString('en-US'), job.rate, job.etaSeconds);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, POLL_MS));
      job = unwrap((await client.call('jobs.get', { id })) as ApiResult<JobView>);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  progress.clear();
  if (job.state === 'done') return job.result;
  if (job.error) throw new CommandError(job.error.message, job.error.details ?? []);
  throw new CommandError(`${name} on ${client.target.server} was ${job.state}`);
}

/** Run an operation on the command's server; a refusal becomes a CommandError (exit 1). */
export async function remoteCall<Name extends OperationName>(context: CommandContext, target: RemoteTarget, name: Name, payload: unknown): Promise<OperationResult<Name>> {
  const progress = new ProgressLine(context.status);
  const client = clientFor(target, (line) => progress.note(line));
  try {
    const input = await withUploads(client, payload, progress);
    if (isJobOperation(name)) return (await runJob(client, name, input, progress)) as OperationResult<Name>;
    return unwrap((await client.call(name, input)) as ApiResult<OperationResult<Name>>);
  } finally {
    progress.clear();
  }
}
