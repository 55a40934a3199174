/**
 * The command line's HTTP(S) client of a team server: `POST /api/<operation>` with the bearer
 * token (the team protocol), and `POST /api/upload` streaming a file from disk (never held in
 * memory). A server that cannot be reached is named with what failed; a call is tried again
 * (bounded, with backoff) only where that is safe: reads always, writes only when the request
 * certainly did not reach the server (no connection was made) or the server answered 503 (its
 * write waited too long for the database: nothing was changed).
 */
import { createReadStream, statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { isWriteOperation, needsSession, type ApiResult, type OperationName } from '../../../shared/contract.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH, type UploadReceipt } from '../../../shared/files.js';
import { CommandError } from '../command.js';
import type { RemoteTarget } from './logins.js';

/** Waits before the 2nd, 3rd, ... attempt (ms); a server's Retry-After is taken when it is longer. */
const BACKOFF_MS = [500, 1000, 2000, 4000];
/** Errors of making the connection: the request never reached the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** Errors after the connection was made: a read may be tried again, a write may have been done. */
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);
/** How long an answer may take to start once the request is sent (a publish writes every zone first). */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

/** What the caller may be shown while it waits: a try that failed and the wait before the next. */
export type RetryNotice = (message: string) => void;

function describeError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'its name does not resolve';
    case 'ECONNRESET':
      return 'the connection was cut';
    case 'ETIMEDOUT':
      return 'no answer in time';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to it';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `its certificate is not trusted (${error.code}): give the CA file with --ca FILE or REPDESK_CA`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `its certificate is for another name: ${error.message}`;
    case 'CERT_HAS_EXPIRED':
      return 'its certificate has expired';
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

export class RemoteClient {
  private readonly ca: Buffer | undefined;

  constructor(
    readonly target: RemoteTarget,
    private readonly onRetry: RetryNotice = () => undefined,
  ) {
    if (target.ca === null) this.ca = undefined;
    else {
      try {
        this.ca = readFileSync(target.ca);
      } catch (error) {
        throw new CommandError(`cannot read the CA file ${target.ca}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }
  }

  /** Call an operation; refusals come back as the contract's errors, an unreachable server as a CommandError naming it. */
  async call(name: OperationName, payload: unknown): Promise<ApiResult<unknown>> {
    const body = Buffer.from(JSON.stringify(payload ?? {}));
    const isRead = !isWriteOperation(name);
    const result = await this.withRetries(name, isRead, () => this.send(`/api/${name}`, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }, (request) => request.end(body)));
    return needsSession(name) ? this.explained(result) : result;
  }

  /** Stream a file to `POST /api/upload`; `onSent` hears how many bytes went out so far. Tried again only when it never reached the server. */
  async upload(path: string, onSent: (bytes: number, total: number) => void = () => undefined): Promise<UploadReceipt> {
    let size: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) throw new CommandError(`${path} is not a file: only files can be sent to the server`);
      size = stat.size;
    } catch (error) {
      if (error instanceof CommandError) throw error;
      throw new CommandError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size), [UPLOAD_NAME_HEADER]: encodeURIComponent(basename(path)) };
    const result = await this.withRetries(`sending ${basename(path)}`, false, () =>
      this.send(UPLOAD_PATH, headers, (request) => {
        const file: Readable = createReadStream(path);
        let sent = 0;
        file.on('data', (chunk) => {
          sent += chunk.length;
          onSent(sent, size);
        });
        file.on('error', (error) => request.destroy(error));
        file.pipe(request);
      }),
    );
    const explained = this.explained(result);
    if (!explained.ok) throw new CommandError(explained.error.message, explained.error.details ?? []);
    return explained.value as UploadReceipt;
  }

  /** One request; resolves with the server's answer (any status with a JSON body), rejects with the socket's error. */
  private send(path: string, headers: Record<string, string>, write: (request: ReturnType<typeof httpRequest>) => void): Promise<{ status: number; result: ApiResult<unknown>; retryAfter: number | null }> {
    const url = new URL(path, this.target.server);
    const options: RequestOptions & { ca?: Buffer } = {
      method: 'POST',
      headers: { ...headers, Accept: 'application/json', ...(this.target.token ? { Authorization: `Bearer ${this.target.token}` } : {}) },
      ...(this.ca ? { ca: this.ca } : {}),
    };
    return new Promise((resolvePromise, reject) => {
      const onResponse = (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const retryAfter = Number(response.headers['retry-after']);
          try {
            resolvePromise({ status: response.statusCode ?? 0, result: JSON.parse(text) as ApiResult<unknown>, retryAfter: Number.isFinite(retryAfter) ? retryAfter : null });
          } catch {
            reject(Object.assign(new Error(`it answered ${response.statusCode} with something that is not RepDesk's API (${text.slice(0, 80).replace(/\s+/g, ' ')})`), { code: 'NOT_REPDESK' }));
          }
        });
      };
      const request = url.protocol === 'https:' ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
      request.setTimeout(ANSWER_TIMEOUT_MS, () => request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })));
      // Whether anything reached the server: a socket that connected may have delivered the request.
      request.on('socket', (socket) => {
        const mark = () => ((request as { hasConnected?: boolean }).hasConnected = true);
        // A kept-alive socket is connected already: what is written on it may reach the server.
        if (socket.connecting) socket.once('connect', mark);
        else mark();
      });
      request.on('error', (error: NodeJS.ErrnoException & { hasConnected?: boolean }) => {
        error.hasConnected = (request as { hasConnected?: boolean }).hasConnected === true;
        reject(error);
      });
      write(request);
    });
  }

  private async withRetries(
    what: string,
    isRead: boolean,
    attempt: () => Promise<{ status: number; result: ApiResult<unknown>; retryAfter: number | null }>,
  ): Promise<ApiResult<unknown>> {
    const server = this.target.server;
    for (let tries = 1; ; tries += 1) {
      let failure: string;
      let isRetryable: boolean;
      let waitMs = BACKOFF_MS[tries - 1] ?? 0;
      try {
        const answer = await attempt();
        if (answer.status !== 503 || answer.result.ok) return answer.result;
        // Busy: the server refused the write before changing anything.
        failure = answer.result.error.message;
        isRetryable = true;
        if (answer.retryAfter !== null) waitMs = Math.max(waitMs, answer.retryAfter * 1000);
      } catch (error) {
        const problem = error as NodeJS.ErrnoException & { hasConnected?: boolean };
        failure = describeError(problem);
        const code = problem.code ?? '';
        const neverSent = NOT_SENT.has(code) && problem.hasConnected !== true;
        isRetryable = neverSent || (isRead && BROKEN.has(code));
        if (!isRetryable) {
          if (!isRead && BROKEN.has(code)) {
            throw new CommandError(`the RepDesk server ${server} stopped answering during ${what} (${failure}): it may or may not have been done; look before trying again`);
          }
          throw new CommandError(`cannot reach the RepDesk server ${server}: ${failure}`);
        }
      }
      if (tries > BACKOFF_MS.length) {
        throw new CommandError(`cannot reach the RepDesk server ${server}: ${failure} (tried ${tries} times)`);
      }
      this.onRetry(`the RepDesk server ${server}: ${failure}; trying again in ${(waitMs / 1000).toFixed(1)} s`);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, waitMs));
    }
  }

  /** A refusal for want of a session says how to get one. */
  private explained(result: ApiResult<unknown>): ApiResult<unknown> {
    if (result.ok || result.error.code !== 'unauthenticated') return result;
    const hint = this.target.token === null ? `not logged in to ${this.target.server}: repdesk login --server ${this.target.server}` : `the session with ${this.target.server} has ended: repdesk login --server ${this.target.server}`;
    return { ok: false, error: { ...result.error, message: `${result.error.message} (${hint})` } };
  }
}
