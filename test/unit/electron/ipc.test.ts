/**
 * The desktop shell's IPC, registered from the contract's dispatch table, tested against a fake
 * ipcMain that records handlers (Electron's binary cannot run here).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { OPERATION_NAMES } from '../../../shared/contract.js';
import type { ApiResult } from '../../../shared/result.js';
import { createCore } from '../../../main/core/app.js';
import { channelFor, embeddedDispatch, registerConnectionIpc, registerFileUploads, registerIpc } from '../../../main/electron/ipc.js';
import { CONNECTION_CHOOSE_CHANNEL, CONNECTION_RETRY_CHANNEL, CONNECTION_STATE_CHANNEL, SIGN_PREPARED_CHANNEL, SIGNING_KEY_CHANNEL,
  SAVE_BACKUP_CHANNEL, UPLOAD_FILE_CHANNEL, type ConnectionRequest, type ConnectionState } from '../../../shared/desktop.js';
import { existsSync, writeFileSync } from 'node:fs';
import { isTrustedSender } from '../../../main/electron/security.js';

type Handler = (event: IpcMainInvokeEvent, payload: unknown) => Promise<ApiResult<unknown>>;

const folder = mkdtempSync(join(tmpdir(), 'repdesk-ipc-'));
const core = createCore({ databasePath: join(folder, 'ipc.sqlite') });
after(() => {
  core.close();
  rmSync(folder, { recursive: true, force: true });
});

const handlers = new Map<string, Handler>();
const fakeIpcMain = {
  handle(channel: string, handler: Handler) {
    assert.ok(!handlers.has(channel), `${channel} registered twice`);
    handlers.set(channel, handler);
  },
};
const trustedFrame = { id: 'main-frame' };
const event = (frame: unknown) => ({ senderFrame: frame }) as unknown as IpcMainInvokeEvent;
const channels = registerIpc(fakeIpcMain as never, {
  // Even a call context that says so cannot let the page name local files.
  dispatch: embeddedDispatch(core, () => ({ actor: 'Alice', localFiles: true, uploadOwner: 'desktop' })),
  isTrustedSender: (incoming) => (incoming as unknown as { senderFrame: unknown }).senderFrame === trustedFrame,
});

test('every operation of the contract has exactly one channel', () => {
  assert.deepEqual([...handlers.keys()].sort(), OPERATION_NAMES.map(channelFor).sort());
  assert.deepEqual(channels.sort(), OPERATION_NAMES.map(channelFor).sort());
});

test('a call from the app frame reaches the core', async () => {
  const added = await handlers.get(channelFor('investigators.add'))!(event(trustedFrame), { name: 'Alice', roles: ['investigator'] });
  assert.ok(added.ok, JSON.stringify(added));
  const result = await handlers.get(channelFor('session.whoami'))!(event(trustedFrame), {});
  assert.deepEqual(result, { ok: true, value: { actor: 'Alice', roles: ['investigator', 'admin'], session: null } });
});

test('a call from another frame is refused and never reaches the core', async () => {
  const before = core.connection.read.get<{ count: number }>({ text: 'SELECT count(*) AS count FROM listings', values: [] })?.count;
  const result = await handlers.get(channelFor('listings.add'))!(event({ id: 'iframe' }), { range: '11.0.0.1', list: 'RBL', reason: 'spam-source' });
  assert.deepEqual(result, { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } });
  const after = core.connection.read.get<{ count: number }>({ text: 'SELECT count(*) AS count FROM listings', values: [] })?.count;
  assert.equal(after, before);
});

test('a payload that fails its schema is refused with the field named', async () => {
  const result = await handlers.get(channelFor('listings.add'))!(event(trustedFrame), { range: '11.0.0.1', list: 'XYZ', reason: 'spam-source', extra: 1 });
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.error.code === 'invalid-input' && /list/.test(result.error.message) && /extra|unrecognized/i.test(result.error.message), JSON.stringify(result));
});

test('with the shell sender check, only the main frame of our window showing our page reaches the core', async () => {
  const appUrl = 'file:///opt/RepDesk/resources/app.asar/dist/renderer/index.html';
  const checked = new Map<string, Handler>();
  registerIpc({ handle: (channel: string, handler: Handler) => checked.set(channel, handler) } as never, {
    dispatch: embeddedDispatch(core, () => ({ actor: 'Alice' })),
    isTrustedSender: (incoming) => isTrustedSender(incoming, { webContentsId: 3, appUrl }),
  });
  const from = (webContentsId: number, url: string, parent: unknown) => ({ sender: { id: webContentsId }, senderFrame: { url, parent } }) as unknown as IpcMainInvokeEvent;
  const whoami = checked.get(channelFor('session.whoami'))!;
  assert.equal((await whoami(from(3, `${appUrl}#/lookup`, null), {})).ok, true);
  for (const untrusted of [from(3, appUrl, { url: appUrl }), from(4, appUrl, null), from(3, 'https://evil.example/', null), from(3, 'file:///tmp/index.html', null)]) {
    assert.deepEqual(await whoami(untrusted, {}), { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } });
  }
  const refused = await checked.get(channelFor('lookup'))!(from(3, appUrl, null), { ip: '192.0.2.1', more: true });
  assert.ok(!refused.ok && refused.error.code === 'invalid-input', JSON.stringify(refused));
});

test('the page never names a local file: a path in an import is refused, an upload the shell registered is read', async () => {
  const file = join(folder, 'ranges.txt');
  writeFileSync(file, '11.1.2.0/24\n');
  const byPath = await handlers.get(channelFor('listings.importFile'))!(event(trustedFrame), { file: { path: file }, list: 'RBL', reason: 'spam-source' });
  assert.ok(!byPath.ok && byPath.error.code === 'forbidden' && /only the command line/.test(byPath.error.message), JSON.stringify(byPath));
  const uploaded = new Map<string, Handler>();
  registerFileUploads({ handle: (channel: string, handler: Handler) => uploaded.set(channel, handler) } as never, {
    register: (path) => core.uploads.register(path, { owner: 'desktop' }),
    isTrustedSender: (incoming) => (incoming as unknown as { senderFrame: unknown }).senderFrame === trustedFrame,
  });
  const sendFile = uploaded.get(UPLOAD_FILE_CHANNEL)!;
  assert.deepEqual(await sendFile(event({ id: 'iframe' }), file), { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } });
  assert.equal((await sendFile(event(trustedFrame), { path: file })).ok, false);
  const receipt = await sendFile(event(trustedFrame), file);
  assert.ok(receipt.ok, JSON.stringify(receipt));
  const { upload, name, size } = receipt.value as { upload: string; name: string; size: number };
  assert.deepEqual({ name, size }, { name: 'ranges.txt', size: 12 });
  const imported = await handlers.get(channelFor('listings.importFile'))!(event(trustedFrame), { file: { upload }, list: 'RBL', reason: 'spam-source' });
  assert.ok(imported.ok, JSON.stringify(imported));
  assert.equal((imported.value as { imported: number }).imported, 1);
  // Consumed by the import: the registration is gone, the person's own file stays.
  const again = await handlers.get(channelFor('listings.importFile'))!(event(trustedFrame), { file: { upload }, list: 'RBL', reason: 'spam-source' });
  assert.ok(!again.ok && /no upload/.test(again.error.message), JSON.stringify(again));
  assert.ok(existsSync(file));
});

test('the connection channels answer only our frame, and a choice reaches the connection only in its exact shape', async () => {
  const registered = new Map<string, (event: IpcMainInvokeEvent, payload?: unknown) => Promise<unknown> | unknown>();
  const chosen: ConnectionRequest[] = [];
  const signed: number[] = [];
  let backups = 0;
  const state: ConnectionState = { kind: 'embedded', database: '/data/repdesk.sqlite' };
  registerConnectionIpc({ handle: (channel: string, handler: (event: IpcMainInvokeEvent, payload?: unknown) => unknown) => registered.set(channel, handler) } as never, {
    connection: {
      state: () => state,
      choose: async (request) => {
        chosen.push(request);
        return { ok: true, state };
      },
      refresh: async () => state,
      signPrepared: async (serial) => {
        signed.push(serial);
        return { ok: true, value: { serial } };
      },
      signingKeyId: () => 'C0FFEE',
      saveBackup: async () => {
        backups += 1;
        return { ok: true, value: { path: '/chosen/in/the/dialog.sqlite', bytes: 1, schemaVersion: 1, lastEvent: 1, sha256: '00', checkpoints: 0 } };
      },
    },
    isTrustedSender: (incoming) => (incoming as unknown as { senderFrame: unknown }).senderFrame === trustedFrame,
  });
  assert.deepEqual(await registered.get(CONNECTION_STATE_CHANNEL)!(event(trustedFrame)), state);
  assert.deepEqual(await registered.get(CONNECTION_RETRY_CHANNEL)!(event(trustedFrame)), state);
  assert.notDeepEqual(await registered.get(CONNECTION_STATE_CHANNEL)!(event({ id: 'iframe' })), state);
  const choose = registered.get(CONNECTION_CHOOSE_CHANNEL)!;
  const fingerprint = Array.from({ length: 32 }, () => 'AB').join(':');
  assert.deepEqual(await choose(event({ id: 'iframe' }), { mode: 'embedded' }), { ok: false, problem: 'IPC from an untrusted frame is refused', certificate: null });
  for (const malformed of [null, 'embedded', { mode: 'embedded', extra: 1 }, { mode: 'team' }, { mode: 'team', server: 7 }, { mode: 'team', server: 'https://a.example', trustFingerprint: 'AB:CD' }, { mode: 'team', server: 'https://a.example', path: '/etc' }]) {
    const answer = (await choose(event(trustedFrame), malformed)) as { ok: boolean; problem: string };
    assert.equal(answer.ok, false, JSON.stringify(malformed));
    assert.match(answer.problem, /a choice is/);
  }
  assert.deepEqual(await choose(event(trustedFrame), { mode: 'team', server: 'https://a.example', trustFingerprint: fingerprint }), { ok: true, state });
  assert.deepEqual(await choose(event(trustedFrame), { mode: 'embedded' }), { ok: true, state });
  assert.deepEqual(chosen, [{ mode: 'team', server: 'https://a.example', trustFingerprint: fingerprint }, { mode: 'embedded' }]);

  // Signing a prepared snapshot: our frame, a serial and nothing else.
  const sign = registered.get(SIGN_PREPARED_CHANNEL)!;
  assert.deepEqual(await sign(event({ id: 'iframe' }), 42), { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } });
  for (const malformed of ['42', 0, -1, 4.5, { serial: 42 }, null]) {
    assert.equal(((await sign(event(trustedFrame), malformed)) as { ok: boolean }).ok, false, JSON.stringify(malformed));
  }
  assert.deepEqual(await sign(event(trustedFrame), 42), { ok: true, value: { serial: 42 } });
  assert.deepEqual(signed, [42]);
  assert.equal(await registered.get(SIGNING_KEY_CHANNEL)!(event(trustedFrame)), 'C0FFEE');
  assert.equal(await registered.get(SIGNING_KEY_CHANNEL)!(event({ id: 'iframe' })), null);

  // A backup: asked for by our frame only (where it goes, the shell's dialog says).
  assert.deepEqual(await registered.get(SAVE_BACKUP_CHANNEL)!(event({ id: 'iframe' })), { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } });
  assert.equal(backups, 0);
  assert.equal(((await registered.get(SAVE_BACKUP_CHANNEL)!(event(trustedFrame))) as { ok: boolean }).ok, true);
  assert.equal(backups, 1);
});
