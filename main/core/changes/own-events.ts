/**
 * History events this process appended, announced to every thread of it: the watcher of other
 * processes' writes (other-writers.ts) tells its own server's events (the writer thread's, the
 * jobs' workers', the upkeep's: each already gave its change notice) from another process's (a
 * `repdesk` command on the same database, a cron job). Each announcement is a run of contiguous
 * ids with the hash of its last event: the chain makes that hash cover the whole run, so a run
 * whose transaction rolled back (its ids later used by another process's events) matches nothing.
 * Announced after the synchronous transaction that appended them has ended (a microtask), so a
 * watcher never hears of an event before it could read it.
 */
import { BroadcastChannel } from 'node:worker_threads';

/** Contiguous event ids first..last appended here; `hash`: the first 8 bytes of event `last`'s hash, hex. */
export interface OwnEventRun {
  readonly first: number;
  readonly last: number;
  readonly hash: string;
}

const CHANNEL_NAME = 'repdesk:own-history-events';

let channel: BroadcastChannel | null = null;
/** Runs appended since the last announcement, their last hash kept as it is until announced. */
let pending: { first: number; last: number; hash: Buffer }[] = [];

/** How a run's last hash is written in an announcement (and compared with the table's). */
export function hashPrefix(hash: Buffer): string {
  return hash.toString('hex', 0, 8);
}

/** Note that this thread appended event `id` with `hash` (openHistory calls it for every event). */
export function noteAppended(id: number, hash: Buffer): void {
  const last = pending.at(-1);
  if (last !== undefined && last.last === id - 1) {
    last.last = id;
    last.hash = hash;
    return;
  }
  if (pending.length === 0) queueMicrotask(announce);
  pending.push({ first: id, last: id, hash });
}

function announce(): void {
  const runs: OwnEventRun[] = pending.map((run) => ({ first: run.first, last: run.last, hash: hashPrefix(run.hash) }));
  pending = [];
  if (channel === null) {
    channel = new BroadcastChannel(CHANNEL_NAME);
    // Announcing must never keep a command's process alive.
    channel.unref();
  }
  channel.postMessage(runs);
}

/** Hear every run announced by the other threads of this process (and by this one); answers the unsubscribe. */
export function hearOwnEvents(listener: (runs: readonly OwnEventRun[]) => void): () => void {
  const listening = new BroadcastChannel(CHANNEL_NAME);
  listening.unref();
  listening.onmessage = (message) => listener((message as { data: OwnEventRun[] }).data);
  return () => listening.close();
}
