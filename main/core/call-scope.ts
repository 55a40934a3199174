/**
 * The call a piece of core work runs for, made ambient for the duration of a dispatch (and inside
 * a job's worker, from the job's data) with AsyncLocalStorage, so that what every history event
 * must record (the client and the address a call came from) reaches `openHistory` without a
 * parameter threaded through every call site.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientKind } from '../../shared/team.js';

/** Who is calling and from where: what a transport knows about a call. */
export interface CallOrigin {
  /** The authenticated person (embedded mode: --actor / REPDESK_ACTOR), or null for nobody. */
  readonly actor: string | null;
  /** The client the call came through; absent for direct calls (tests). */
  readonly client?: ClientKind;
  /** The network address it came from (a browser's or a remote client's), when there is one. */
  readonly address?: string | null;
}

const scope = new AsyncLocalStorage<CallOrigin>();

/** Run `work` (and everything it awaits) as part of `call`. */
export function runInCall<T>(call: CallOrigin, work: () => T): T {
  return scope.run(call, work);
}

/** The call the current work belongs to, or undefined outside any dispatch. */
export function currentCall(): CallOrigin | undefined {
  return scope.getStore();
}
