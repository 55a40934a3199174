/**
 * The typed client of the contract. In the desktop app the preload exposes one as
 * `window.repdesk`; in browser mode the same operations go over HTTP to the loopback server.
 * The views get the client from context and never learn which transport they have.
 */
import { createContext, useContext } from 'react';
import { OPERATION_NAMES, type ApiClient, type ApiResult, type OperationName } from '../../shared/contract.js';
import type { DesktopBridge } from '../../shared/desktop.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH, type UploadReceipt } from '../../shared/files.js';
import type { FileSender } from './uploads.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    repdesk?: DesktopBridge;
  }
}

const TOKEN_STORAGE_KEY = 'repdesk.token';

function internalError(message: string): { ok: false; error: { code: 'internal'; message: string } } {
  return { ok: false, error: { code: 'internal', message } };
}

function isApiResult(value: unknown): value is ApiResult<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'value' in value;
  return value.ok === false && 'error' in value && typeof value.error === 'object' && value.error !== null;
}

async function post(name: OperationName, input: unknown, token: string): Promise<ApiResult<unknown>> {
  let response: Response;
  try {
    response = await fetch(`/api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(input ?? {}),
    });
  } catch (error) {
    return internalError(`${name}: the RepDesk server did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return internalError(`${name}: the server answered ${response.status} ${response.statusText} without a JSON body`);
  }
  if (!isApiResult(body)) return internalError(`${name}: the server answered ${response.status} with an unexpected body`);
  return body;
}

/**
 * Send one file to `POST /api/upload`: the browser streams it as the body (XMLHttpRequest, for
 * its upload progress events), its name in a header; the server answers the upload's receipt.
 */
function upload(file: File, token: string, onProgress?: (sent: number) => void): Promise<ApiResult<UploadReceipt>> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', UPLOAD_PATH);
    request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.setRequestHeader(UPLOAD_NAME_HEADER, encodeURIComponent(file.name));
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.upload.onprogress = (event) => onProgress?.(event.loaded);
    request.onerror = () => resolve(internalError(`${file.name}: not sent (the file could not be read, or the connection to the RepDesk server failed)`));
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        resolve(internalError(`${file.name}: the server answered ${request.status} without a JSON body`));
        return;
      }
      resolve(isApiResult(body) ? (body as ApiResult<UploadReceipt>) : internalError(`${file.name}: the server answered ${request.status} with an unexpected body`));
    };
    request.send(file);
  });
}

/** A client that POSTs each operation to `/api/<name>` with the bearer token, and sends files as uploads. */
export function createHttpClient(token: string): ApiClient & FileSender {
  const client: Partial<Record<OperationName, (input: unknown) => Promise<ApiResult<unknown>>>> = {};
  for (const name of OPERATION_NAMES) client[name] = (input) => post(name, input, token);
  // The server answers each operation with that operation's result type (the core's handler map guarantees it).
  return { ...(client as unknown as ApiClient), uploadFile: (file, onProgress) => upload(file, token, onProgress) };
}

/**
 * The token `repdesk serve` put in the URL (`#token=...`). It is moved into sessionStorage and
 * out of the address bar at once, so it is not left in history, bookmarks or screenshots.
 */
export function takeToken(): string {
  const match = /^#token=([A-Za-z0-9_-]+)$/.exec(window.location.hash);
  if (match) {
    window.sessionStorage.setItem(TOKEN_STORAGE_KEY, match[1]);
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/dashboard`);
    return match[1];
  }
  return window.sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? '';
}

/** The desktop preload's client when there is one, else the HTTP client. */
export function createClient(): ApiClient {
  return window.repdesk ?? createHttpClient(takeToken());
}

/** The shell's job-progress subscription when the client is the desktop bridge; null in browser mode, which polls. */
export function jobProgressSubscription(client: ApiClient): DesktopBridge['onJobProgress'] | null {
  const bridge: Partial<DesktopBridge> = client;
  return typeof bridge.onJobProgress === 'function' ? bridge.onJobProgress : null;
}

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi needs an ApiContext provider');
  return client;
}
