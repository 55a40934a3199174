/**
 * People's writes go before a background job's next step. A server's writer thread counts the
 * writes it has been sent and not answered yet in a counter shared with the worker threads of the
 * jobs the server runs; a big import (listings/staged-import.ts) writes in short steps, and before
 * each one waits while that count is above zero (for a while at most, so that a steady stream of
 * writes slows the import rather than stopping it). SQLite's lock is not fair: without this, a
 * write waiting on the busy handler's sleep would often miss the moment between two steps.
 */

/** A new counter of waiting writes (shared memory: it crosses to worker threads as it is). */
export function writesWaitingCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

/** A person's write was queued. */
export function countWriteQueued(counter: SharedArrayBuffer): void {
  Atomics.add(new Int32Array(counter), 0, 1);
}

/** A person's write was answered: a job waiting for the count to fall is woken. */
export function countWriteAnswered(counter: SharedArrayBuffer): void {
  const count = new Int32Array(counter);
  Atomics.sub(count, 0, 1);
  Atomics.notify(count, 0);
}

/** The longest a job's step waits for people's writes. */
export const MAX_YIELD_MS = 500;

/** Wait (blocking this thread: a job's worker) until no write waits, at most `maxMs`. */
export function letWritesGoFirst(counter: SharedArrayBuffer, maxMs = MAX_YIELD_MS): void {
  const count = new Int32Array(counter);
  const deadline = Date.now() + maxMs;
  for (let waiting = Atomics.load(count, 0); waiting > 0; waiting = Atomics.load(count, 0)) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    Atomics.wait(count, 0, waiting, left);
  }
}
