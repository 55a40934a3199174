/**
 * The page's Content-Security-Policy, in one place for both shells that serve it: the servers
 * (browser mode and the team server, main/server/http.ts) send it as it is, and the desktop shell
 * (main/electron/security.ts) narrows it for its file:// page.
 */

/** Nothing remote, no inline script, no plugins, no framing by others. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
