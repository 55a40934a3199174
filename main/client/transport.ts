/**
 * The client's side of the wire to a team server: one keep-alive agent per server, trusting the
 * system's certificate authorities, a CA file (the CLI's `--ca`), or exactly one certificate a
 * person trusted after comparing its fingerprint (a self-signed server, from the desktop).
 * Failures to reach the server are turned into one error that names the server and what failed,
 * in words a person can act on.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect, checkServerIdentity, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import type { ServerCertificateView } from '../../shared/remote.js';

/** How the client decides whether the server's certificate is the server's. */
export type ServerTrust =
  /** The system's certificate authorities, host name checked (a server with a real certificate). */
  | { readonly kind: 'system' }
  /** These certificate authorities instead (PEM), host name checked: the CLI's `--ca FILE`. */
  | { readonly kind: 'ca'; readonly pem: string }
  /** Exactly this certificate (PEM), which a person trusted after comparing its fingerprint: nothing else is accepted. */
  | { readonly kind: 'pinned'; readonly pem: string };

/** What a look at a server's certificate found: whether it is trusted as things stand, why not, and the certificate. */
export interface CertificateInspection {
  readonly isTrusted: boolean;
  /** Why it is not trusted (e.g. self-signed), null when it is. */
  readonly problem: string | null;
  readonly certificate: ServerCertificateView;
  /** The certificate in PEM, to keep when the person trusts it. */
  readonly pem: string;
}

/** The server could not be reached, or did not prove who it is: nothing was sent past this point. */
export class ServerUnreachable extends Error {
  constructor(
    readonly origin: string,
    readonly reason: string,
    readonly code: string | null,
  ) {
    super(`the team server ${origin} cannot be reached: ${reason}`);
    this.name = 'ServerUnreachable';
  }
}

const CERTIFICATE_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed, and not one this computer trusts',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate comes from a self-signed authority this computer does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is signed by an authority this computer does not know',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is signed by an authority this computer does not know',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet (check this computer’s clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another name',
  ERR_TLS_CERT_PINNED_MISMATCH: 'it shows a different certificate from the one trusted for it (a new certificate, or someone in between): check its fingerprint with the server’s admin, then trust it again',
};

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'nothing answers there (connection refused; is the server running?)',
  ECONNRESET: 'the connection was cut',
  ENOTFOUND: 'that host name is not known',
  EAI_AGAIN: 'the host name could not be looked up (no network, or DNS is down)',
  ETIMEDOUT: 'it did not answer in time',
  EHOSTUNREACH: 'that host cannot be reached from this network',
  ENETUNREACH: 'this computer has no network route there',
  EPROTO: 'it does not speak https there (a plain http server, or another service on that port?)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it does not speak https there (a plain http server, or another service on that port?)',
};

/** Words for a failure to reach a server (network or certificate), by the error's code. */
export function describeConnectionError(error: unknown): { reason: string; code: string | null } {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
  const message = error instanceof Error ? error.message : String(error);
  if (code !== null && code in CERTIFICATE_ERRORS) return { reason: CERTIFICATE_ERRORS[code], code };
  if (code !== null && code in NETWORK_ERRORS) return { reason: NETWORK_ERRORS[code], code };
  if (/wrong version number|packet length too long/i.test(message)) return { reason: NETWORK_ERRORS.EPROTO, code };
  return { reason: message, code };
}

function pemOf(raw: Buffer): string {
  const lines = raw.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function nameOf(entity: PeerCertificate['subject'] | undefined): string {
  if (!entity) return '';
  return Object.entries(entity)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}

/** The SHA-256 fingerprint of a PEM certificate, as `ServerCertificateView.fingerprint` shows it. */
export function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

function hostOf(origin: URL): string {
  // URL keeps IPv6 literals in brackets; sockets want them bare.
  return origin.hostname.replace(/^\[(.*)\]$/, '$1');
}

function defaultPort(origin: URL): number {
  return Number(origin.port || (origin.protocol === 'https:' ? 443 : 80));
}

/**
 * The TLS options of a trust: a pinned certificate is the only anchor, and its fingerprint must
 * match exactly (the host name is not checked: the person compared this very certificate).
 */
function tlsOptionsOf(trust: ServerTrust): { ca?: string; checkServerIdentity?: typeof checkServerIdentity } {
  if (trust.kind === 'system') return {};
  if (trust.kind === 'ca') return { ca: trust.pem };
  const pinned = fingerprintOf(trust.pem);
  return {
    ca: trust.pem,
    checkServerIdentity: (_host, certificate) => {
      if (certificate.fingerprint256 === pinned) return undefined;
      const error = new Error(`the server's certificate ${certificate.fingerprint256} is not the one trusted for it (${pinned})`) as Error & { code: string };
      error.code = 'ERR_TLS_CERT_PINNED_MISMATCH';
      return error;
    },
  };
}

/**
 * Look at the certificate a server shows, without trusting it and without sending anything:
 * whether the system's authorities (or the given trust) accept it for this host, and what it is.
 */
export function inspectCertificate(origin: string, trust: ServerTrust = { kind: 'system' }, timeoutMs = 10_000): Promise<CertificateInspection> {
  const url = new URL(origin);
  if (url.protocol !== 'https:') return Promise.reject(new Error(`${origin} is not an https address`));
  const host = hostOf(url);
  const options = tlsOptionsOf(trust);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port: defaultPort(url), servername: isIP(host) === 0 ? host : undefined, rejectUnauthorized: false, ca: options.ca, ALPNProtocols: ['http/1.1'] });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    socket.once('error', (error) => {
      const { reason, code } = describeConnectionError(error);
      reject(new ServerUnreachable(url.origin, reason, code));
    });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(false);
      socket.end();
      if (!peer || !peer.raw) {
        reject(new ServerUnreachable(url.origin, 'it showed no certificate', null));
        return;
      }
      let problem: string | null = null;
      if (!socket.authorized) {
        const code = String(socket.authorizationError ?? '');
        problem = CERTIFICATE_ERRORS[code] ?? `its certificate is not trusted (${code})`;
      } else {
        const identityError = (options.checkServerIdentity ?? checkServerIdentity)(host, peer);
        if (identityError) problem = describeConnectionError(identityError).reason;
      }
      resolve({
        isTrusted: problem === null,
        problem,
        pem: pemOf(peer.raw),
        certificate: {
          fingerprint: peer.fingerprint256,
          subject: nameOf(peer.subject),
          issuer: nameOf(peer.issuer),
          validFrom: new Date(peer.valid_from).toISOString(),
          validTo: new Date(peer.valid_to).toISOString(),
          names: peer.subjectaltname ?? '',
        },
      });
    });
  });
}

/** One answer, read whole (an API answer; the event stream is read as it arrives instead). */
export interface WireAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface WireRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: OutgoingHttpHeaders;
  /** A small body in memory, or a stream (a file being uploaded: never held whole). */
  readonly body?: Buffer | Readable;
  /** How long to wait without any byte moving before giving up. */
  readonly idleTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Largest answer read whole (a CSV export of a large selection is the biggest an operation gives). */
export const MAX_ANSWER_BYTES = 512 * 1024 * 1024;

/** The wire to one server: its origin, how its certificate is trusted, and a keep-alive agent. */
export class ServerWire {
  readonly origin: string;
  readonly trust: ServerTrust;
  private readonly url: URL;
  private readonly agent: HttpAgent;

  constructor(origin: string, trust: ServerTrust) {
    this.url = new URL(origin);
    this.origin = this.url.origin;
    this.trust = trust;
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, ...tlsOptionsOf(trust) }) : new HttpAgent({ keepAlive: true });
  }

  /** Send a request and give its answer as a stream (the caller reads or drops it); unreachable servers throw ServerUnreachable. */
  open(wire: WireRequest): Promise<IncomingMessage> {
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      // A file that fails while it is read is the file's problem, not the server's.
      let bodyError: Error | null = null;
      const request = send({
        protocol: this.url.protocol,
        host: hostOf(this.url),
        port: defaultPort(this.url),
        method: wire.method,
        path: wire.path,
        headers: { Host: this.url.host, ...wire.headers },
        agent: this.agent,
        signal: wire.signal,
      });
      request.setTimeout(wire.idleTimeoutMs ?? 30_000, () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      request.once('response', (response) => {
        // The idle bound was for the answer to start; a reader of a long stream sets its own.
        request.setTimeout(0);
        resolve(response);
      });
      request.once('error', (error) => {
        if (wire.signal?.aborted || bodyError !== null) {
          reject(bodyError ?? error);
          return;
        }
        const { reason, code } = describeConnectionError(error);
        reject(new ServerUnreachable(this.origin, reason, code));
      });
      if (wire.body === undefined) request.end();
      else if (Buffer.isBuffer(wire.body)) request.end(wire.body);
      else {
        wire.body.once('error', (error) => {
          bodyError = error;
          request.destroy(error);
        });
        wire.body.pipe(request);
      }
    });
  }

  /** Send a request and read its whole answer. */
  async exchange(wire: WireRequest): Promise<WireAnswer> {
    const response = await this.open(wire);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          response.destroy();
          throw new ServerUnreachable(this.origin, `its answer to ${wire.path} is over ${MAX_ANSWER_BYTES} bytes`, null);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof ServerUnreachable) throw error;
      const { reason, code } = describeConnectionError(error);
      throw new ServerUnreachable(this.origin, reason, code);
    }
    return { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) };
  }

  /** Close the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
