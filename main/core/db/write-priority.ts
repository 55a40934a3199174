/**
 * People's writes go before a background job's next step. A server's writer thread counts the
 * writes it has been sent and not answered yet in shared memory that the worker threads of the
 * jobs the server runs see too; a big import (listings/staged-import.ts) writes in short steps,
 * and before each one waits while that count is above zero (for a while at most, so that a steady
 * stream of writes slows the import rather than stopping it). While a step runs it says so there,
 * and a write that arrives meanwhile waits for the step's end to be signalled rather than on
 * SQLite's busy handler, whose sleeps grow to 100 ms (and SQLite's lock is not fair: a write
 * sleeping there would often miss the moment between two steps).
 */

/** Slots of the shared counter: writes queued or running, and whether a job's step holds the database. */
const WRITES = 0;
const STEP = 1;

/** New shared memory for the counter (it crosses to worker threads as it is). */
export function writesWaitingCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

/** A person's write was queued. */
export function countWriteQueued(counter: SharedArrayBuffer): void {
  Atomics.add(new Int32Array(counter), WRITES, 1);
}

/** A person's write was answered: a job waiting for the count to fall is woken. */
export function countWriteAnswered(counter: SharedArrayBuffer): void {
  const slots = new Int32Array(counter);
  Atomics.sub(slots, WRITES, 1);
  Atomics.notify(slots, WRITES);
}

/** The longest a job's step waits for people's writes. */
export const MAX_YIELD_MS = 500;

/** Wait (blocking this thread: a job's worker) until no write waits, at most `maxMs`. */
export function letWritesGoFirst(counter: SharedArrayBuffer, maxMs = MAX_YIELD_MS): void {
  const slots = new Int32Array(counter);
  const deadline = Date.now() + maxMs;
  for (let waiting = Atomics.load(slots, WRITES); waiting > 0; waiting = Atomics.load(slots, WRITES)) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    Atomics.wait(slots, WRITES, waiting, left);
  }
}

/** A job's step begins (after `letWritesGoFirst`): it holds the database until `endStep`. */
export function beginStep(counter: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(counter), STEP, 1);
}

/** A job's step has committed (or failed): a write waiting for it is woken. */
export function endStep(counter: SharedArrayBuffer): void {
  const slots = new Int32Array(counter);
  Atomics.store(slots, STEP, 0);
  Atomics.notify(slots, STEP);
}

/** Wait (the writer thread) while a job's step holds the database, at most `maxMs`. */
export function waitForStep(counter: SharedArrayBuffer, maxMs: number): void {
  const slots = new Int32Array(counter);
  const deadline = Date.now() + maxMs;
  while (Atomics.load(slots, STEP) === 1) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    Atomics.wait(slots, STEP, 1, left);
  }
}
