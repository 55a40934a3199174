/**
 * The listings table's query builder: every filter becomes a parameterised SQL condition (the
 * address filters go through the in-memory range index for containment), every sort is an index
 * order ending in the id, and pages are keyset-paged on (sort key, id), never OFFSET.
 */
import { formatRange, parseAddress, parseRange, readAddressKeyHex, writeAddressKey } from '../../../shared/address.js';
import { LISTS, STANDINGS, type ListName, type ListingStatus, type Reason } from '../../../shared/domain.js';
import { COUNT_CAP, type ListingFilter, type ListingPage, type ListingSort, type ListingTableRow, type PageCursor, type SortColumn } from '../../../shared/workbench.js';
import type { ReadDb } from '../db/connection.js';
import { joinSql, sql, type Sql } from '../db/sql.js';
import { committedNowSql } from '../rule/unfinished.js';
import { invalidInput } from '../errors.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { InForceAt, readTerms, standingSql, type InForceTerms } from '../rule/in-force.js';

/** How each sort orders rows: its key columns (the id always follows). Blob columns are marked for the cursor. */
const SORT_KEYS: Record<SortColumn, ReadonlyArray<{ readonly expression: string; readonly isBlob?: boolean }>> = {
  changed: [{ expression: 'l.updated_at' }],
  // Ids are given in creation order (one writer, the clock's time): the rowid is the created order.
  created: [],
  range: [{ expression: 'l.family' }, { expression: 'l.first', isBlob: true }, { expression: 'l.last', isBlob: true }],
  expires: [{ expression: 'l.expires_at' }],
  id: [],
};

/** A filter turned into SQL conditions, with the address parser's notes. */
export interface CompiledFilter {
  readonly where: Sql;
  readonly notes: readonly string[];
}

/**
 * Free text as an FTS5 query: each word a quoted phrase (so no FTS syntax reaches the engine),
 * all required, the last one as a prefix (the palette searches while typing).
 */
export function ftsQuery(text: string): string {
  const words = text
    .split(/\s+/)
    .map((word) => word.replace(/"/g, ''))
    .filter((word) => /[\p{L}\p{N}]/u.test(word));
  if (words.length === 0) throw invalidInput(`free text ${JSON.stringify(text)} has no letters or digits to search for`);
  return words.map((word, index) => `"${word}"${index === words.length - 1 ? ' *' : ''}`).join(' ');
}

/** The ids of listings whose text, samples or correspondence match an FTS5 query. */
export function textMatchSql(match: string): Sql {
  return sql`SELECT rowid FROM listings_fts WHERE listings_fts MATCH ${match}
    UNION SELECT sl.listing_id FROM samples_fts JOIN sample_links sl ON sl.sample_id = samples_fts.rowid WHERE samples_fts MATCH ${match}
    UNION SELECT t.listing_id FROM thread_messages_fts JOIN thread_messages m ON m.id = thread_messages_fts.rowid JOIN threads t ON t.id = m.thread_id
      WHERE thread_messages_fts MATCH ${match} AND t.listing_id IS NOT NULL`;
}

function keyBuffer(family: 4 | 6, value: bigint): Buffer {
  const key = Buffer.alloc(16);
  writeAddressKey(family, value, key, 0);
  return key;
}

/** A date bound: a day (`2026-11-28`) starts at midnight UTC; `to` of a day includes that whole day. */
function dateBound(text: string, field: string, isEnd: boolean): { at: string; isInclusive: boolean } {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const day = new Date(`${text}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime())) throw invalidInput(`${field}: ${JSON.stringify(text)} is not a date`);
    if (isEnd) day.setUTCDate(day.getUTCDate() + 1);
    return { at: day.toISOString(), isInclusive: !isEnd };
  }
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw invalidInput(`${field}: ${JSON.stringify(text)} is not a date`);
  return { at: at.toISOString(), isInclusive: true };
}

function dateRange(column: Sql, from: string | undefined, to: string | undefined, names: [string, string]): Sql[] {
  const conditions: Sql[] = [];
  const start = from === undefined ? null : dateBound(from, names[0], false);
  const end = to === undefined ? null : dateBound(to, names[1], true);
  if (start && end && start.at > end.at) throw invalidInput(`${names[0]} ${from} is after ${names[1]} ${to}`);
  if (start) conditions.push(sql`${column} >= ${start.at}`);
  if (end) conditions.push(end.isInclusive ? sql`${column} <= ${end.at}` : sql`${column} < ${end.at}`);
  return conditions;
}

/** A value from a fixed list as an SQL string literal (never user text: the list is the check). */
function identifierLiteral<T extends string>(value: T, allowed: readonly T[]): Sql {
  if (!allowed.includes(value) || !/^[A-Za-z-]+$/.test(value)) throw invalidInput(`${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return { text: `'${value}'`, values: [] };
}

/** Up to this many free-text matches are passed as a list of ids; more stay a subquery. */
const MATERIALISED_MATCHES = 100_000;

/**
 * Compile a filter. Bad values are refused with a message naming the filter; nothing else happens.
 * `db` must be the snapshot (or transaction) that runs the compiled statement: the imports in
 * progress it leaves out are read from it.
 */
export function compileFilter(db: ReadDb, index: ListingIndex, filter: ListingFilter, terms: InForceTerms): CompiledFilter {
  const committed = committedNowSql(db, 'l');
  const conditions: Sql[] = [];
  const notes: string[] = [];
  if (filter.ip) {
    const parsed = parseAddress(filter.ip);
    if (!parsed.ok) throw invalidInput(`ip: ${parsed.error}`);
    notes.push(...parsed.value.notes);
    const ids = index.find(parsed.value.family, parsed.value.value);
    conditions.push(sql`l.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
  }
  if (filter.cidr) {
    const parsed = parseRange(filter.cidr);
    if (!parsed.ok) throw invalidInput(`cidr: ${parsed.error}`);
    const range = parsed.value;
    notes.push(...range.notes);
    // Overlapping = containing the range's first address (the index answers that exactly) or
    // starting inside the range (an index range scan on first).
    const containing = index.find(range.family, range.first);
    conditions.push(
      sql`(l.id IN (SELECT value FROM json_each(${JSON.stringify(containing)})) OR (l.family = ${range.family} AND l.first BETWEEN ${keyBuffer(range.family, range.first)} AND ${keyBuffer(range.family, range.last)}))`,
    );
  }
  let isTextListed = false;
  if (filter.q) {
    // The matches are taken first: SQLite cannot tell how few an FTS subquery returns and would
    // walk the sort's index checking each row against it (0.4 s on a million rows for no match).
    const matching = textMatchSql(ftsQuery(filter.q));
    const ids = db.iterateRaw(sql`SELECT * FROM (${matching}) LIMIT ${MATERIALISED_MATCHES + 1}`);
    const found: number[] = [];
    for (const [id] of ids) found.push(id as number);
    isTextListed = found.length <= MATERIALISED_MATCHES;
    conditions.push(isTextListed ? sql`l.id IN (SELECT value FROM json_each(${JSON.stringify(found)}))` : sql`l.id IN (${matching})`);
  }
  // With a short list of ids (an address or text filter), the other filters are checked on those
  // rows only: a unary + keeps SQLite from walking their indexes instead of looking the ids up.
  const hasIdList = filter.ip !== undefined || filter.cidr !== undefined || isTextListed;
  const column = (name: string): Sql => ({ text: hasIdList ? `+l.${name}` : `l.${name}`, values: [] });
  if (filter.list) {
    conditions.push(sql`${column('list')} = ${identifierLiteral(filter.list, LISTS)}`);
    // The partial index's condition, repeated so SQLite sees it applies (as for the status below).
    if (filter.list !== 'RBL' && !hasIdList) conditions.push(sql`l.list <> 'RBL'`);
  }
  // The status filter is the standing the one rule gives at `terms.at` (an entry past its expiry
  // is expired, whatever its stored status), in the rule's own SQL form; it spells out what the
  // partial status index needs to be usable, and with a short id list it keeps off the indexes.
  if (filter.status) {
    if (!STANDINGS.includes(filter.status)) throw invalidInput(`status ${JSON.stringify(filter.status)} is not one of ${STANDINGS.join(', ')}`);
    conditions.push(sql`(${standingSql(filter.status, terms, committed, 'l', hasIdList)})`);
  }
  if (filter.reason) conditions.push(sql`${column('reason')} = ${filter.reason}`);
  if (filter.investigator) {
    const person = db.get<{ id: number }>(sql`SELECT id FROM investigators WHERE name = ${filter.investigator}`);
    if (!person) throw invalidInput(`investigator: no one is named ${JSON.stringify(filter.investigator)}`);
    conditions.push(sql`${column('investigator_id')} = ${person.id}`);
  }
  if (filter.isp) {
    const isp = db.get<{ id: number }>(sql`SELECT id FROM isps WHERE name = ${filter.isp}`);
    if (!isp) throw invalidInput(`isp: no ISP is named ${JSON.stringify(filter.isp)}`);
    conditions.push(sql`l.submission_id IN (SELECT id FROM dul_submissions WHERE isp_id = ${isp.id})`);
  }
  conditions.push(...dateRange(column('created_at'), filter.createdFrom, filter.createdTo, ['createdFrom', 'createdTo']));
  conditions.push(...dateRange(column('updated_at'), filter.changedFrom, filter.changedTo, ['changedFrom', 'changedTo']));
  // An import's listings appear in the table (and its counts) once it has committed: `db` is the
  // snapshot the statement runs in (queryListings, matchingIds). A status filter has it already.
  if (!filter.status) conditions.push(committed);
  return { where: joinSql(conditions, ' AND '), notes };
}

/** ORDER BY and the keyset condition of a sort. */
export function sortSql(sort: ListingSort, after: PageCursor | null): { orderBy: Sql; keyset: Sql | null; keyColumns: Sql } {
  const keys = SORT_KEYS[sort.column];
  const direction = sort.descending ? 'DESC' : 'ASC';
  const orderBy = { text: [...keys.map((key) => key.expression), 'l.id'].map((expression) => `${expression} ${direction}`).join(', '), values: [] };
  const keyColumns = {
    text: keys.map((key, position) => `${key.isBlob ? `hex(${key.expression})` : key.expression} AS k${position}`).join(', ') || 'NULL AS k0',
    values: [],
  };
  if (!after) return { orderBy, keyset: null, keyColumns };
  if (after.key.length !== keys.length) throw invalidInput(`the page cursor does not fit the ${sort.column} sort; start from the first page`);
  const values = after.key.map((value, position) => {
    if (keys[position].isBlob) {
      if (typeof value !== 'string' || !/^[0-9A-F]{32}$/i.test(value)) throw invalidInput('the page cursor is damaged; start from the first page');
      return Buffer.from(value, 'hex');
    }
    return value;
  });
  const beyond = sort.descending ? '<' : '>';
  if (keys.length === 0) return { orderBy, keyset: { text: `l.id ${beyond} ?`, values: [after.id] }, keyColumns };
  if (keys.every((key) => !key.expression.includes('('))) {
    // Plain columns: a row-value comparison seeks straight to the position in the index.
    const columns = [...keys.map((key) => key.expression), 'l.id'].join(', ');
    const placeholders = [...values, after.id].map(() => '?').join(', ');
    return { orderBy, keyset: { text: `(${columns}) ${beyond} (${placeholders})`, values: [...values, after.id] }, keyColumns };
  }
  // Spelled out as "first key at or beyond, and (beyond it, or the rest of the key beyond)": the
  // leading bound lets SQLite seek into the index, also an expression index, where a row-value
  // comparison over expressions walks it from the start.
  const [leading, ...rest] = keys.map((key) => key.expression);
  const restColumns = [...rest, 'l.id'].join(', ');
  const restPlaceholders = [...rest, 'l.id'].map(() => '?').join(', ');
  return {
    orderBy,
    keyset: {
      text: `${leading} ${beyond}= ? AND (${leading} ${beyond} ? OR (${restColumns}) ${beyond} (${restPlaceholders}))`,
      values: [values[0], values[0], ...values.slice(1), after.id],
    },
    keyColumns,
  };
}

interface RawRow {
  id: number;
  list: ListName;
  first: string;
  last: string;
  family: 4 | 6;
  status: ListingStatus;
  suppressed_until: string | null;
  reason: Reason;
  investigator_id: number;
  txt: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  level: number | null;
  submission_id: number | null;
  samples: number;
  k0: string | number | null;
  k1?: string | number | null;
  k2?: string | number | null;
}

/** The rows a sort shows: the expiry sort shows the listings that expire (its index holds only those). */
export function sortedRows(where: Sql, sort: ListingSort): Sql {
  return sort.column === 'expires' ? sql`${where} AND l.expires_at IS NOT NULL` : where;
}

/** The SELECT of one page: the query-plan test reads the same text. */
export function pageSql(where: Sql, sort: ListingSort, after: PageCursor | null, limit: number): Sql {
  const { orderBy, keyset, keyColumns } = sortSql(sort, after);
  const shown = sortedRows(where, sort);
  const condition = keyset ? sql`${shown} AND ${keyset}` : shown;
  return sql`SELECT l.id, l.list, hex(l.first) AS first, hex(l.last) AS last, l.family, l.status, l.suppressed_until, l.reason, l.investigator_id, l.txt,
      l.created_at, l.updated_at, l.expires_at, l.level, l.submission_id,
      (SELECT count(*) FROM sample_links s WHERE s.listing_id = l.id) AS samples, ${keyColumns}
    FROM listings l WHERE ${condition} ORDER BY ${orderBy} LIMIT ${limit}`;
}

/** Names of investigators and ISPs (few; read once per page). */
function nameLookup(db: ReadDb): { investigator(id: number): string; isp(submission: number | null): string | null } {
  const investigators = new Map<number, string>();
  const isps = new Map<number, string | null>();
  return {
    investigator(id) {
      let name = investigators.get(id);
      if (name === undefined) {
        name = db.get<{ name: string }>(sql`SELECT name FROM investigators WHERE id = ${id}`)?.name ?? `#${id}`;
        investigators.set(id, name);
      }
      return name;
    },
    isp(submission) {
      if (submission === null) return null;
      if (!isps.has(submission)) {
        isps.set(submission, db.get<{ name: string }>(sql`SELECT i.name FROM dul_submissions s JOIN isps i ON i.id = s.isp_id WHERE s.id = ${submission}`)?.name ?? null);
      }
      return isps.get(submission) ?? null;
    },
  };
}

/** One page of the listings table. */
export function queryListings(
  db: ReadDb,
  index: ListingIndex,
  input: { filter: ListingFilter; sort: ListingSort; after: PageCursor | null; limit: number; withCount: boolean; ids?: readonly number[] },
  now: Date,
): ListingPage {
  const started = performance.now();
  const rule = new InForceAt(db, now);
  const keyCount = SORT_KEYS[input.sort.column].length;
  return db.snapshot((snapshot) => {
    const filtered = compileFilter(snapshot, index, input.filter, rule.terms);
    const compiled = input.ids ? { ...filtered, where: sql`${filtered.where} AND l.id IN (SELECT value FROM json_each(${JSON.stringify(input.ids)}))` } : filtered;
    const rows = snapshot.all<RawRow>(pageSql(compiled.where, input.sort, input.after, input.limit + 1));
    const hasMore = rows.length > input.limit;
    if (hasMore) rows.length = input.limit;
    const names = nameLookup(snapshot);
    const view: ListingTableRow[] = rows.map((row) => {
      const first = readAddressKeyHex(row.first);
      const last = readAddressKeyHex(row.last);
      return {
        id: row.id,
        list: row.list,
        range: formatRange({ family: first.family, first: first.value, last: last.value }),
        family: row.family,
        status: row.status,
        suppressedUntil: row.suppressed_until,
        reason: row.reason,
        investigator: names.investigator(row.investigator_id),
        txt: row.txt,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        expiresAt: row.expires_at,
        level: row.level,
        isp: names.isp(row.submission_id),
        samples: row.samples,
        standing: rule.standing(row),
      };
    });
    let next: PageCursor | null = null;
    if (hasMore) {
      const lastRow = rows[rows.length - 1];
      const key = [lastRow.k0, lastRow.k1, lastRow.k2].slice(0, keyCount).map((value) => value ?? null);
      next = { key, id: lastRow.id };
    }
    let total: number | null = null;
    if (input.withCount) {
      total = snapshot.get<{ count: number }>(sql`SELECT count(*) AS count FROM (SELECT 1 FROM listings l WHERE ${sortedRows(compiled.where, input.sort)} LIMIT ${COUNT_CAP + 1})`)?.count ?? 0;
    }
    const isCountCapped = total !== null && total > COUNT_CAP;
    return {
      rows: view,
      next,
      total: isCountCapped ? COUNT_CAP : total,
      isCountCapped,
      elapsedMs: performance.now() - started,
      notes: compiled.notes,
    };
  });
}

/** Every id a filter matches at `now`, in id order (bulk actions and exports over "all rows matching"). */
export function matchingIds(db: ReadDb, index: ListingIndex, filter: ListingFilter, now: Date): number[] {
  return db.snapshot((snapshot) => {
    const compiled = compileFilter(snapshot, index, filter, readTerms(snapshot, now.toISOString()));
    return snapshot.all<{ id: number }>(sql`SELECT l.id FROM listings l WHERE ${compiled.where} ORDER BY l.id`).map((row) => row.id);
  });
}
