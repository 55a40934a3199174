/**
 * Edits of reputation records, one at a time (the record view) or in bulk (a job over a selection
 * or over every row matching a filter). Each change to a record appends one history event in the
 * same transaction; a bulk action commits all of it or, on any failure or a cancel, none.
 */
import { formatRange, readAddressKeyHex } from '../../../shared/address.js';
import { ROLE_FOR_LIST, type ListName, type Role } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { BulkAction, BulkResult, EditResult, ListingEdit } from '../../../shared/workbench.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { AppError, conflict, invalidInput, notFound } from '../errors.js';
import { openHistory, type HistoryWriter } from '../audit/history.js';
import { requireActor, type Actor } from '../investigators/investigators.js';
import { checkReason, checkTxt, findListing, type ListingRow } from '../listings/listings.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { matchingIds } from './query.js';

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

function rangeText(row: ListingRow): string {
  const first = readAddressKeyHex(row.first);
  return formatRange({ family: first.family, first: first.value, last: readAddressKeyHex(row.last).value });
}

/** What one record change needs: its checked parameters, resolved once for a whole bulk action. */
type Change =
  | { readonly action: 'delist' }
  | { readonly action: 'suppress'; readonly until: string }
  | { readonly action: 'extend'; readonly expires: string }
  | { readonly action: 'reassign'; readonly investigator: { readonly id: number; readonly name: string; readonly roles: readonly Role[] } };

/**
 * Apply one change to one record: returns null when done (one event appended), else why the
 * record was left as it was (a bulk action reports it; a single edit refuses with it).
 */
function applyChange(db: WriteDb, history: HistoryWriter, actor: Actor, row: ListingRow, change: Change, why: string, at: string): string | null {
  const id = row.id;
  switch (change.action) {
    case 'delist': {
      if (row.status === 'delisted') return `#${id} is already delisted`;
      db.run(sql`UPDATE listings SET status = 'delisted', suppressed_until = NULL, updated_at = ${at} WHERE id = ${id}`);
      history.append({ actor: actor.name, action: 'listing.delisted', subjectType: 'listing', subjectId: id, reason: why, details: { from: row.status } });
      return null;
    }
    case 'suppress': {
      if (row.status !== 'active' && row.status !== 'suppressed') return `#${id} is ${row.status}; only an active listing can be suppressed`;
      db.run(sql`UPDATE listings SET status = 'suppressed', suppressed_until = ${change.until}, updated_at = ${at} WHERE id = ${id}`);
      history.append({
        actor: actor.name,
        action: 'listing.suppressed',
        subjectType: 'listing',
        subjectId: id,
        reason: why,
        details: { from: row.status, until: change.until, previousUntil: row.suppressed_until },
      });
      return null;
    }
    case 'extend': {
      if (row.list !== 'QIL') return `#${id} is on ${row.list}; only QIL entries expire`;
      if (row.status === 'delisted') return `#${id} is delisted`;
      if (row.expires_at !== null && row.expires_at >= change.expires) return `#${id} already runs until ${row.expires_at}`;
      db.run(sql`UPDATE listings SET expires_at = ${change.expires}, updated_at = ${at} WHERE id = ${id}`);
      history.append({ actor: actor.name, action: 'listing.extended', subjectType: 'listing', subjectId: id, reason: why, details: { from: row.expires_at, to: change.expires } });
      return null;
    }
    case 'reassign': {
      if (row.investigator_id === change.investigator.id) return `#${id} is already assigned to ${change.investigator.name}`;
      const role = ROLE_FOR_LIST[row.list];
      if (!change.investigator.roles.includes(role)) return `${change.investigator.name} does not have the ${role} role that ${row.list} listings need`;
      const from = db.get<{ name: string }>(sql`SELECT name FROM investigators WHERE id = ${row.investigator_id}`)?.name ?? `#${row.investigator_id}`;
      db.run(sql`UPDATE listings SET investigator_id = ${change.investigator.id}, updated_at = ${at} WHERE id = ${id}`);
      history.append({ actor: actor.name, action: 'listing.reassigned', subjectType: 'listing', subjectId: id, reason: why, details: { from, to: change.investigator.name } });
      return null;
    }
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
  onProgress: (progress: { stage: string; done: number; total: number }) => void = () => undefined,
): BulkResult {
  const change = changeOf(db, action, now);
  onProgress({ stage: 'selecting', done: 0, total: 0 });
  const ids = 'ids' in action.target ? [...new Set(action.target.ids)].sort((a, b) => a - b) : matchingIds(db, index, action.target.filter);
  if (ids.length === 0) throw invalidInput('no listings match; nothing was changed');
  const at = now.toISOString();
  return db.transaction(() => {
    const actorFor = actorsByRole(db, actorName);
    const history = openHistory(db, () => at);
    const skippedReasons: string[] = [];
    let changed = 0;
    let skipped = 0;
    ids.forEach((id, position) => {
      if (position % PROGRESS_EVERY === 0) onProgress({ stage: action.action, done: position, total: ids.length });
      const row = findListing(db, id);
      if (!row) throw notFound(`no listing #${id}; nothing was changed`);
      const problem = applyChange(db, history, actorFor(row.list), row, change, action.why, at);
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
    const history = openHistory(db, () => at);
    const event = (action: string, details: Record<string, unknown>, subjectId = row.id) =>
      history.append({ actor: actor.name, action, subjectType: 'listing', subjectId, reason: edit.why, details });
    switch (edit.action) {
      case 'delist':
      case 'suppress':
      case 'reassign': {
        const problem = applyChange(db, history, actor, row, changeOf(db, edit, now), edit.why, at);
        if (problem !== null) throw conflict(problem);
        return { id: row.id, replaced: null };
      }
      case 'reason': {
        checkReason(row.list, edit.reason);
        if (edit.reason === row.reason) throw conflict(`#${row.id} already has the reason ${edit.reason}`);
        db.run(sql`UPDATE listings SET reason = ${edit.reason}, updated_at = ${at} WHERE id = ${row.id}`);
        event('listing.updated', { reason: { from: row.reason, to: edit.reason } });
        return { id: row.id, replaced: null };
      }
      case 'txt': {
        const txt = checkTxt(edit.txt);
        if (txt === row.txt) throw conflict(`#${row.id} already has this TXT`);
        db.run(sql`UPDATE listings SET txt = ${txt}, updated_at = ${at} WHERE id = ${row.id}`);
        event('listing.updated', { txt: { from: row.txt, to: txt } });
        return { id: row.id, replaced: null };
      }
      case 'relist': {
        if (row.status === 'active') throw conflict(`#${row.id} is already active`);
        const duplicate = db.get<{ id: number }>(
          sql`SELECT id FROM listings WHERE family = ${row.family} AND first = ${Buffer.from(row.first, 'hex')} AND last = ${Buffer.from(row.last, 'hex')} AND list = ${row.list} AND status = 'active' AND id <> ${row.id}`,
        );
        if (duplicate) throw conflict(`${rangeText(row)} is already listed on ${row.list} as #${duplicate.id}`);
        let expiresAt = row.expires_at;
        if (row.list === 'QIL') {
          if (edit.expires !== undefined) expiresAt = futureDate(edit.expires, 'expires', now);
          else if (expiresAt === null || expiresAt <= at) expiresAt = new Date(now.getTime() + settings.qil.defaultExpiryHours * 3_600_000).toISOString();
        } else if (edit.expires !== undefined) {
          throw invalidInput('expires: only QIL entries expire');
        }
        db.run(sql`UPDATE listings SET status = 'active', suppressed_until = NULL, expires_at = ${expiresAt}, updated_at = ${at} WHERE id = ${row.id}`);
        event('listing.relisted', { from: row.status, expiresAt });
        return { id: row.id, replaced: null };
      }
      case 'change-list': {
        if (edit.list === row.list) throw conflict(`#${row.id} is already on ${row.list}`);
        checkReason(edit.list, edit.reason);
        requireActor(db, actorName, ROLE_FOR_LIST[edit.list]);
        const duplicate = db.get<{ id: number }>(
          sql`SELECT id FROM listings WHERE family = ${row.family} AND first = ${Buffer.from(row.first, 'hex')} AND last = ${Buffer.from(row.last, 'hex')} AND list = ${edit.list} AND status = 'active'`,
        );
        if (duplicate) throw conflict(`${rangeText(row)} is already listed on ${edit.list} as #${duplicate.id}`);
        const isQil = edit.list === 'QIL';
        const level = isQil ? settings.qil.defaultLevel : null;
        const expiresAt = isQil ? new Date(now.getTime() + settings.qil.defaultExpiryHours * 3_600_000).toISOString() : null;
        // A listing keeps its list (a trigger forbids changing it): the old one is delisted and a new one made.
        const inserted = db.run(sql`INSERT INTO listings (list, family, first, last, prefix, reason, investigator_id, txt, level, expires_at, created_at, updated_at)
          SELECT ${edit.list}, family, first, last, prefix, ${edit.reason}, ${row.investigator_id}, txt, ${level}, ${expiresAt}, ${at}, ${at} FROM listings WHERE id = ${row.id}`);
        const newId = Number(inserted.lastInsertRowid);
        if (row.status !== 'delisted') db.run(sql`UPDATE listings SET status = 'delisted', suppressed_until = NULL, updated_at = ${at} WHERE id = ${row.id}`);
        event('listing.moved', { from: row.status, toList: edit.list, to: newId });
        event(
          'listing.created',
          { list: edit.list, range: rangeText(row), reason: edit.reason, txt: row.txt, level, expiresAt, movedFrom: row.id, fromList: row.list },
          newId,
        );
        return { id: newId, replaced: row.id };
      }
      default: {
        const unreachable: never = edit;
        throw new AppError('internal', `unknown edit ${JSON.stringify(unreachable)}`);
      }
    }
  });
}
