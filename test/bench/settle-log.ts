/**
 * After a big write: wait until the write-ahead log is copied back into the database file, and
 * say how long that took. A core that keeps the database up copies it on a thread of its own
 * (main/core/db/wal-checkpoints.ts) after its commit has answered; the figures that follow (reads
 * on a settled database) are then measured as before that copy left the commit, and the copy's
 * own time is printed beside the write's. Where the commit copied the log itself, there is
 * nothing left to wait for. The wait blocks this thread, as the copy inside the commit did: it
 * gives the event loop no turn, so nothing the write scheduled for later (the dashboard's fold)
 * starts any earlier than it did then.
 */
interface Checkpointable {
  readonly write: { get<Row>(query: { text: string; values: unknown[] }): Row | undefined };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

export function logCopiedBack(connection: Checkpointable): number {
  const started = performance.now();
  for (;;) {
    const row = connection.write.get<{ busy: number; log: number; checkpointed: number }>({ text: 'PRAGMA wal_checkpoint(PASSIVE)', values: [] });
    if (row && row.busy === 0 && row.checkpointed >= row.log) return (performance.now() - started) / 1000;
    Atomics.wait(pause, 0, 0, 5);
  }
}
