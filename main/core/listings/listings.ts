/**
 * Reputation records (listings): creating, reading, delisting and bulk import. Every change
 * appends to the hash-chained history in the same transaction.
 */
import { basename } from 'node:path';
import { formatRange, parseRange, readAddressKeyHex, writeAddressKey, type ParsedRange } from '../../../shared/address.js';
import type { ImportSummary, ListingView } from '../../../shared/listings.js';
import { REASONS_BY_LIST, ROLE_FOR_LIST, type ListName, type ListingStatus, type Reason } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import { specialSpaceProblem } from '../../../shared/special-ranges.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict, invalidInput, notFound } from '../errors.js';
import { writeStagedImport } from './staged-import.js';
import { activeDuplicate, createListing, delist, listingWriter } from './changes.js';
import { requireActor } from '../investigators/investigators.js';
import { readListingsFile } from './listings-file.js';
import { addressOrder } from './range-columns.js';
import { checkTxt } from './txt.js';
import type { ListingRow } from '../rule/listing-row.js';
import { committedSql } from '../rule/unfinished.js';
import type { InputFile } from '../io/files.js';
import type { ProgressReporter } from '../jobs/progress.js';

const LISTING_COLUMNS = sql`l.id, l.list, l.family, hex(l.first) AS first, hex(l.last) AS last, l.prefix, l.reason, l.investigator_id, l.status,
  l.suppressed_until, l.txt, l.level, l.expires_at, l.created_at, l.updated_at, l.submission_id`;

// Investigators are few and never renamed: their names are kept per connection rather than
// joined into every listing read (the join costs a second B-tree search per record).
const investigatorNames = new WeakMap<ReadDb, Map<number, string>>();

function investigatorName(db: ReadDb, id: number): string {
  let names = investigatorNames.get(db);
  if (!names) investigatorNames.set(db, (names = new Map()));
  let name = names.get(id);
  if (name === undefined) {
    name = db.get<{ name: string }>(sql`SELECT name FROM investigators WHERE id = ${id}`)?.name ?? `#${id}`;
    names.set(id, name);
  }
  return name;
}

/**
 * Why the next snapshot leaves a listing out at `at` (ISO time), or null when it is in: the rule
 * publishing applies (active, or suppressed until a date now past; and not expired), with the
 * reason a person needs: delisted; expired (its expiry passed, even while the stored status still
 * says active); removed (suppressed until a date still ahead).
 */
export function notPublishedBecause(status: ListingStatus, suppressedUntil: string | null, expiresAt: string | null, at: string): 'delisted' | 'expired' | 'removed' | null {
  if (status === 'delisted') return 'delisted';
  if (status === 'expired' || (expiresAt !== null && expiresAt <= at)) return 'expired';
  if (status === 'suppressed' && (suppressedUntil === null || suppressedUntil > at)) return 'removed';
  return null;
}

/** The API view of a stored listing. */
export function toListingView(db: ReadDb, row: ListingRow): ListingView {
  const first = readAddressKeyHex(row.first);
  const last = readAddressKeyHex(row.last);
  return {
    id: row.id,
    list: row.list,
    range: formatRange({ family: first.family, first: first.value, last: last.value }),
    family: row.family,
    prefix: row.prefix,
    reason: row.reason,
    investigator: investigatorName(db, row.investigator_id),
    status: row.status,
    suppressedUntil: row.suppressed_until,
    txt: row.txt,
    level: row.level,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Built once: lookups fetch records at 100k+ a second, and rebuilding the text each time shows.
// An import's listings are nobody's until it commits (rule/unfinished.ts).
/** A listing by id (lookups, the record): the statement's text, its one value the id. */
export const FIND_LISTING_SQL = sql`SELECT ${LISTING_COLUMNS} FROM listings l WHERE l.id = ${0} AND ${committedSql('l')}`.text;

export function findListing(db: ReadDb, id: number): ListingRow | undefined {
  return db.get<ListingRow>({ text: FIND_LISTING_SQL, values: [id] });
}

const FIND_LISTINGS = sql`SELECT ${LISTING_COLUMNS} FROM listings l WHERE l.id IN (SELECT value FROM json_each(${'[]'})) AND ${committedSql('l')}`.text;

/** Many listings by id in one statement (a bulk lookup's hits), by id; those not found (or not committed) are missing. */
export function findListings(db: ReadDb, ids: Iterable<number>): Map<number, ListingRow> {
  const rows = new Map<number, ListingRow>();
  for (const row of db.iterate<ListingRow>({ text: FIND_LISTINGS, values: [JSON.stringify([...ids])] })) rows.set(row.id, row);
  return rows;
}

export function getListing(db: ReadDb, id: number): ListingView {
  const row = findListing(db, id);
  if (!row) throw notFound(`no listing #${id}`);
  return toListingView(db, row);
}

/** A prepared reader of listings by id, for lookups that fetch many records. */
export function listingReader(db: ReadDb): (id: number) => ListingView | undefined {
  return (id: number) => {
    const row = findListing(db, id);
    return row ? toListingView(db, row) : undefined;
  };
}

export interface NewListing {
  readonly range: string;
  readonly list: ListName;
  readonly reason: Reason;
  readonly txt?: string;
  readonly level?: number;
  readonly expires?: string;
  readonly why?: string;
}

export function checkReason(list: ListName, reason: Reason): void {
  if (!REASONS_BY_LIST[list].includes(reason)) {
    throw invalidInput(`reason ${reason} does not belong on ${list} (allowed: ${REASONS_BY_LIST[list].join(', ')})`);
  }
}

/** QIL level and expiry, with the settings' defaults; refused on other lists. */
export function qilTerms(input: NewListing, settings: Settings, now: Date): { level: number | null; expiresAt: string | null } {
  if (input.list !== 'QIL') {
    if (input.level !== undefined) throw invalidInput('--level applies to QIL entries only');
    if (input.expires !== undefined) throw invalidInput('--expires applies to QIL entries only');
    return { level: null, expiresAt: null };
  }
  const level = input.level ?? settings.qil.defaultLevel;
  let expires: Date;
  if (input.expires !== undefined) {
    expires = new Date(input.expires);
    if (Number.isNaN(expires.getTime())) throw invalidInput(`--expires ${JSON.stringify(input.expires)} is not a date`);
    if (expires.getTime() <= now.getTime()) throw invalidInput(`--expires ${input.expires} is in the past`);
  } else {
    expires = new Date(now.getTime() + settings.qil.defaultExpiryHours * 3_600_000);
  }
  return { level, expiresAt: expires.toISOString() };
}

/** A range that may be listed: it parses, and lies outside special-purpose space. */
function parseListingRange(text: string): ParsedRange {
  const parsed = parseRange(text);
  if (!parsed.ok) throw invalidInput(parsed.error);
  const special = specialSpaceProblem(parsed.value);
  if (special) throw invalidInput(special);
  return parsed.value;
}

/** Create one listing. Returns it with any normalisation notes (e.g. host bits cleared). */
export function addListing(
  db: WriteDb,
  actorName: string | null,
  input: NewListing,
  settings: Settings,
  now: Date,
): { listing: ListingView; notes: readonly string[] } {
  const range = parseListingRange(input.range);
  checkReason(input.list, input.reason);
  const txt = checkTxt(input.txt);
  const { level, expiresAt } = qilTerms(input, settings, now);
  return db.transaction(() => {
    const actor = requireActor(db, actorName, ROLE_FOR_LIST[input.list]);
    const first = Buffer.alloc(16);
    const last = Buffer.alloc(16);
    writeAddressKey(range.family, range.first, first, 0);
    writeAddressKey(range.family, range.last, last, 0);
    const existing = activeDuplicate(db, range.family, first, last, input.list);
    if (existing !== null) throw conflict(`${formatRange(range)} is already listed on ${input.list} as #${existing}`);
    const writer = listingWriter(db, actor.name, now.toISOString());
    const id = createListing(
      writer,
      { list: input.list, family: range.family, first, last, prefix: range.prefix, reason: input.reason, investigatorId: actor.id, txt, level, expiresAt },
      { why: input.why ?? null, details: { notes: range.notes } },
    );
    return { listing: getListing(db, id), notes: range.notes };
  });
}

/** Delist: the listing leaves the zones at the next publish; its record and history stay. */
export function delistListing(db: WriteDb, actorName: string | null, id: number, why: string, now: Date): ListingView {
  return db.transaction(() => {
    const row = findListing(db, id);
    if (!row) throw notFound(`no listing #${id}`);
    const actor = requireActor(db, actorName, ROLE_FOR_LIST[row.list]);
    const problem = delist(listingWriter(db, actor.name, now.toISOString()), row, { why });
    if (problem !== null) throw conflict(problem);
    return getListing(db, id);
  });
}

const MAX_REPORTED_NOTES = 20;

/** How an import's steps go (staged-import.ts). */
export interface ImportSteps {
  /** Before each step of writing: a server's job waits here while people's writes wait for the database. */
  readonly beforeStep?: () => void | Promise<void>;
  /** After each step (committed or not). */
  readonly afterStep?: () => void;
  /** Listings per step (tests make it small). */
  readonly stepRows?: number;
}

/**
 * Import a file of ranges (plain text: one per line; CSV: `range[,txt]`, optional header) onto
 * one list. All or nothing: every bad line is reported with its number and nothing is written.
 * Written in short transactions that nobody sees until the last commits (staged-import.ts).
 */
export async function importListingsFile(
  db: WriteDb,
  actorName: string | null,
  input: { file: InputFile; list: ListName; reason: Reason; txt?: string },
  settings: Settings,
  now: Date,
  onProgress: ProgressReporter = () => undefined,
  options: ImportSteps = {},
): Promise<ImportSummary> {
  checkReason(input.list, input.reason);
  if (input.list === 'QIL') throw invalidInput('QIL entries come from trap-hit ingestion or one at a time, not from a file import');
  requireActor(db, actorName, ROLE_FOR_LIST[input.list]);
  const defaultTxt = checkTxt(input.txt);

  const file = await readListingsFile(input.file, defaultTxt, settings.import.maxFileBytes, onProgress);
  const { ranges, prefixes, texts, lines, problems, problemCount } = file;
  const notes = [...file.notes];
  let noteCount = file.noteCount;
  // Lines whose range stood earlier in the file (imported once), and ranges already listed (skipped).
  let merged = 0;
  let alreadyListed = 0;
  if (problemCount > 0) {
    const more = problemCount > problems.length ? ` (showing the first ${problems.length})` : '';
    throw invalidInput(`${basename(input.file.name)}: ${problemCount} bad line${problemCount === 1 ? '' : 's'}${more}; nothing was imported`, problems);
  }
  if (ranges.length === 0) throw invalidInput(`${basename(input.file.name)} has no entries (only blank or comment lines); nothing was imported`);

  // Insert in address order: the range index then grows at its end instead of at random
  // places, and duplicates within the file become neighbours (kept once: the first line).
  const order = addressOrder(ranges);
  // Kept in place: the first `distinct` positions of `order` are the distinct ranges.
  let distinct = 0;
  let previous = -1;
  for (let position = 0; position < order.length; position += 1) {
    const index = order[position];
    if (previous !== -1 && ranges.isSameRange(previous, index)) {
      noteCount += 1;
      merged += 1;
      if (notes.length < MAX_REPORTED_NOTES) notes.push(`line ${lines[index]}: ${formatRange(ranges.range(index))} also stands on line ${lines[previous]}; imported once`);
      continue;
    }
    previous = index;
    order[distinct] = index;
    distinct += 1;
  }
  // Written in short steps and invisible until committed (staged-import.ts). The secondary
  // indexes are kept up row by row, not dropped and rebuilt: every new row has the same time and
  // list and a higher id, so each of them only grows at its end (measured on 1.2M rows: the same
  // CPU time, and 115 MB peak instead of the 380 MB a rebuild's sort takes).
  const actor = requireActor(db, actorName, ROLE_FOR_LIST[input.list]);
  const entries = { ranges, prefixes, texts, order: order.subarray(0, distinct) };
  const imported = await writeStagedImport(db, entries, {
    actor,
    list: input.list,
    reason: input.reason,
    at: now.toISOString(),
    details: { list: input.list, reason: input.reason, txt: defaultTxt, source: basename(input.file.name) },
    onAlreadyListed: (index, existingId) => {
      noteCount += 1;
      alreadyListed += 1;
      if (notes.length < MAX_REPORTED_NOTES) {
        notes.push(`line ${lines[index]}: ${formatRange(ranges.range(index))} is already listed as #${existingId}; skipped`);
      }
    },
    onProgress,
    beforeStep: () => options.beforeStep?.(),
    afterStep: () => options.afterStep?.(),
    stepRows: options.stepRows,
  });
  return { imported, merged, alreadyListed, list: input.list, notes, notesOmitted: noteCount - notes.length };
}
