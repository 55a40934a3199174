/**
 * Choosing a team server (connection.ts's `choose`): the address the person typed, checked; its
 * certificate, trusted by the system or by the fingerprint the person compared; and a first
 * look that a RepDesk server answers there. Each step answers why not in words.
 */
import type { ApiResult } from '../../shared/result.js';
import type { ConnectionAnswer, ConnectionRequest } from '../../shared/desktop.js';
import { parseServerAddress } from '../client/server-address.js';
import { ServerUnreachable, inspectCertificate } from '../client/transport.js';
import { PROBE_TIMEOUT_MS, type TeamSide } from './team-side.js';

/** A refusal of the choice, with the certificate to show when it is one the person may trust. */
type Refusal = Extract<ConnectionAnswer, { ok: false }>;

/** The server's origin and the certificate to pin (null: the system's authorities trust it), or why not. */
export async function checkServer(request: Extract<ConnectionRequest, { mode: 'team' }>): Promise<{ ok: true; origin: string; certificate: string | null } | Refusal> {
  const address = parseServerAddress(request.server);
  if (address.problem !== null) return { ok: false, problem: address.problem, certificate: null };
  const origin = address.origin;
  if (!origin.startsWith('https:')) return { ok: true, origin, certificate: null };
  let inspection;
  try {
    inspection = await inspectCertificate(origin, { kind: 'system' }, PROBE_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof ServerUnreachable) return { ok: false, problem: error.message, certificate: null };
    throw error;
  }
  if (inspection.isTrusted) return { ok: true, origin, certificate: null };
  if (request.trustFingerprint !== inspection.certificate.fingerprint) {
    const shown = request.trustFingerprint === undefined ? '' : ' It is not the certificate you were shown before: compare again.';
    return {
      ok: false,
      problem: `${origin}: ${inspection.problem}.${shown} Trust it only if its fingerprint is the one the server's admin gave you (repdesk server prints it).`,
      certificate: inspection.certificate,
    };
  }
  return { ok: true, origin, certificate: inspection.pem };
}

/**
 * Is a RepDesk server there? It answers session.whoami with the contract's result (nobody signed
 * in yet: asked without the kept token). Null when it is; else why not, and the side's wire is closed.
 */
export async function probeServer(side: TeamSide): Promise<Refusal | null> {
  let probe: ApiResult<unknown>;
  const keptToken = side.token;
  side.token = null;
  try {
    probe = await side.client.call('session.whoami', {}, PROBE_TIMEOUT_MS);
  } catch (error) {
    side.wire.close();
    if (error instanceof ServerUnreachable) return { ok: false, problem: error.message, certificate: null };
    throw error;
  } finally {
    side.token = keptToken;
  }
  if (!probe.ok && probe.error.code !== 'unauthenticated') {
    side.wire.close();
    return { ok: false, problem: probe.error.message, certificate: null };
  }
  return null;
}
