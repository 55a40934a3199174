/**
 * Edits of reputation records, one at a time (the record view) or in bulk (a job over a selection
 * or over every row matching a filter). Each change to a record appends one history event in the
 * same transaction; a bulk action commits all of it or, on any failure or a cancel, none.
 */
import { ROLE_FOR_LIST, type ListName, type Role } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { BulkAction, BulkResult, EditResult, ListingEdit } from '../../../shared/workbench.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { AppError, conflict, invalidInput, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { requireActor, type Actor } from '../investigators/investigators.js';
import { checkReason, findListing } from '../listings/listings.js';
import { checkTxt } from '../listings/txt.js';
import type { ListingRow } from '../rule/listing-row.js';
import { changeReason, changeTxt, delist, extend, listingWriter, move, reassign, reinstate, suppress, type Assignee, type ListingWriter } from '../listings/changes.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { matchingIds } from './query.js';
import type { ProgressReporter } from '../jobs/progress.js';

/** A date the action sets must lie ahead. */
function futureDate(text: string, field: string, now: Date): string {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00.000Z` : text);
  if (Number.isNaN(date.getTime())) throw invalidInput(`${field}: ${JSON.stringify(text)} is not a date`);
  if (date.getTime() <= now.getTime()) throw invalidInput(`${field}: ${text} is not in the future`);
  return date.toISOString();
}

/** The actor for each list's role, resolved once per role. */
function actorsByRole(db: ReadDb, actorName: string | null): (list: ListName) => Actor {
  const actors = new Map<Role, Actor>();
  return (list) => {
    const role = ROLE_FOR_LIST[list];
    let actor = actors.get(role);
    if (!actor) {
      actor = requireActor(db, actorName, role);
      actors.set(role, actor);
    }
    return actor;
  };
}

/** What one record change needs: its checked parameters, resolved once for a whole bulk action. */
type Change =
  | { readonly action: 'delist' }
  | { readonly action: 'suppress'; readonly until: string }
  | { readonly action: 'extend'; readonly expires: string }
  | { readonly action: 'reassign'; readonly investigator: Assignee };

/**
 * Apply one change to one record through the listing's owner (listings/changes.ts): returns
 * null when done (one event appended), else why the record was left as it was.
 */
function applyChange(writer: ListingWriter, row: ListingRow, change: Change, why: string): string | null {
  switch (change.action) {
    case 'delist':
      return delist(writer, row, { why });
    case 'suppress':
      return suppress(writer, row, change.until, { why });
    case 'extend':
      return extend(writer, row, change.expires, { why });
    case 'reassign':
      return reassign(writer, row, change.investigator, ROLE_FOR_LIST[row.list], { why });
    default: {
      const unreachable: never = change;
      return unreachable;
    }
  }
}

function investigatorFor(db: ReadDb, name: string): { id: number; name: string; roles: Role[] } {
  const row = db.get<{ id: number; name: string; roles: string; active: number }>(sql`SELECT id, name, roles, active FROM investigators WHERE name = ${name}`);
  if (!row) throw invalidInput(`investigator: no one is named ${JSON.stringify(name)}`);
  if (row.active !== 1) throw invalidInput(`investigator: ${row.name} is no longer active`);
  return { id: row.id, name: row.name, roles: row.roles.split(',') as Role[] };
}

function changeOf(db: ReadDb, action: BulkAction | Extract<ListingEdit, { action: 'delist' | 'suppress' | 'reassign' }>, now: Date): Change {
  switch (action.action) {
    case 'delist':
      return { action: 'delist' };
    case 'suppress':
      return { action: 'suppress', until: futureDate(action.until, 'until', now) };
    case 'extend':
      return { action: 'extend', expires: futureDate(action.expires, 'expires', now) };
    case 'reassign':
      return { action: 'reassign', investigator: investigatorFor(db, action.investigator) };
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}

const PROGRESS_EVERY = 2048;
const MAX_REPORTED_SKIPS = 50;

/**
 * A bulk action over chosen ids or every row matching a filter. One transaction: a record that
 * does not exist fails the whole action; a record the action does not apply to (already
 * delisted...) is skipped and reported. `onProgress` may throw AppError('cancelled'), which
 * rolls everything back.
 */
export function runBulkAction(
  db: WriteDb,
  index: ListingIndex,
  actorName: string | null,
  action: BulkAction,
  now: Date,
  onProgress: ProgressReporter = () => undefined,
): BulkResult {
  const change = changeOf(db, action, now);
  onProgress({ stage: 'selecting', done: 0, total: 0 });
  const ids = 'ids' in action.target ? [...new Set(action.target.ids)].sort((a, b) => a - b) : matchingIds(db, index, action.target.filter, now);
  if (ids.length === 0) throw invalidInput('no listings match; nothing was changed');
  const at = now.toISOString();
  return db.transaction(() => {
    const actorFor = actorsByRole(db, actorName);
    const history = openHistory(db, () => at);
    const writers = new Map<string, ListingWriter>();
    const writerFor = (actor: Actor): ListingWriter => {
      let writer = writers.get(actor.name);
      if (!writer) writers.set(actor.name, (writer = listingWriter(db, actor.name, at, history)));
      return writer;
    };
    const skippedReasons: string[] = [];
    let changed = 0;
    let skipped = 0;
    ids.forEach((id, position) => {
      if (position % PROGRESS_EVERY === 0) onProgress({ stage: action.action, done: position, total: ids.length });
      const row = findListing(db, id);
      if (!row) throw notFound(`no listing #${id}; nothing was changed`);
      const problem = applyChange(writerFor(actorFor(row.list)), row, change, action.why);
      if (problem === null) changed += 1;
      else {
        skipped += 1;
        if (skippedReasons.length < MAX_REPORTED_SKIPS) skippedReasons.push(problem);
      }
    });
    onProgress({ stage: 'committing', done: ids.length, total: ids.length });
    return { action: action.action, changed, skipped, skippedReasons };
  });
}

/** Edit one record from the record view. A change that does not apply is refused as a conflict. */
export function editListing(db: WriteDb, actorName: string | null, edit: ListingEdit, settings: Settings, now: Date): EditResult {
  const at = now.toISOString();
  return db.transaction(() => {
    const row = findListing(db, edit.id);
    if (!row) throw notFound(`no listing #${edit.id}`);
    const actor = requireActor(db, actorName, ROLE_FOR_LIST[row.list]);
    const writer = listingWriter(db, actor.name, at);
    const note = { why: edit.why };
    const done = (problem: string | null): EditResult => {
      if (problem !== null) throw conflict(problem);
      return { id: row.id, replaced: null };
    };
    switch (edit.action) {
      case 'delist':
      case 'suppress':
      case 'reassign':
        return done(applyChange(writer, row, changeOf(db, edit, now), edit.why));
      case 'reason':
        checkReason(row.list, edit.reason);
        return done(changeReason(writer, row, edit.reason, note));
      case 'txt':
        return done(changeTxt(writer, row, checkTxt(edit.txt), note));
      case 'relist': {
        let expiresAt = row.expires_at;
        if (row.list === 'QIL') {
          if (edit.expires !== undefined) expiresAt = futureDate(edit.expires, 'expires', now);
          else if (expiresAt === null || expiresAt <= at) expiresAt = new Date(now.getTime() + settings.qil.defaultExpiryHours * 3_600_000).toISOString();
        } else if (edit.expires !== undefined) {
          throw invalidInput('expires: only QIL entries expire');
        }
        return done(reinstate(writer, row, expiresAt, note));
      }
      case 'change-list': {
        checkReason(edit.list, edit.reason);
        requireActor(db, actorName, ROLE_FOR_LIST[edit.list]);
        const isQil = edit.list === 'QIL';
        const level = isQil ? settings.qil.defaultLevel : null;
        const expiresAt = isQil ? new Date(now.getTime() + settings.qil.defaultExpiryHours * 3_600_000).toISOString() : null;
        const moved = move(writer, row, { list: edit.list, reason: edit.reason, level, expiresAt }, note);
        if ('problem' in moved) throw conflict(moved.problem);
        return { id: moved.id, replaced: row.id };
      }
      default: {
        const unreachable: never = edit;
        throw new AppError('internal', `unknown edit ${JSON.stringify(unreachable)}`);
      }
    }
  });
}
