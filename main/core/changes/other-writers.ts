/**
 * Writes by other processes on a server's database, turned into change notices: a `repdesk`
 * command run on the server's data folder, a cron job, a desktop app working on the same file.
 * The server hears of its own writes from its core (the writer thread, the jobs); another process
 * says nothing, so the server looks: SQLite's `data_version` on the reader connection (asked every
 * half second; it changes when any other connection commits), then the history events appended
 * since the last look. Events this process appended are announced by the thread that appended them
 * (own-events.ts) and skipped; the others become one notice with the topics their actions touched
 * (history-topics.ts), `operation: null`. An event not announced yet is held for two more looks
 * (an announcement is a message between threads and may come a moment after the commit it is
 * about, later on a machine under load), so another process's write is noticed within 1.5 s.
 */
import type { ChangeNotice } from '../../../shared/changes.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { createLogger } from '../log.js';
import { topicsOfActions } from './history-topics.js';
import { hearOwnEvents, type OwnEventRun } from './own-events.js';

const log = createLogger('other-writers');

/** How often the server looks for other processes' commits. */
export const OTHER_WRITERS_INTERVAL_MS = 500;
/** How many looks an event must be seen unannounced before it is taken for another process's. */
const LOOKS_BEFORE_FOREIGN = 2;
/** The most events one look reads (a huge batch by another process is read over several looks). */
const EVENTS_PER_LOOK = 5_000;

interface EventRow {
  readonly id: number;
  readonly actor: string;
  readonly action: string;
  readonly hash: string;
}

export interface OtherWritersWatch {
  /** Look now (tests; the timer does it every interval). */
  look(): void;
  close(): void;
}

/** Watch `db` for other processes' writes and give each look's as one notice to `onChange`. */
export function watchOtherWriters(db: ReadDb, onChange: (notice: ChangeNotice) => void, intervalMs = OTHER_WRITERS_INTERVAL_MS): OtherWritersWatch {
  let version = db.dataVersion();
  let seenId = db.get<{ id: number }>(sql`SELECT coalesce(max(id), 0) AS id FROM events`)?.id ?? 0;
  /** Runs announced by this process's threads, until the look passes them. */
  let ownRuns: OwnEventRun[] = [];
  /** Events seen without an announcement, and in how many looks: after LOOKS_BEFORE_FOREIGN they are another process's. */
  const held = new Map<number, number>();
  const stopHearing = hearOwnEvents((runs) => {
    for (const run of runs) if (run.last > seenId) ownRuns.push(run);
  });

  const isOwn = (event: EventRow, byId: ReadonlyMap<number, EventRow>): boolean => {
    const run = ownRuns.find((candidate) => candidate.first <= event.id && event.id <= candidate.last);
    if (run === undefined) return false;
    const last = byId.get(run.last) ?? db.get<EventRow>(sql`SELECT id, actor, action, lower(hex(hash)) AS hash FROM events WHERE id = ${run.last}`);
    return last !== undefined && last.hash.startsWith(run.hash);
  };

  const look = () => {
    const now = db.dataVersion();
    if (now === version && held.size === 0) return;
    version = now;
    const events = db.all<EventRow>(sql`SELECT id, actor, action, lower(hex(hash)) AS hash FROM events WHERE id > ${seenId} ORDER BY id LIMIT ${EVENTS_PER_LOOK}`);
    const byId = new Map(events.map((event) => [event.id, event]));
    const theirs: EventRow[] = [];
    let isSettled = true;
    for (const event of events) {
      const looks = (held.get(event.id) ?? 0) + 1;
      if (isOwn(event, byId)) held.delete(event.id);
      else if (looks > LOOKS_BEFORE_FOREIGN) {
        held.delete(event.id);
        theirs.push(event);
      } else {
        held.set(event.id, looks);
        isSettled = false;
      }
      if (isSettled) seenId = event.id;
    }
    // A long batch read over several looks: the rest is read at once rather than after a pause.
    if (events.length === EVENTS_PER_LOOK && isSettled) version = -1;
    ownRuns = ownRuns.filter((run) => run.last > seenId);
    if (theirs.length === 0) return;
    const topics = topicsOfActions(theirs.map((event) => event.action));
    if (topics.length === 0) return;
    const actors = new Set(theirs.map((event) => event.actor));
    log.info(`another process wrote ${theirs.length} history event(s) (${theirs[0].id}..${theirs.at(-1)?.id}): ${topics.join(', ')}`);
    onChange({ operation: null, actor: actors.size === 1 ? theirs[0].actor : null, at: new Date().toISOString(), topics });
  };

  // The decision waits for this turn's messages (an announcement of a commit just seen) to arrive.
  const timer = setInterval(() => setImmediate(safeLook), intervalMs);
  timer.unref();
  function safeLook() {
    try {
      look();
    } catch (error) {
      log.warn(`looking for other processes' writes failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    look,
    close: () => {
      clearInterval(timer);
      stopHearing();
    },
  };
}
