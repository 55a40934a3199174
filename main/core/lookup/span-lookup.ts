/**
 * Which listings contain an address, answered by SQLite: the path of a process that asks a few
 * questions and exits (the command line), where loading every range into the in-memory index
 * (seconds and hundreds of MB for a million listings) would cost far more than the questions.
 *
 * Each listing stores its span g (migration 0017): its first and last address agree in all but
 * their last g hexadecimal digits, so the whole range lies in one aligned block of 16^g
 * addresses. A range of span g that contains x therefore lies in x's own block of that size, and
 * starts between the block's start and x. For each span present, one probe of the index
 * (family, span, first, last) reads the rows with `first BETWEEN block(x) AND x` and keeps those
 * with `last >= x`: exact for nested and overlapping ranges (unlike `first <= x ORDER BY first
 * DESC LIMIT k`, which misses a range that ends past x behind a nearer one that does not), and
 * bounded: the rows read are ranges of that span starting inside one block before x, which for
 * ranges that do not overlap is at most 16 or so per span.
 */
import { addressKeyHex, writeAddressKey, type Family } from '../../../shared/address.js';
import type { ReadDb } from '../db/connection.js';
import { committedSql } from '../rule/unfinished.js';
import { sql, type Sql } from '../db/sql.js';

/** The key of the first address of x's aligned block of 16^span addresses. */
function blockStart(key: Buffer, span: number): Buffer {
  const start = Buffer.from(key);
  const wholeBytes = span >> 1;
  start.fill(0, 16 - wholeBytes);
  if (span % 2 === 1) start[15 - wholeBytes] &= 0xf0;
  return start;
}

/**
 * SQL: the single-address listings at each address of a JSON array of `<family><key in hex>`
 * texts, as (position in the array, listing id). The array is the outer loop (CROSS JOIN), so
 * each address is one seek of the span index (family, span, first).
 */
export function singlesAtSql(keys: string): Sql {
  return sql`SELECT q.key, l.id FROM json_each(${keys}) q CROSS JOIN listings l
    WHERE l.family = CAST(substr(q.value, 1, 1) AS INTEGER) AND l.span = 0 AND l.first = unhex(substr(q.value, 2)) AND ${committedSql('l')}`;
}

/** Containment by span probes on a read connection; see the module comment. */
export class SpanLookup {
  private spans: Record<Family, number[]> | null = null;
  private spansVersion = -1;

  constructor(private readonly db: ReadDb) {}

  /** Forget the spans seen (this process wrote: its own commits do not change data_version). */
  forget(): void {
    this.spans = null;
  }

  /** How many spans listings of the family have: the index seeks a question costs. */
  spanCount(family: Family): number {
    return this.spansPresent()[family].length;
  }

  /** Ids of every listing whose range contains the address, in no particular order; with `ids`, only those it admits (a condition on `l.id`). */
  find(family: Family, value: bigint, ids: Sql = sql`1`): number[] {
    const spans = this.spansPresent()[family];
    if (spans.length === 0) return [];
    const key = Buffer.alloc(16);
    writeAddressKey(family, value, key, 0);
    const probes: Sql[] = spans.map(
      (span) =>
        sql`SELECT id FROM listings l WHERE family = ${family} AND span = ${span} AND first BETWEEN ${blockStart(key, span)} AND ${key} AND last >= ${key} AND ${ids} AND ${committedSql('l')}`,
    );
    const query = probes.reduce((union, probe) => sql`${union} UNION ALL ${probe}`);
    return this.db.all<{ id: number }>(query).map((row) => row.id);
  }

  /**
   * Ids of the single-address listings (span 0) at each of many addresses, in one statement:
   * one seek of the span index per address, made by SQLite (a bulk lookup's singles; see
   * ListingIndex). Entry n holds those at question n.
   */
  findSingles(questions: ReadonlyArray<{ readonly family: Family; readonly value: bigint }>): number[][] {
    const found = questions.map((): number[] => []);
    if (questions.length === 0) return found;
    // In key order, so that the seeks walk the index forward instead of jumping about it.
    const keys = questions.map((question, position) => ({ key: `${question.family}${addressKeyHex(question.family, question.value)}`, position }));
    keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const text = JSON.stringify(keys.map((entry) => entry.key));
    for (const [at, id] of this.db.iterateRaw(singlesAtSql(text))) found[keys[at as number].position].push(id as number);
    return found;
  }

  /**
   * The spans listings of each family have, found by one index seek per span present (at most
   * 33); asked again when the database changed, since a new listing may bring a new span.
   */
  private spansPresent(): Record<Family, number[]> {
    const version = this.db.dataVersion();
    if (this.spans === null || version !== this.spansVersion) {
      this.spans = { 4: spansOf(this.db, 4), 6: spansOf(this.db, 6) };
      this.spansVersion = version;
    }
    return this.spans;
  }
}

/** The spans listings of a family have, in order: one index seek per span present (at most 33). */
export function spansOf(db: ReadDb, family: Family): number[] {
  return db
    .all<{ span: number }>(
      sql`WITH RECURSIVE spans(span) AS (
        SELECT (SELECT min(span) FROM listings WHERE family = ${family})
        UNION ALL
        SELECT (SELECT min(span) FROM listings WHERE family = ${family} AND span > spans.span) FROM spans WHERE spans.span IS NOT NULL
      ) SELECT span FROM spans WHERE span IS NOT NULL`,
    )
    .map((row) => row.span);
}
