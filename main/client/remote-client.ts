/**
 * The contract over HTTPS, from a client's side (the desktop's main process; the command line's
 * remote mode can use the same): `POST /api/<operation>` with the session's bearer token,
 * files streamed to `POST /api/upload` from disk (never held whole), and the answer taken as the
 * contract's `ApiResult`. A server that cannot be reached throws `ServerUnreachable` (nothing
 * was done there, or nothing is known of it): the caller shows it and decides about retrying;
 * calls are never repeated here, since a write might then happen twice.
 */
import { createReadStream, promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { basename } from 'node:path';
import { isOperationName, needsSession } from '../../shared/contract.js';
import type { ApiResult } from '../../shared/result.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH, type UploadReceipt } from '../../shared/files.js';
import type { ClientKind } from '../../shared/team.js';
import { ServerUnreachable, type ServerWire, type WireAnswer } from './transport.js';

export interface RemoteClientOptions {
  readonly wire: ServerWire;
  /** What this client is, told to the server when it signs in (the session then carries it). */
  readonly client: Extract<ClientKind, 'desktop' | 'cli'>;
  /** The session's token now, or null before signing in. */
  readonly token: () => string | null;
  /** `RepDesk/<version> (desktop)`, for the server's log. */
  readonly userAgent: string;
}

/** Whether a parsed body is the contract's result shape. */
export function isApiResult(value: unknown): value is ApiResult<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'value' in value;
  return value.ok === false && 'error' in value && typeof value.error === 'object' && value.error !== null && 'code' in value.error && 'message' in value.error;
}

/** The contract's result from a server's answer; an answer that is not one says what came instead. */
export function resultOfAnswer(origin: string, what: string, answer: WireAnswer): ApiResult<unknown> {
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    const type = String(answer.headers['content-type'] ?? 'no content type');
    return { ok: false, error: { code: 'internal', message: `${what}: ${origin} answered ${answer.status} (${type}), not a RepDesk answer: is this the team server's address?` } };
  }
  if (!isApiResult(body)) return { ok: false, error: { code: 'internal', message: `${what}: ${origin} answered ${answer.status} with something that is not a RepDesk answer` } };
  return body;
}

export class RemoteClient {
  constructor(private readonly options: RemoteClientOptions) {}

  get origin(): string {
    return this.options.wire.origin;
  }

  /** The headers of a request now: who this client is and, once signed in, the session's token. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = this.options.token();
    return {
      'User-Agent': this.options.userAgent,
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...extra,
    };
  }

  /**
   * Call one operation; throws ServerUnreachable when the server cannot be reached. `waitMs`
   * bounds the wait for the answer to start (an operation answers when done; a long one starts a
   * job instead, so the default is generous for a slow link).
   */
  async call(operation: string, input: unknown, waitMs = 120_000): Promise<ApiResult<unknown>> {
    // A call without a session (signing in, enrolling) says which client it is: the session made records it.
    const saysClient = isOperationName(operation) && !needsSession(operation) && typeof input === 'object' && input !== null && !Array.isArray(input);
    const body = Buffer.from(JSON.stringify(saysClient ? { ...input, client: this.options.client } : (input ?? {})), 'utf8');
    const answer = await this.options.wire.exchange({
      method: 'POST',
      path: `/api/${encodeURIComponent(operation).replace(/%2E/gi, '.')}`,
      headers: this.headers({ 'Content-Type': 'application/json', 'Content-Length': String(body.length) }),
      body,
      idleTimeoutMs: waitMs,
    });
    return resultOfAnswer(this.origin, operation, answer);
  }

  /**
   * Open a download (`GET path` with the session): the answer as a stream the caller reads, or the
   * server's refusal. `waitMs` bounds the wait for it to start (a backup is made first).
   */
  async download(path: string, waitMs: number): Promise<ApiResult<IncomingMessage>> {
    const response = await this.options.wire.open({ method: 'GET', path, headers: this.headers(), idleTimeoutMs: waitMs });
    if (response.statusCode === 200) return { ok: true, value: response };
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length;
      // A refusal is a small JSON answer; anything longer is not one.
      if (size > 1 << 20) {
        response.destroy();
        break;
      }
      chunks.push(chunk);
    }
    const answer = resultOfAnswer(this.origin, `GET ${path}`, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
    return answer.ok ? { ok: false, error: { code: 'internal', message: `GET ${path}: ${this.origin} answered ${response.statusCode} without the download` } } : answer;
  }

  /**
   * Send a local file as an upload, streamed from disk as it is read (never whole in memory),
   * with its length declared so that a server refuses one over its limit before it is sent.
   */
  async upload(path: string, name: string = basename(path), onProgress?: (sent: number, size: number) => void): Promise<ApiResult<UploadReceipt>> {
    let size: number;
    try {
      const stats = await fs.stat(path);
      if (!stats.isFile()) return { ok: false, error: { code: 'invalid-input', message: `${name} is not a file` } };
      size = stats.size;
    } catch (error) {
      return { ok: false, error: { code: 'invalid-input', message: `${name} cannot be read: ${error instanceof Error ? error.message : String(error)}` } };
    }
    const stream = createReadStream(path);
    let sent = 0;
    stream.on('data', (chunk) => {
      sent += chunk.length;
      onProgress?.(sent, size);
    });
    let answer: WireAnswer;
    try {
      answer = await this.options.wire.exchange({
        method: 'POST',
        path: UPLOAD_PATH,
        headers: this.headers({ 'Content-Type': 'application/octet-stream', 'Content-Length': String(size), [UPLOAD_NAME_HEADER]: encodeURIComponent(name) }),
        body: stream,
        idleTimeoutMs: 120_000,
      });
    } catch (error) {
      if (error instanceof ServerUnreachable) throw error;
      return { ok: false, error: { code: 'invalid-input', message: `${name} was not sent: ${error instanceof Error ? error.message : String(error)}` } };
    } finally {
      stream.destroy();
    }
    return resultOfAnswer(this.origin, `sending ${name}`, answer) as ApiResult<UploadReceipt>;
  }
}
