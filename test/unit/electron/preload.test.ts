/**
 * The compiled preload, run the way Electron runs a sandboxed preload: wrapped in a function
 * whose `require` knows only 'electron' (here a fake contextBridge, ipcRenderer and webUtils).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createContext, runInContext } from 'node:vm';
import { OPERATION_NAMES } from '../../../shared/contract.js';
import { channelFor } from '../../../main/electron/ipc.js';
import {
  BRIDGE_EXTRA_FUNCTIONS,
  CONNECTION_CHANNEL,
  CONNECTION_CHOOSE_CHANNEL,
  CONNECTION_RETRY_CHANNEL,
  CONNECTION_STATE_CHANNEL,
  DROPPED_FILES_CHANNEL,
  INTENT_CHANNEL,
  SIGN_PREPARED_CHANNEL,
  SIGNING_KEY_CHANNEL,
  JOB_PROGRESS_CHANNEL,
  OPERATIONS_ARGUMENT,
  UPLOAD_FILE_CHANNEL,
  type DesktopBridge,
  type Intent,
} from '../../../shared/desktop.js';

const PRELOAD_SOURCE = readFileSync(new URL('../../../main/electron/preload/preload.js', import.meta.url), 'utf8');

type Listener = (event: unknown, payload: unknown) => void;
type DomListener = (event: unknown) => void;

function loadPreload(argv: string[]) {
  const exposed: [string, unknown][] = [];
  const invoked: [string, unknown][] = [];
  const sent: [string, unknown][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const domListeners = new Map<string, DomListener>();
  const ipcRenderer = {
    invoke: async (channel: string, payload: unknown) => {
      invoked.push([channel, payload]);
      return { ok: true, value: channel };
    },
    send: (channel: string, payload: unknown) => sent.push([channel, payload]),
    on: (channel: string, listener: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return ipcRenderer;
    },
    removeListener: (channel: string, listener: Listener) => {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.push([key, value]) },
    ipcRenderer,
    webUtils: { getPathForFile: (file: { path: string }) => file.path },
  };
  const window = {
    location: { hash: '' },
    addEventListener: (type: string, listener: DomListener) => domListeners.set(type, listener),
  };
  const requireInSandbox = (name: string) => {
    if (name === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  const module = { exports: {} };
  const context = createContext({ window });
  const wrapped = runInContext(`(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {${PRELOAD_SOURCE}\n})`, context) as (...parameters: unknown[]) => void;
  wrapped(requireInSandbox, { argv }, undefined, context, setImmediate, clearImmediate, module.exports, module);
  const emit = (channel: string, payload: unknown) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: ipcRenderer, senderId: 0 }, payload);
  };
  return { exposed, invoked, sent, listeners, domListeners, window, emit };
}

const ARGV = ['/opt/RepDesk/repdesk', '--type=renderer', `${OPERATIONS_ARGUMENT}${OPERATION_NAMES.join(',')}`];

test('exactly one object is exposed, as window.repdesk, with the contract operations, the two subscriptions and uploadFile', () => {
  const loaded = loadPreload(ARGV);
  assert.equal(loaded.exposed.length, 1);
  assert.equal(loaded.exposed[0][0], 'repdesk');
  const bridge = loaded.exposed[0][1] as Record<string, unknown>;
  assert.deepEqual([...Object.keys(bridge)].sort(), [...OPERATION_NAMES, ...BRIDGE_EXTRA_FUNCTIONS].sort());
  for (const [name, value] of Object.entries(bridge)) assert.equal(typeof value, 'function', name);
});

test('each operation invokes its own channel with the input, and returns the main process answer', async () => {
  const loaded = loadPreload(ARGV);
  const bridge = loaded.exposed[0][1] as DesktopBridge;
  for (const name of OPERATION_NAMES) {
    const call = bridge[name] as (input: unknown) => Promise<unknown>;
    const answer = await call({ probe: name });
    assert.deepEqual({ ...(answer as object) }, { ok: true, value: channelFor(name) });
  }
  assert.deepEqual(
    loaded.invoked.map(([channel, payload]) => [channel, { ...(payload as object) }]),
    OPERATION_NAMES.map((name) => [channelFor(name), { probe: name }]),
  );
});

test('no operation is exposed when the main process passed no names, and malformed names are dropped', () => {
  assert.deepEqual([...Object.keys(loadPreload(['/opt/RepDesk/repdesk']).exposed[0][1] as object)].sort(), [...BRIDGE_EXTRA_FUNCTIONS].sort());
  const loaded = loadPreload([`${OPERATIONS_ARGUMENT}lookup,__proto__,constructor(),a b`]);
  assert.deepEqual([...Object.keys(loaded.exposed[0][1] as object)].sort(), ['lookup', ...BRIDGE_EXTRA_FUNCTIONS].sort());
});

test('job progress reaches a subscriber as the payload alone, never the IPC event, until it unsubscribes', () => {
  const loaded = loadPreload(ARGV);
  const bridge = loaded.exposed[0][1] as DesktopBridge;
  const received: unknown[][] = [];
  const unsubscribe = bridge.onJobProgress((...values: unknown[]) => received.push(values));
  loaded.emit(JOB_PROGRESS_CHANNEL, { id: 1, stage: 'reading' });
  unsubscribe();
  loaded.emit(JOB_PROGRESS_CHANNEL, { id: 1, stage: 'writing' });
  assert.deepEqual(received, [[{ id: 1, stage: 'reading' }]]);
  assert.equal(loaded.listeners.get(JOB_PROGRESS_CHANNEL)?.size, 0);
});

test('intents that came before anyone listened go to the first listener, in order, then each one as it comes; the preload leaves the page where it is', () => {
  const loaded = loadPreload(ARGV);
  const bridge = loaded.exposed[0][1] as DesktopBridge;
  const navigateIntent: Intent = { kind: 'navigate', section: 'settings' };
  const importIntent: Intent = { kind: 'import', target: 'dul', section: 'dul', files: [{ upload: 'A'.repeat(32), name: 'isp.csv', size: 20, sha256: '0'.repeat(64), expiresAt: '2026-11-29T00:00:00.000Z' }] };
  loaded.emit(INTENT_CHANNEL, navigateIntent);
  loaded.emit(INTENT_CHANNEL, importIntent);
  const received: Intent[] = [];
  const unsubscribe = bridge.onIntent((value) => received.push(value));
  assert.deepEqual(received, [navigateIntent, importIntent]);
  loaded.emit(INTENT_CHANNEL, { kind: 'navigate', section: 'publish' });
  assert.deepEqual(received, [navigateIntent, importIntent, { kind: 'navigate', section: 'publish' }]);
  unsubscribe();
  const later: Intent[] = [];
  bridge.onIntent((value) => later.push(value));
  assert.deepEqual(later, [], 'intents already delivered are not delivered again');
  assert.equal(loaded.window.location.hash, '');
});

function dropEvent(paths: string[], isAlreadyHandled: boolean) {
  const event = {
    defaultPrevented: isAlreadyHandled,
    preventDefault: () => {
      event.defaultPrevented = true;
    },
    dataTransfer: { files: paths.map((path) => ({ path })) },
  };
  return event;
}

test('files dropped on the window go to the main process as paths; a drop a screen handled is left alone', () => {
  const loaded = loadPreload(ARGV);
  const dragOver = dropEvent([], false);
  loaded.domListeners.get('dragover')!(dragOver);
  assert.equal(dragOver.defaultPrevented, true);
  const drop = dropEvent(['/tmp/a.eml', '/tmp/b.csv'], false);
  loaded.domListeners.get('drop')!(drop);
  assert.equal(drop.defaultPrevented, true);
  loaded.domListeners.get('drop')!(dropEvent(['/tmp/c.eml'], true));
  assert.deepEqual(loaded.sent.map(([channel, paths]) => [channel, [...(paths as string[])]]), [[DROPPED_FILES_CHANNEL, ['/tmp/a.eml', '/tmp/b.csv']]]);
});

test('uploadFile sends the chosen file\'s path to the main process to register, and answers its receipt; a file without a path is refused here', async () => {
  const loaded = loadPreload(ARGV);
  const bridge = loaded.exposed[0][1] as DesktopBridge;
  const answer = await bridge.uploadFile({ path: '/home/liaison/isp.csv' });
  assert.deepEqual({ ...answer }, { ok: true, value: UPLOAD_FILE_CHANNEL });
  assert.deepEqual(loaded.invoked, [[UPLOAD_FILE_CHANNEL, '/home/liaison/isp.csv']]);
  const refused = await bridge.uploadFile({ path: '' });
  assert.equal(refused.ok, false);
  assert.equal(loaded.invoked.length, 1, 'nothing reached the main process');
});

test('the connection calls and signing a prepared snapshot invoke their channels; its states reach a subscriber as the payload alone, until it unsubscribes', async () => {
  const loaded = loadPreload(ARGV);
  const bridge = loaded.exposed[0][1] as DesktopBridge;
  await bridge.connectionState();
  await bridge.chooseConnection({ mode: 'team', server: 'https://repdesk.example.net' });
  await bridge.retryConnection();
  await bridge.signPreparedSnapshot(42);
  await bridge.signingKeyId();
  assert.deepEqual(
    loaded.invoked.map(([channel, payload]) => [channel, typeof payload === 'object' && payload !== null ? { ...payload } : payload]),
    [
      [CONNECTION_STATE_CHANNEL, undefined],
      [CONNECTION_CHOOSE_CHANNEL, { mode: 'team', server: 'https://repdesk.example.net' }],
      [CONNECTION_RETRY_CHANNEL, undefined],
      [SIGN_PREPARED_CHANNEL, 42],
      [SIGNING_KEY_CHANNEL, undefined],
    ],
  );
  const received: unknown[][] = [];
  const unsubscribe = bridge.onConnection((...values: unknown[]) => received.push(values));
  loaded.emit(CONNECTION_CHANNEL, { kind: 'embedded', database: '/home/ana/.config/RepDesk/repdesk.sqlite' });
  unsubscribe();
  loaded.emit(CONNECTION_CHANNEL, { kind: 'choosing', problem: null });
  assert.deepEqual(received, [[{ kind: 'embedded', database: '/home/ana/.config/RepDesk/repdesk.sqlite' }]]);
  assert.equal(loaded.listeners.get(CONNECTION_CHANNEL)?.size, 0);
});
