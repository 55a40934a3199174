/**
 * The typed client of the contract. In the desktop app the preload exposes one as
 * `window.repdesk`; in browser mode the same operations go over HTTP to the loopback server
 * (with the token `repdesk serve` printed), and on a team server over HTTP with the session
 * cookie sign-in set. The views get the client from context and never learn which transport
 * they have. A client may offer a change feed (`onChange`): the desktop bridge relays notices
 * over IPC, a browser on a team server listens to its event stream.
 */
import { createContext, useContext } from 'react';
import { OPERATION_NAMES, needsSession, type ApiClient, type OperationName } from '../../shared/contract.js';
import type { ApiResult } from '../../shared/result.js';
import type { DesktopBridge } from '../../shared/desktop.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH, type UploadReceipt } from '../../shared/files.js';
import { CHANGE_TOPICS } from '../../shared/changes.js';
import { BACKUP_PATH, CHANGE_EVENT, EVENTS_PATH, parseChangeEvent, type ChangeEvent } from '../../shared/remote.js';

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

/** The bearer token's header, or none: on a team server the browser's session travels in its cookie. */
function authorization(token: string): Record<string, string> {
  return token === '' ? {} : { Authorization: `Bearer ${token}` };
}

/**
 * The body of a call. On a team server (no token) the calls made without a session (signing in,
 * enrolling) say that a browser makes them: the server gives a browser its session as a cookie.
 */
function bodyOf(name: OperationName, input: unknown, token: string): string {
  const sent = input ?? {};
  if (token !== '' || needsSession(name) || typeof sent !== 'object') return JSON.stringify(sent);
  return JSON.stringify({ ...sent, client: 'browser' });
}

async function post(name: OperationName, input: unknown, token: string): Promise<ApiResult<unknown>> {
  let response: Response;
  try {
    response = await fetch(`/api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authorization(token) },
      body: bodyOf(name, input, token),
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
    for (const [header, value] of Object.entries(authorization(token))) request.setRequestHeader(header, value);
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

/** Subscribe to change notices (what a write touched: its topics, shared/changes.ts); answers the unsubscribe. */
export type ChangeFeed = (listener: (change: ChangeEvent) => void) => () => void;

/**
 * A client that may offer a change feed (the desktop bridge does; a browser's does on a team
 * server), and may need the person to sign in (`signsIn`: a browser on a team server, where the
 * page shows its sign-in screen while nobody is signed in).
 */
export type ClientWithChanges = ApiClient & {
  readonly onChange?: ChangeFeed;
  readonly onReachability?: Reachability;
  readonly signsIn?: boolean;
  /** Where an admin downloads a backup of the database (a browser on a team server: `GET /api/backup` with the session cookie). */
  readonly backupUrl?: string;
};

/**
 * Whether the server can be reached, as the open event stream sees it (a browser on a team
 * server): told at once, then at each change; answers the unsubscribe.
 */
export type Reachability = (watcher: (reachable: boolean) => void) => () => void;

/** What a feed delivers when it is back after being cut off: anything may have changed meanwhile. */
function resyncNotice(): ChangeEvent {
  return { topics: CHANGE_TOPICS, resync: true };
}

/** Longest wait before a closed event stream (the server refused it, or went away) is opened again. */
const MAX_REOPEN_MS = 60_000;

/**
 * The team server's change notices (`GET /api/events`, Server-Sent Events, with the session
 * cookie): one EventSource shared by every subscriber, opened with the first and closed with the
 * last. EventSource reconnects by itself after a dropped connection; a stream the server closed
 * or refused is opened again after a growing pause. Either way the subscribers then get a resync
 * notice (every topic), since notices sent meanwhile are lost.
 */
export function eventStreamFeed(path = EVENTS_PATH): { readonly feed: ChangeFeed; readonly onReachability: Reachability } {
  const listeners = new Set<(change: ChangeEvent) => void>();
  const watchers = new Set<(reachable: boolean) => void>();
  let isReachable = true;
  const setReachable = (reachable: boolean) => {
    if (reachable === isReachable) return;
    isReachable = reachable;
    for (const watcher of [...watchers]) watcher(reachable);
  };
  let source: EventSource | null = null;
  let reopenTimer: ReturnType<typeof setTimeout> | null = null;
  let reopenMs = 1000;
  let wasCut = false;
  const deliver = (notice: ChangeEvent) => {
    for (const listener of [...listeners]) listener(notice);
  };
  const open = () => {
    const current = new EventSource(path);
    source = current;
    current.addEventListener(CHANGE_EVENT, (event) => {
      const change = parseChangeEvent((event as MessageEvent<string>).data);
      if (change) deliver(change);
    });
    current.onopen = () => {
      reopenMs = 1000;
      setReachable(true);
      if (wasCut) deliver(resyncNotice());
      wasCut = false;
    };
    current.onerror = () => {
      wasCut = true;
      setReachable(false);
      if (current.readyState !== EventSource.CLOSED || source !== current) return;
      current.close();
      source = null;
      reopenTimer = setTimeout(() => {
        reopenTimer = null;
        if (listeners.size > 0) open();
      }, reopenMs);
      reopenMs = Math.min(reopenMs * 2, MAX_REOPEN_MS);
    };
  };
  const feed: ChangeFeed = (listener) => {
    listeners.add(listener);
    if (!source && !reopenTimer) open();
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0) return;
      source?.close();
      source = null;
      if (reopenTimer) clearTimeout(reopenTimer);
      reopenTimer = null;
      wasCut = false;
      setReachable(true);
    };
  };
  const onReachability: Reachability = (watcher) => {
    watchers.add(watcher);
    watcher(isReachable);
    return () => {
      watchers.delete(watcher);
    };
  };
  return { feed, onReachability };
}

/** What a transport offers besides the contract: sending one file. The HTTP client and the desktop bridge both have it. */
export interface FileSender {
  uploadFile(file: File, onProgress?: (sent: number) => void): Promise<ApiResult<UploadReceipt>>;
}

/**
 * A client that POSTs each operation to `/api/<name>` and sends files as uploads: with the bearer
 * token `repdesk serve` printed, or (token '') on a team server with the session cookie that
 * signing in set, where it also offers the server's change notices.
 */
export function createHttpClient(token: string): ClientWithChanges & FileSender {
  const client: Partial<Record<OperationName, (input: unknown) => Promise<ApiResult<unknown>>>> = {};
  for (const name of OPERATION_NAMES) client[name] = (input) => post(name, input, token);
  const stream = token === '' ? eventStreamFeed() : null;
  const changes = stream ? { onChange: stream.feed, onReachability: stream.onReachability, signsIn: true, backupUrl: BACKUP_PATH } : {};
  // The server answers each operation with that operation's result type (the core's handler map guarantees it).
  return { ...(client as unknown as ApiClient), uploadFile: (file, onProgress) => upload(file, token, onProgress), ...changes };
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

/**
 * The client's change feed: the desktop bridge's (relayed over IPC) or a team server's event
 * stream; null when there is none (browser mode for one person: nobody else writes).
 */
export function changeFeed(client: ApiClient): ChangeFeed | null {
  const withChanges: ClientWithChanges = client;
  return typeof withChanges.onChange === 'function' ? withChanges.onChange : null;
}

/** Whether the page signs the person in itself (a browser on a team server); false where the transport says who acts. */
export function reachability(client: ApiClient): Reachability | null {
  const withChanges: ClientWithChanges = client;
  return typeof withChanges.onReachability === 'function' ? withChanges.onReachability : null;
}

/** Where an admin downloads a backup of the team's database, or null where this client offers none. */
export function backupUrl(client: ApiClient): string | null {
  const url = (client as ClientWithChanges).backupUrl;
  return typeof url === 'string' ? url : null;
}

/** The desktop shell's backup (it asks where to save it), or null where the client has none. */
export function backupSaver(client: ApiClient): DesktopBridge['saveBackup'] | null {
  const bridge: Partial<DesktopBridge> = client;
  return typeof bridge.saveBackup === 'function' ? () => (bridge.saveBackup as DesktopBridge['saveBackup'])() : null;
}

export function signsIn(client: ApiClient): boolean {
  return (client as ClientWithChanges).signsIn === true;
}

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi needs an ApiContext provider');
  return client;
}
