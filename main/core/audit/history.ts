/**
 * The history: an append-only event log, hash-chained. Each event stores the hash of the one
 * before it; its own hash covers its id, content and that link. Triggers refuse UPDATE and
 * DELETE; `verifyHistory` finds an edit made behind the app's back (with the triggers dropped).
 * Every event also records the client and the address of the call it was made in (read from
 * the ambient call, see call-scope.ts).
 */
import { createHash } from 'node:crypto';
import type { AuditReport } from '../../../shared/audit.js';
import type { HistoryEventView } from '../../../shared/listings.js';
import type { ClientKind } from '../../../shared/team.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { currentCall } from '../call-scope.js';
import { noteAppended } from '../changes/own-events.js';

const GENESIS = Buffer.alloc(32);

export interface EventInput {
  readonly actor: string;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: number | null;
  /** For a batch event: the last subject id of the contiguous run subjectId..subjectLastId it covers. */
  readonly subjectLastId?: number;
  readonly reason?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

interface StoredEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: number | null;
  subject_last: number | null;
  reason: string | null;
  details: string;
  client: ClientKind | null;
  address: string | null;
  prev_hash: Buffer;
  hash: Buffer;
}

function eventHash(previous: Buffer, event: Omit<StoredEvent, 'prev_hash' | 'hash'>): Buffer {
  const fields: unknown[] = [event.id, event.at, event.actor, event.action, event.subject_type, event.subject_id, event.subject_last, event.reason, event.details];
  // Events from before the origin was recorded (migration 0010) have neither: their content is
  // hashed as it always was, so old chains still verify. Setting or clearing either one later
  // changes what is hashed, so it is caught like any other edit.
  if (event.client !== null || event.address !== null) fields.push(event.client, event.address);
  return createHash('sha256').update(previous).update(JSON.stringify(fields)).digest();
}

/** Appends events inside the caller's transaction, keeping the chain's tip in memory (bulk work). */
export interface HistoryWriter {
  append(event: EventInput): number;
}

/**
 * Start appending to the history. Must be used inside one `WriteDb.transaction` and not after
 * it: the tip read here is only stable while the write lock is held.
 */
export function openHistory(db: WriteDb, at: () => string): HistoryWriter {
  const tip = db.get<{ id: number; hash: Buffer }>(CHAIN_TIP_SQL);
  let previousId = tip?.id ?? 0;
  let previousHash: Buffer = tip?.hash ?? GENESIS;
  const insert = db.prepare(
    'INSERT INTO events (id, at, actor, action, subject_type, subject_id, subject_last, reason, details, client, address, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // The call this work belongs to (its client and address), the same for every event it appends.
  const origin = currentCall();
  const client = origin?.client ?? null;
  const address = origin?.address ?? null;
  return {
    append(event: EventInput): number {
      const stored = {
        id: previousId + 1,
        at: at(),
        actor: event.actor,
        action: event.action,
        subject_type: event.subjectType,
        subject_id: event.subjectId,
        subject_last: event.subjectLastId ?? null,
        reason: event.reason ?? null,
        details: JSON.stringify(event.details ?? {}),
        client,
        address,
      };
      const hash = eventHash(previousHash, stored);
      insert.run(stored.id, stored.at, stored.actor, stored.action, stored.subject_type, stored.subject_id, stored.subject_last, stored.reason, stored.details, client, address, previousHash, hash);
      previousId = stored.id;
      previousHash = hash;
      noteAppended(stored.id, hash);
      return stored.id;
    },
  };
}

/** The events about one subject (its own, and batch events covering it), newest first. */
export function historyOf(db: ReadDb, subjectType: string, subjectId: number): HistoryEventView[] {
  return db
    .all<StoredEvent>(
      historyOfSql(subjectType, subjectId),
    )
    .map(toEventView);
}

/** An event as the API shows it. */
function toEventView(row: Pick<StoredEvent, 'id' | 'at' | 'actor' | 'action' | 'reason' | 'details' | 'client' | 'address'>): HistoryEventView {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    reason: row.reason,
    details: JSON.parse(row.details) as Record<string, unknown>,
    client: row.client,
    address: row.address,
  };
}

/** The chain's last event and its hash (hex): what a signed snapshot records, so the history cannot be cut back behind it unnoticed. */
export function historyHead(db: ReadDb): HistoryAnchor | null {
  const head = db.get<{ id: number; hash: string }>(sql`SELECT id, lower(hex(hash)) AS hash FROM events ORDER BY id DESC LIMIT 1`);
  return head ? { event: head.id, hash: head.hash } : null;
}

/** An event the chain must hold with exactly this hash, as recorded outside the table (a signed snapshot manifest). */
export interface HistoryAnchor {
  readonly event: number;
  readonly hash: string;
}

/** An anchor as `verifyHistory` takes it: where it was recorded, and whether the report lists it (file checkpoints are checked, the newest listed). */
export type SourcedAnchor = HistoryAnchor & { readonly source: string; readonly signedAt?: string; readonly isListed?: boolean };

/**
 * Walk the whole chain in order; report the first event whose link or hash does not match. A
 * chain is only self-consistent: events removed from its end, or the end rewritten, leave a
 * valid chain. `anchors` (each named by `source`) are events recorded elsewhere that the chain
 * must still hold unchanged, which catches exactly that. `problems`: anchors that should have
 * been there and were not (see anchors.ts); with any, the history is not reported intact.
 */
export function verifyHistory(db: ReadDb, anchors: readonly SourcedAnchor[] = [], problems: readonly string[] = []): AuditReport {
  let previousHash: Buffer = GENESIS;
  let expectedId = 1;
  let count = 0;
  const checked = anchors
    .filter((anchor) => anchor.isListed !== false)
    .map(({ source, event, signedAt }) => (signedAt === undefined ? { source, event } : { source, event, signedAt }));
  const byEvent = new Map<number, SourcedAnchor[]>();
  for (const anchor of anchors) byEvent.set(anchor.event, [...(byEvent.get(anchor.event) ?? []), anchor]);
  const broken = (id: number, problem: string): AuditReport => ({ ok: false, events: count, firstBroken: { id, problem }, anchors: checked, problems });
  for (const row of db.iterate<StoredEvent>(sql`SELECT * FROM events ORDER BY id`)) {
    count += 1;
    if (row.id !== expectedId) return broken(row.id, `event ${expectedId} is missing (the chain jumps from ${expectedId - 1} to ${row.id})`);
    if (!Buffer.from(row.prev_hash).equals(previousHash)) return broken(row.id, 'its link to the previous event does not match (an event before it was changed or removed)');
    const hash = eventHash(previousHash, row);
    if (!hash.equals(Buffer.from(row.hash))) return broken(row.id, 'its content does not match its hash (the event was edited)');
    for (const anchor of byEvent.get(row.id) ?? []) {
      if (anchor.hash !== hash.toString('hex')) {
        return broken(row.id, `it is not the event ${anchor.source} recorded (the history was rewritten from here on)`);
      }
    }
    previousHash = hash;
    expectedId += 1;
  }
  const beyond = anchors.filter((anchor) => anchor.event > count).sort((a, b) => a.event - b.event)[0];
  if (beyond) return broken(beyond.event, `it is missing: ${beyond.source} recorded it, and the history now ends at event ${count} (events were removed from its end)`);
  return { ok: problems.length === 0, events: count, firstBroken: null, anchors: checked, problems };
}

/** The chain's tip: the last event and its hash. */
export const CHAIN_TIP_SQL = sql`SELECT id, hash FROM events ORDER BY id DESC LIMIT 1`;

/** The events about one subject: its own, and the batch events whose run of ids covers it, newest first. */
export function historyOfSql(subjectType: string, subjectId: number): Sql {
  return sql`SELECT id, at, actor, action, reason, details, client, address FROM events WHERE subject_type = ${subjectType} AND subject_id = ${subjectId} AND subject_last IS NULL
          UNION ALL
          SELECT id, at, actor, action, reason, details, client, address FROM events
          WHERE subject_type = ${subjectType} AND subject_last IS NOT NULL AND subject_id <= ${subjectId} AND subject_last >= ${subjectId}
          ORDER BY id DESC`;
}
