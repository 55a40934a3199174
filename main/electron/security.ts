/**
 * The desktop shell's security rules as small functions that take Electron's objects as
 * parameters, so each rule runs in unit tests without Electron: the Content-Security-Policy,
 * refused navigation and new windows, confirmed external links, denied permissions, and the
 * IPC sender check.
 */
import type { Dialog, IpcMainEvent, IpcMainInvokeEvent, OnHeadersReceivedListenerDetails, HeadersReceivedResponse, Session, Shell, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security.js';

/**
 * The desktop page's policy: the browser-mode policy, with `connect-src 'none'`. The desktop UI
 * talks to the core over IPC only, and on a file:// page `'self'` would let a script fetch any
 * local file.
 */
export const DESKTOP_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.split('; ')
  .map((directive) => (directive.startsWith('connect-src ') ? "connect-src 'none'" : directive))
  .join('; ');

/** Response headers with the desktop policy set, replacing any policy the response carried. */
export function withContentSecurityPolicy(details: Pick<OnHeadersReceivedListenerDetails, 'responseHeaders'>): HeadersReceivedResponse {
  const responseHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(details.responseHeaders ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') responseHeaders[name] = values;
  }
  // electronegativity: CSP_GLOBAL_CHECK: it cannot evaluate a policy composed at run time; the policy's
  // directives (no remote source, no inline script) are asserted by test/unit/electron/security.test.ts.
  responseHeaders['Content-Security-Policy'] = [DESKTOP_CONTENT_SECURITY_POLICY];
  return { responseHeaders };
}

/** The permissions the app uses: desktop notifications of finished jobs. Everything else is denied. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['notifications']);

/** Whether a permission may be granted (camera, microphone, geolocation... never). */
export function isPermissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission);
}

/** The handler for `session.setPermissionRequestHandler`. */
export function permissionRequestHandler(_contents: WebContents, permission: string, callback: (isGranted: boolean) => void): void {
  callback(isPermissionAllowed(permission));
}

/** The handler for `session.setPermissionCheckHandler`. */
export function permissionCheckHandler(_contents: WebContents | null, permission: string): boolean {
  return isPermissionAllowed(permission);
}

/** A URL the user may open in their browser: http(s) only; the parsed URL, or null. */
export function externalLinkTarget(url: string): URL | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : null;
}

export interface ExternalLinkDependencies {
  readonly dialog: Pick<Dialog, 'showMessageBox'>;
  readonly shell: Pick<Shell, 'openExternal'>;
}

/**
 * Open an http(s) link in the user's browser once they confirm the real target (the parsed,
 * normalised URL with its punycode host, not the link's text). Returns whether it was opened.
 */
export async function openExternalAfterConfirm(url: string, dependencies: ExternalLinkDependencies): Promise<boolean> {
  const target = externalLinkTarget(url);
  if (!target) return false;
  const answer = await dependencies.dialog.showMessageBox({
    type: 'question',
    title: 'Open link',
    message: `Open this address in your browser?`,
    detail: target.href,
    buttons: ['Open in browser', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  });
  if (answer.response !== 0) return false;
  // electronegativity: OPEN_EXTERNAL_JS_CHECK: http(s) only, after the user confirmed the parsed target.
  await dependencies.shell.openExternal(target.href);
  return true;
}

/** `will-navigate` / `will-redirect` / `will-frame-navigate`: the page never leaves the app; http(s) links go to the browser after confirmation. */
export function refuseNavigation(event: { preventDefault(): void }, url: string, dependencies: ExternalLinkDependencies): void {
  event.preventDefault();
  void openExternalAfterConfirm(url, dependencies);
}

/** `setWindowOpenHandler`: no new window is ever made; http(s) links go to the browser after confirmation. */
export function refuseWindowOpen(details: { url: string }, dependencies: ExternalLinkDependencies): { action: 'deny' } {
  void openExternalAfterConfirm(details.url, dependencies);
  return { action: 'deny' };
}

/**
 * Apply the navigation rules to any web contents the app creates: no navigation, no new window,
 * no `<webview>`. Registered for every web contents (`app.on('web-contents-created')`), so a
 * contents made later cannot escape them.
 */
export function lockDownWebContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, dependencies: ExternalLinkDependencies): void {
  contents.on('will-navigate', (event, url) => refuseNavigation(event, url, dependencies));
  contents.on('will-redirect', (event, url) => refuseNavigation(event, url, dependencies));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler((details) => refuseWindowOpen(details, dependencies));
}

/** Apply the session rules: the policy header on every response, permissions denied but the used ones. */
export function lockDownSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'webRequest'>): void {
  session.setPermissionRequestHandler(permissionRequestHandler);
  session.setPermissionCheckHandler(permissionCheckHandler);
  session.webRequest.onHeadersReceived((details, callback) => callback(withContentSecurityPolicy(details)));
}

/** The same address without its fragment (the UI's hash routes change the fragment only). */
function withoutFragment(url: string): string | null {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.href;
  } catch {
    return null;
  }
}

export interface TrustedSender {
  /** The id of the main window's web contents. */
  readonly webContentsId: number;
  /** The file:// URL of the app's page. */
  readonly appUrl: string;
}

/**
 * Whether an IPC event comes from the app's own page: our window's web contents, its main frame
 * (not an iframe), showing our file:// page.
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent | IpcMainEvent, 'sender' | 'senderFrame'>, trusted: TrustedSender): boolean {
  const frame = event.senderFrame;
  if (!frame || event.sender.id !== trusted.webContentsId) return false;
  if (frame.parent !== null) return false;
  const expected = withoutFragment(trusted.appUrl);
  return expected !== null && expected.startsWith('file:') && withoutFragment(frame.url) === expected;
}
