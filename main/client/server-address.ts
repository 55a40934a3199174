/**
 * The address of a team server as a person or a command line gives it: an origin, https always,
 * plain http only on this computer's loopback (where nothing travels over a network). A path,
 * query, fragment or credentials in it are refused rather than silently dropped.
 */

/** Loopback host names: plain HTTP is allowed to these only. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Whether a URL's host is this computer's loopback. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** A server address, checked: its origin (`https://host[:port]`), or the problem with it. */
export function parseServerAddress(text: string): { origin: string; problem: null } | { origin: null; problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { origin: null, problem: 'no server address given: give it as https://host or https://host:port' };
  // A bare host name is taken as https://host, the only way a server on the network is reached.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { origin: null, problem: `${JSON.stringify(trimmed)} is not a server address: give it as https://host or https://host:port` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { origin: null, problem: `a team server is reached over https, not ${url.protocol.replace(/:$/, '')}` };
  if (url.username !== '' || url.password !== '') return { origin: null, problem: 'a server address carries no name or password: you sign in after connecting' };
  if (url.search !== '' || url.hash !== '') return { origin: null, problem: 'a server address has no ?query or #fragment: give it as https://host or https://host:port' };
  if (url.pathname !== '/' && url.pathname !== '') return { origin: null, problem: `a server address has no path (${url.pathname}): give it as https://host or https://host:port` };
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return { origin: null, problem: `plain http is refused for ${url.hostname}: the passphrase and the session would cross the network readable by anyone on the way (use https://${url.host})` };
  }
  return { origin: url.origin, problem: null };
}
