/**
 * Named steps of publishing and installing, where tests make a real process die or wait.
 *
 * TEST-ONLY environment hooks (no user sets them; they exist so crash and race tests are
 * deterministic instead of racing a watcher):
 * - `REPDESK_TEST_KILL_AT=STEP`: the process sends itself SIGKILL when it reaches STEP.
 * - `REPDESK_TEST_PAUSE_AT=STEP` with `REPDESK_TEST_PAUSE_FILE=PATH`: at STEP the process writes
 *   `PATH.reached` and waits (the whole thread, at most five minutes) until `PATH.go` exists.
 *
 * Without them, `reachStep` does nothing but throw for an in-process `failAt` (unit tests).
 */
import { existsSync, writeFileSync } from 'node:fs';

/** Publishing steps, each named for what has just been done (`writing`: the first zone file is written, the others not yet). */
export const PUBLISH_STEPS = ['prepared', 'writing', 'files', 'manifest', 'signature', 'rename', 'switch', 'commit'] as const;
export type PublishStep = (typeof PUBLISH_STEPS)[number];

/**
 * Recovery's step: `reconcile`, a publish's start has read the snapshots another publish left
 * `prepared` and is about to take that folder's lock to settle them.
 */
export type RecoveryStep = 'reconcile';

/** Installing steps: `install-copy` is after the source's manifest and signature are checked, before any file is copied. */
export type InstallStep = 'install-copy';

const PAUSE_LIMIT_MS = 5 * 60_000;

/**
 * Called at each named step. `failAt`: an in-process test wants a thrown error here (the
 * publish cleans up as after any failure). The environment hooks above act on real processes.
 */
export function reachStep(step: PublishStep | InstallStep | RecoveryStep, failAt?: string): void {
  if (failAt === step) throw new Error(`simulated crash at ${step}`);
  if (process.env.REPDESK_TEST_KILL_AT === step) process.kill(process.pid, 'SIGKILL');
  const pauseFile = process.env.REPDESK_TEST_PAUSE_FILE;
  if (process.env.REPDESK_TEST_PAUSE_AT === step && pauseFile) {
    writeFileSync(`${pauseFile}.reached`, String(process.pid));
    const wait = new Int32Array(new SharedArrayBuffer(4));
    const started = Date.now();
    while (!existsSync(`${pauseFile}.go`) && Date.now() - started < PAUSE_LIMIT_MS) Atomics.wait(wait, 0, 0, 20);
  }
}
