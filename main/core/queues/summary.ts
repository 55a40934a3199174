/** The dashboard's view of both queues: open items by age bucket and by assignee, and how many are overdue (queue.ts counts). */
import type { QueuesSummary } from '../../../shared/queues.js';
import type { ReadDb } from '../db/connection.js';
import { findActor } from '../investigators/investigators.js';
import { DELISTING_QUEUE, NOMINATION_QUEUE, summariseQueue } from './queue.js';

export function queuesSummary(db: ReadDb, actorName: string | null, now: Date): QueuesSummary {
  const actor = findActor(db, actorName);
  return db.snapshot((snapshot) => ({
    me: actor?.name ?? null,
    nominations: summariseQueue(snapshot, NOMINATION_QUEUE, actor?.id ?? null, now),
    delisting: summariseQueue(snapshot, DELISTING_QUEUE, actor?.id ?? null, now),
  }));
}
