/**
 * The command line's client of a team server: the shared client of the contract over HTTPS
 * (main/client/: `POST /api/<operation>` with the bearer token, files streamed to
 * `POST /api/upload`, the `--ca` trust, a failure to reach the server named in words), with the
 * command line's retry policy on top. A call is tried again (bounded, with backoff) only where
 * that is safe: reads always; writes only when the request certainly did not reach the server
 * (no connection could be made) or the server answered busy (its write waited too long for the
 * database: nothing was changed).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isWriteOperation, needsSession, type OperationName } from '../../../shared/contract.js';
import type { ApiResult } from '../../../shared/result.js';
import type { UploadReceipt } from '../../../shared/files.js';
import { receiveBackup, type ReceivedBackup } from '../../client/backup-download.js';
import { RemoteClient } from '../../client/remote-client.js';
import { ServerUnreachable, ServerWire, type ServerTrust } from '../../client/transport.js';
import { CommandError, type RemoteTarget } from '../command.js';

/** Waits before the 2nd, 3rd, ... attempt (ms). */
const BACKOFF_MS = [500, 1000, 2000, 4000];
/** Failures to make a connection at all: the request never reached the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** Failures after the connection was made: a read may be tried again, a write may have been done. */
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);
/** Certificate failures: the way out is trusting the server's CA. */
const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_/;
/** How long an answer may take to start once the request is sent (a publish writes every zone first). */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

/** What the person may be shown while the command waits: a try that failed and the wait before the next. */
export type RetryNotice = (message: string) => void;

function trustOf(target: RemoteTarget): ServerTrust {
  if (target.ca === null) return { kind: 'system' };
  try {
    return { kind: 'ca', pem: readFileSync(target.ca, 'utf8') };
  } catch (error) {
    throw new CommandError(`cannot read the CA file ${target.ca}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export class ServerClient {
  private readonly client: RemoteClient;

  constructor(
    readonly target: RemoteTarget,
    private readonly onRetry: RetryNotice = () => undefined,
  ) {
    const wire = new ServerWire(target.server, trustOf(target));
    this.client = new RemoteClient({ wire, client: 'cli', token: () => target.token, userAgent: 'RepDesk (cli)' });
  }

  /** Call an operation; refusals come back as the contract's errors, an unreachable server as a CommandError naming it. */
  async call(name: OperationName, payload: unknown): Promise<ApiResult<unknown>> {
    const result = await this.withRetries(name, !isWriteOperation(name), () => this.client.call(name, payload, ANSWER_TIMEOUT_MS));
    return needsSession(name) ? this.explained(result) : result;
  }

  /** Stream a file to the server as an upload; `onSent` hears how many bytes went out so far. */
  async upload(path: string, onSent: (bytes: number, total: number) => void = () => undefined): Promise<UploadReceipt> {
    const result = this.explained(await this.withRetries(`sending ${basename(path)}`, false, () => this.client.upload(path, basename(path), onSent)));
    if (!result.ok) throw new CommandError(result.error.message, result.error.details ?? []);
    return result.value as UploadReceipt;
  }

  /** Receive the server's backup (an admin) into `path` with its checkpoints beside it; not tried again: the server makes a whole copy each time. */
  async backup(path: string, onReceived: (bytes: number, total: number | null) => void): Promise<ReceivedBackup> {
    let result: ApiResult<ReceivedBackup>;
    try {
      result = this.explained(await receiveBackup(this.client, path, onReceived));
    } catch (error) {
      if (!(error instanceof ServerUnreachable)) throw error;
      throw new CommandError(`cannot reach the RepDesk server ${this.target.server}: ${error.reason}`);
    }
    if (!result.ok) throw new CommandError(result.error.message, result.error.details ?? []);
    return result.value;
  }

  private async withRetries<T>(what: string, isRead: boolean, attempt: () => Promise<ApiResult<T>>): Promise<ApiResult<T>> {
    const server = this.target.server;
    for (let tries = 1; ; tries += 1) {
      let failure: string;
      try {
        const result = await attempt();
        // Busy: the server refused the write before changing anything.
        if (result.ok || result.error.code !== 'busy') return result;
        failure = result.error.message;
      } catch (error) {
        if (!(error instanceof ServerUnreachable)) throw error;
        const code = error.code ?? '';
        failure = CERTIFICATE.test(code) ? `${error.reason} (give the CA file with --ca FILE or REPDESK_CA)` : error.reason;
        if (!NOT_SENT.has(code) && !(isRead && BROKEN.has(code))) {
          if (!isRead && BROKEN.has(code)) throw new CommandError(`the RepDesk server ${server} stopped answering during ${what} (${failure}): it may or may not have been done; look before trying again`);
          throw new CommandError(`cannot reach the RepDesk server ${server}: ${failure}`);
        }
      }
      if (tries > BACKOFF_MS.length) throw new CommandError(`cannot reach the RepDesk server ${server}: ${failure} (tried ${tries} times)`);
      const waitMs = BACKOFF_MS[tries - 1];
      this.onRetry(`the RepDesk server ${server}: ${failure}; trying again in ${(waitMs / 1000).toFixed(1)} s`);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, waitMs));
    }
  }

  /** A refusal for want of a session says how to get one. */
  private explained<T>(result: ApiResult<T>): ApiResult<T> {
    if (result.ok || result.error.code !== 'unauthenticated') return result;
    const { server, token } = this.target;
    const hint = token === null ? `not logged in to ${server}: repdesk login --server ${server}` : `the session with ${server} has ended: repdesk login --server ${server}`;
    return { ok: false, error: { ...result.error, message: `${result.error.message} (${hint})` } };
  }
}
