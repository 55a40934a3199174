/**
 * The one owner of a listing's life: every change of a listing's state (create, delist,
 * suppress, reinstate, extend, reassign, move, and the reason and TXT edits) is written here,
 * one function per change, each appending its history event in the caller's transaction.
 * Imports, DUL commits and reverts, QIL ingestion, queue decisions, record edits and bulk
 * actions call these; nothing else writes a listing (a test holds the rest of the code to it).
 * The batch forms for bulk work (many new listings, many delistings, restored copies) live in
 * batches.ts.
 *
 * A single change returns null when it was made, else why the listing was left as it was (a
 * bulk action reports it and goes on; a single edit refuses with it).
 */
import { formatRange, readAddressKeyHex, type Family } from '../../../shared/address.js';
import type { ListName, Reason, Role } from '../../../shared/domain.js';
import type { WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { openHistory, type HistoryWriter } from '../audit/history.js';
import type { ListingRow } from '../rule/listing-row.js';
import { spanOfKeys } from '../db/span.js';
import { committedSql } from '../rule/unfinished.js';

/**
 * The history actions of the changes here and in batches.ts that can change what is published
 * (a reassignment cannot): the dashboard's "not yet published" counts the listings they name.
 */
export const PUBLISHED_CHANGE_ACTIONS: ReadonlySet<string> = new Set([
  'listing.created',
  'listing.delisted',
  'listing.suppressed',
  'listing.relisted',
  'listing.extended',
  'listing.updated',
  'listing.moved',
  'listings.imported',
  'listings.delisted',
  'listings.restored',
  'qil.listed',
  'qil.extended',
]);

/** Who writes, when, and the history the events go to: one per transaction. */
export interface ListingWriter {
  readonly db: WriteDb;
  readonly history: HistoryWriter;
  /** The actor's name, as the events record it. */
  readonly actor: string;
  readonly at: string;
}

/** A writer for one transaction (call inside `db.transaction`). */
export function listingWriter(db: WriteDb, actor: string, at: string, history: HistoryWriter = openHistory(db, () => at)): ListingWriter {
  return { db, history, actor, at };
}

/** What a change records beside its reason: more details for its event. */
export interface ChangeNote {
  readonly why: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

function event(writer: ListingWriter, action: string, id: number, note: ChangeNote, details: Readonly<Record<string, unknown>>): void {
  writer.history.append({ actor: writer.actor, action, subjectType: 'listing', subjectId: id, reason: note.why, details: { ...details, ...note.details } });
}

function rangeText(row: Pick<ListingRow, 'first' | 'last'>): string {
  const first = readAddressKeyHex(row.first);
  return formatRange({ family: first.family, first: first.value, last: readAddressKeyHex(row.last).value });
}

/** The active listing with the same range on `list` (other than `exceptId`), if any. */
export function activeDuplicate(db: WriteDb, family: Family, first: Buffer, last: Buffer, list: ListName, exceptId = 0): number | null {
  const row = db.get<{ id: number }>(activeDuplicateSql(family, first, last, list, exceptId));
  return row?.id ?? null;
}

/** A new listing's fields (the range as storage keys). */
export interface ListingFields {
  readonly list: ListName;
  readonly family: Family;
  readonly first: Buffer;
  readonly last: Buffer;
  readonly prefix: number | null;
  readonly reason: Reason;
  readonly investigatorId: number;
  readonly txt: string | null;
  readonly level: number | null;
  readonly expiresAt: string | null;
}

/** Create one listing (`listing.created`); the caller has checked the duplicate. Returns its id. */
export function createListing(writer: ListingWriter, fields: ListingFields, note: ChangeNote): number {
  const { at } = writer;
  const result = writer.db.run(sql`INSERT INTO listings (list, family, first, last, span, prefix, reason, investigator_id, txt, level, expires_at, created_at, updated_at)
    VALUES (${fields.list}, ${fields.family}, ${fields.first}, ${fields.last}, ${spanOfKeys(fields.first, fields.last)}, ${fields.prefix}, ${fields.reason}, ${fields.investigatorId}, ${fields.txt}, ${fields.level}, ${fields.expiresAt}, ${at}, ${at})`);
  const id = Number(result.lastInsertRowid);
  const range = rangeText({ first: fields.first.toString('hex').toUpperCase(), last: fields.last.toString('hex').toUpperCase() });
  event(writer, 'listing.created', id, note, { list: fields.list, range, reason: fields.reason, txt: fields.txt, level: fields.level, expiresAt: fields.expiresAt });
  return id;
}

/** Delist (`listing.delisted`): the listing leaves the zones at the next publish; its record and history stay. */
export function delist(writer: ListingWriter, row: ListingRow, note: ChangeNote): string | null {
  if (row.status === 'delisted') return `#${row.id} is already delisted`;
  writer.db.run(sql`UPDATE listings SET status = 'delisted', suppressed_until = NULL, updated_at = ${writer.at} WHERE id = ${row.id}`);
  event(writer, 'listing.delisted', row.id, note, { from: row.status });
  return null;
}

/** Suppress until a date (`listing.suppressed`): out of the zones until then, back by itself after. */
export function suppress(writer: ListingWriter, row: ListingRow, until: string, note: ChangeNote): string | null {
  if (row.status !== 'active' && row.status !== 'suppressed') return `#${row.id} is ${row.status}; only an active listing can be suppressed`;
  writer.db.run(sql`UPDATE listings SET status = 'suppressed', suppressed_until = ${until}, updated_at = ${writer.at} WHERE id = ${row.id}`);
  event(writer, 'listing.suppressed', row.id, note, { from: row.status, until, previousUntil: row.suppressed_until });
  return null;
}

/**
 * Reinstate (`listing.relisted`): active again, its suppression cleared, with `expiresAt` as its
 * expiry (QIL). Refused while the same range is active on the list as another listing.
 */
export function reinstate(writer: ListingWriter, row: ListingRow, expiresAt: string | null, note: ChangeNote): string | null {
  if (row.status === 'active') return `#${row.id} is already active`;
  const duplicate = activeDuplicate(writer.db, row.family, Buffer.from(row.first, 'hex'), Buffer.from(row.last, 'hex'), row.list, row.id);
  if (duplicate !== null) return `${rangeText(row)} is already listed on ${row.list} as #${duplicate}`;
  writer.db.run(sql`UPDATE listings SET status = 'active', suppressed_until = NULL, expires_at = ${expiresAt}, updated_at = ${writer.at} WHERE id = ${row.id}`);
  event(writer, 'listing.relisted', row.id, note, { from: row.status, expiresAt });
  return null;
}

/** Options of an extension: QIL ingestion records its own event and puts a lapsed or removed entry back in force. */
export interface ExtendOptions {
  /** The event's action (default `listing.extended`). */
  readonly action?: string;
  /** Also make the listing active again (a suppressed QIL source that spams again is back). */
  readonly isReinstating?: boolean;
  /** The expiry the trap-hit policy computed stands even when earlier (hits replayed in time order). */
  readonly mayMoveEarlier?: boolean;
}

const EXTEND = 'UPDATE listings SET expires_at = ?, updated_at = ? WHERE id = ?';
const EXTEND_REINSTATING = "UPDATE listings SET expires_at = ?, status = 'active', updated_at = ? WHERE id = ?";

/** Move a QIL entry's expiry later (`listing.extended`, or the action given). */
export function extend(writer: ListingWriter, row: Pick<ListingRow, 'id' | 'list' | 'status' | 'expires_at'>, expiresAt: string, note: ChangeNote, options: ExtendOptions = {}): string | null {
  if (row.list !== 'QIL') return `#${row.id} is on ${row.list}; only QIL entries expire`;
  if (row.status === 'delisted') return `#${row.id} is delisted`;
  if (!options.mayMoveEarlier && row.expires_at !== null && row.expires_at >= expiresAt) return `#${row.id} already runs until ${row.expires_at}`;
  // Prepared once per text: QIL ingestion extends a hundred thousand listings in one transaction.
  writer.db.prepare(options.isReinstating ? EXTEND_REINSTATING : EXTEND).run(expiresAt, writer.at, row.id);
  event(writer, options.action ?? 'listing.extended', row.id, note, { from: row.expires_at, to: expiresAt });
  return null;
}

/** The investigator a listing is reassigned to. */
export interface Assignee {
  readonly id: number;
  readonly name: string;
  readonly roles: readonly Role[];
}

/** Reassign (`listing.reassigned`) to someone holding the role the list needs. */
export function reassign(writer: ListingWriter, row: ListingRow, to: Assignee, role: Role, note: ChangeNote): string | null {
  if (row.investigator_id === to.id) return `#${row.id} is already assigned to ${to.name}`;
  if (!to.roles.includes(role)) return `${to.name} does not have the ${role} role that ${row.list} listings need`;
  const from = writer.db.get<{ name: string }>(sql`SELECT name FROM investigators WHERE id = ${row.investigator_id}`)?.name ?? `#${row.investigator_id}`;
  writer.db.run(sql`UPDATE listings SET investigator_id = ${to.id}, updated_at = ${writer.at} WHERE id = ${row.id}`);
  event(writer, 'listing.reassigned', row.id, note, { from, to: to.name });
  return null;
}

/** Change the reason category (`listing.updated`); the caller has checked it belongs on the list. */
export function changeReason(writer: ListingWriter, row: ListingRow, reason: Reason, note: ChangeNote): string | null {
  if (reason === row.reason) return `#${row.id} already has the reason ${reason}`;
  writer.db.run(sql`UPDATE listings SET reason = ${reason}, updated_at = ${writer.at} WHERE id = ${row.id}`);
  event(writer, 'listing.updated', row.id, note, { reason: { from: row.reason, to: reason } });
  return null;
}

/** Change the TXT reason (`listing.updated`); the caller has checked the text. */
export function changeTxt(writer: ListingWriter, row: ListingRow, txt: string | null, note: ChangeNote): string | null {
  if (txt === row.txt) return `#${row.id} already has this TXT`;
  writer.db.run(sql`UPDATE listings SET txt = ${txt}, updated_at = ${writer.at} WHERE id = ${row.id}`);
  event(writer, 'listing.updated', row.id, note, { txt: { from: row.txt, to: txt } });
  return null;
}

/**
 * Move to another list: a listing keeps its list (a trigger forbids changing it), so it is
 * delisted (`listing.moved`) and a new one made on the other list (`listing.created`), each
 * event pointing at the other. Returns the new id, or why it was refused.
 */
export function move(
  writer: ListingWriter,
  row: ListingRow,
  to: { readonly list: ListName; readonly reason: Reason; readonly level: number | null; readonly expiresAt: string | null },
  note: ChangeNote,
): { readonly id: number } | { readonly problem: string } {
  if (to.list === row.list) return { problem: `#${row.id} is already on ${row.list}` };
  const duplicate = activeDuplicate(writer.db, row.family, Buffer.from(row.first, 'hex'), Buffer.from(row.last, 'hex'), to.list);
  if (duplicate !== null) return { problem: `${rangeText(row)} is already listed on ${to.list} as #${duplicate}` };
  const { db, at } = writer;
  const inserted = db.run(sql`INSERT INTO listings (list, family, first, last, span, prefix, reason, investigator_id, txt, level, expires_at, created_at, updated_at)
    SELECT ${to.list}, family, first, last, span, prefix, ${to.reason}, investigator_id, txt, ${to.level}, ${to.expiresAt}, ${at}, ${at} FROM listings WHERE id = ${row.id}`);
  const id = Number(inserted.lastInsertRowid);
  if (row.status !== 'delisted') db.run(sql`UPDATE listings SET status = 'delisted', suppressed_until = NULL, updated_at = ${at} WHERE id = ${row.id}`);
  event(writer, 'listing.moved', row.id, note, { from: row.status, toList: to.list, to: id });
  event(writer, 'listing.created', id, note, {
    list: to.list,
    range: rangeText(row),
    reason: to.reason,
    txt: row.txt,
    level: to.level,
    expiresAt: to.expiresAt,
    movedFrom: row.id,
    fromList: row.list,
  });
  return { id };
}

/** The active listings with the same range on `list`, other than `exceptId`. */
export function activeDuplicateSql(family: Family, first: Uint8Array, last: Uint8Array, list: ListName, exceptId: number): Sql {
  return sql`SELECT id FROM listings l WHERE family = ${family} AND first = ${first} AND last = ${last} AND list = ${list} AND status = 'active' AND id <> ${exceptId} AND ${committedSql('l')}`;
}
