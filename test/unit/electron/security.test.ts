/**
 * The shell's security rules, run with fake Electron objects: the Content-Security-Policy,
 * refused navigation and windows, confirmed external links, permissions, the IPC sender check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IpcMainInvokeEvent, MessageBoxOptions } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../../shared/content-security.js';
import {
  DESKTOP_CONTENT_SECURITY_POLICY,
  isPermissionAllowed,
  isTrustedSender,
  lockDownSession,
  lockDownWebContents,
  openExternalAfterConfirm,
  permissionCheckHandler,
  permissionRequestHandler,
  refuseNavigation,
  refuseWindowOpen,
  withContentSecurityPolicy,
} from '../../../main/electron/security.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
}

test('the policy loads only the app itself: no remote origin, no inline or eval script', () => {
  const policy = directives(DESKTOP_CONTENT_SECURITY_POLICY);
  assert.deepEqual(policy.get('default-src'), ["'self'"]);
  assert.deepEqual(policy.get('script-src'), ["'self'"]);
  assert.deepEqual(policy.get('connect-src'), ["'none'"]);
  assert.deepEqual(policy.get('object-src'), ["'none'"]);
  assert.deepEqual(policy.get('frame-src'), ["'none'"]);
  assert.doesNotMatch(DESKTOP_CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval/);
  for (const sources of policy.values()) {
    for (const source of sources) assert.doesNotMatch(source, /^(https?:|wss?:|\*)|\*/, `remote source ${source}`);
  }
});

test('the policy is the browser-mode policy with only connect-src tightened', () => {
  const server = directives(CONTENT_SECURITY_POLICY);
  const desktop = directives(DESKTOP_CONTENT_SECURITY_POLICY);
  assert.deepEqual([...desktop.keys()], [...server.keys()]);
  for (const [name, sources] of server) if (name !== 'connect-src') assert.deepEqual(desktop.get(name), sources, name);
});

test("the page's own meta policy is the browser-mode policy but frame-ancestors, which a meta policy cannot carry", () => {
  const page = readFileSync(new URL('../../../../renderer/index.html', import.meta.url), 'utf8');
  const metas = [...page.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/gi)];
  assert.equal(metas.length, 1, 'index.html has exactly one Content-Security-Policy meta element');
  assert.ok(page.indexOf(metas[0][0]) < page.search(/<script|<link/i), 'the meta policy comes before anything it governs');
  const serverDirectives = CONTENT_SECURITY_POLICY.split('; ');
  assert.ok(serverDirectives.includes("frame-ancestors 'none'"), 'the server sends frame-ancestors as a header');
  assert.equal(metas[0][1], serverDirectives.filter((directive) => !directive.startsWith('frame-ancestors ')).join('; '));
});

test('every response gets the policy, replacing one it carried, other headers kept', () => {
  const response = withContentSecurityPolicy({ responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] } });
  assert.deepEqual(response.responseHeaders, { 'X-Other': ['1'], 'Content-Security-Policy': [DESKTOP_CONTENT_SECURITY_POLICY] });
  assert.deepEqual(withContentSecurityPolicy({}).responseHeaders, { 'Content-Security-Policy': [DESKTOP_CONTENT_SECURITY_POLICY] });
});

function fakeLinks(response: number) {
  const shown: MessageBoxOptions[] = [];
  const opened: string[] = [];
  return {
    shown,
    opened,
    dependencies: {
      dialog: {
        showMessageBox: async (options: MessageBoxOptions) => {
          shown.push(options);
          return { response, checkboxChecked: false };
        },
      },
      shell: {
        openExternal: async (url: string) => {
          opened.push(url);
        },
      },
    } as never,
  };
}

test('an http(s) link opens in the browser only after the user confirms the real target', async () => {
  const confirmed = fakeLinks(0);
  assert.equal(await openExternalAfterConfirm('https://bücher.example/a b?x=1', confirmed.dependencies), true);
  assert.equal(confirmed.shown.length, 1);
  assert.equal(confirmed.shown[0].detail, 'https://xn--bcher-kva.example/a%20b?x=1');
  assert.equal(confirmed.shown[0].cancelId, 1);
  assert.deepEqual(confirmed.opened, ['https://xn--bcher-kva.example/a%20b?x=1']);

  const cancelled = fakeLinks(1);
  assert.equal(await openExternalAfterConfirm('http://example.org/', cancelled.dependencies), false);
  assert.equal(cancelled.shown.length, 1);
  assert.deepEqual(cancelled.opened, []);
});

test('other schemes are never opened nor offered', async () => {
  for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-msdt:/id', 'mailto:a@example.org', 'not a url']) {
    const links = fakeLinks(0);
    assert.equal(await openExternalAfterConfirm(url, links.dependencies), false, url);
    assert.equal(links.shown.length, 0, url);
    assert.deepEqual(links.opened, [], url);
  }
});

test('navigation is always prevented; an http(s) target is offered to the browser', async () => {
  for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'about:blank']) {
    const links = fakeLinks(0);
    const prevented: string[] = [];
    refuseNavigation({ preventDefault: () => prevented.push(url) }, url, links.dependencies);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(prevented, [url]);
    assert.deepEqual(links.opened, url.startsWith('https:') ? [url] : []);
  }
});

test('window.open is always denied', () => {
  for (const url of ['https://example.org/', 'file:///etc/passwd', '']) {
    assert.deepEqual(refuseWindowOpen({ url }, fakeLinks(1).dependencies), { action: 'deny' });
  }
});

test('every web contents gets the navigation, redirect, webview and window-open rules', async () => {
  const handlers = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
  let windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    on(name: string, handler: (event: { preventDefault(): void }, url: string) => void) {
      handlers.set(name, handler);
      return contents;
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      windowOpenHandler = handler;
    },
  };
  const links = fakeLinks(1);
  lockDownWebContents(contents as never, links.dependencies);
  assert.deepEqual([...handlers.keys()].sort(), ['will-attach-webview', 'will-navigate', 'will-redirect']);
  for (const [name, handler] of handlers) {
    let isPrevented = false;
    handler({ preventDefault: () => (isPrevented = true) }, 'https://example.org/');
    assert.ok(isPrevented, name);
  }
  assert.deepEqual(windowOpenHandler!({ url: 'https://example.org/' }), { action: 'deny' });
});

test('permissions are denied except notifications', () => {
  for (const permission of ['media', 'geolocation', 'midi', 'midiSysex', 'clipboard-read', 'display-capture', 'openExternal', 'pointerLock', 'fullscreen', 'hid', 'serial', 'usb', 'unknown']) {
    assert.equal(isPermissionAllowed(permission), false, permission);
    let granted: boolean | null = null;
    permissionRequestHandler({} as never, permission, (value) => (granted = value));
    assert.equal(granted, false, permission);
    assert.equal(permissionCheckHandler(null, permission), false, permission);
  }
  let granted: boolean | null = null;
  permissionRequestHandler({} as never, 'notifications', (value) => (granted = value));
  assert.equal(granted, true);
  assert.equal(permissionCheckHandler(null, 'notifications'), true);
});

test('the session gets the permission handlers and the policy on every response', () => {
  const recorded: { request?: typeof permissionRequestHandler; check?: typeof permissionCheckHandler; headers?: (details: unknown, callback: (response: unknown) => void) => void } = {};
  lockDownSession({
    setPermissionRequestHandler: (handler: typeof permissionRequestHandler) => (recorded.request = handler),
    setPermissionCheckHandler: (handler: typeof permissionCheckHandler) => (recorded.check = handler),
    webRequest: { onHeadersReceived: (handler: typeof recorded.headers) => (recorded.headers = handler) },
  } as never);
  assert.equal(recorded.request, permissionRequestHandler);
  assert.equal(recorded.check, permissionCheckHandler);
  let response: unknown = null;
  recorded.headers!({ responseHeaders: {} }, (value) => (response = value));
  assert.deepEqual(response, { responseHeaders: { 'Content-Security-Policy': [DESKTOP_CONTENT_SECURITY_POLICY] } });
});

const APP_URL = 'file:///opt/RepDesk/resources/app.asar/dist/renderer/index.html';
const trusted = { webContentsId: 7, appUrl: APP_URL };
function senderEvent(webContentsId: number, frame: { url: string; parent: unknown } | null): IpcMainInvokeEvent {
  return { sender: { id: webContentsId }, senderFrame: frame } as unknown as IpcMainInvokeEvent;
}

test('IPC from our window main frame showing our page is trusted, whatever its hash route', () => {
  assert.equal(isTrustedSender(senderEvent(7, { url: APP_URL, parent: null }), trusted), true);
  assert.equal(isTrustedSender(senderEvent(7, { url: `${APP_URL}#/publish`, parent: null }), trusted), true);
});

test('IPC from another window, a sub-frame, another page or a gone frame is refused', () => {
  assert.equal(isTrustedSender(senderEvent(8, { url: APP_URL, parent: null }), trusted), false);
  assert.equal(isTrustedSender(senderEvent(7, { url: APP_URL, parent: {} }), trusted), false);
  assert.equal(isTrustedSender(senderEvent(7, { url: 'https://evil.example/index.html', parent: null }), trusted), false);
  assert.equal(isTrustedSender(senderEvent(7, { url: 'file:///tmp/evil/index.html', parent: null }), trusted), false);
  assert.equal(isTrustedSender(senderEvent(7, { url: `${APP_URL}?x=1`, parent: null }), trusted), false);
  assert.equal(isTrustedSender(senderEvent(7, null), trusted), false);
  assert.equal(isTrustedSender(senderEvent(7, { url: APP_URL, parent: null }), { webContentsId: 7, appUrl: 'https://repdesk.example/' }), false);
});
