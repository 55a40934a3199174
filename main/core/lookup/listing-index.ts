/**
 * Keeps the in-memory range index in step with the listings table: built from the table at
 * start, topped up with new listings after this process writes, and after another process
 * (a CLI import while the app runs) commits, which SQLite's data_version reveals.
 */
import type { Family } from '../../../shared/address.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { createLogger } from '../log.js';
import { RangeIndex } from './range-index.js';

const log = createLogger('index');
const INCREMENTAL_LIMIT = 4096;
/**
 * How often a lookup asks SQLite whether another process committed: asking costs a read
 * transaction (~2 µs, as much as the search itself), and a CLI import finishing 100 ms before a
 * lookup in the app is not a case anyone can tell apart. This process's own writes refresh at once.
 */
export const FRESHNESS_MS = 100;

export class ListingIndex {
  private readonly ranges = new RangeIndex();
  private maxId = 0;
  private dataVersion = -1;
  private isBuilt = false;
  private checkedAt = 0;

  /** The index is built on first use: commands that never look anything up never pay for it. */
  constructor(private readonly db: ReadDb) {}

  get size(): number {
    this.ensureBuilt();
    return this.ranges.size;
  }

  get levels(): { v4: number; v6: number } {
    this.ensureBuilt();
    return this.ranges.levels;
  }

  private ensureBuilt(): void {
    if (!this.isBuilt) this.reload();
  }

  /** Rebuild from the table. */
  reload(): void {
    this.isBuilt = true;
    const started = performance.now();
    this.dataVersion = this.db.dataVersion();
    // max(id) is read from the rowid b-tree at once; count(*) would scan a million rows.
    const count = this.db.get<{ max: number | null }>(sql`SELECT max(id) AS max FROM listings`);
    const loader = this.ranges.startLoad(count?.max ?? 0);
    for (const [id, family, first, last] of this.db.iterateRaw(sql`SELECT id, family, hex(first), hex(last) FROM listings ORDER BY family, first`)) {
      if (family === 4) loader.push(4, parseInt((first as string).slice(24), 16), parseInt((last as string).slice(24), 16), id as number);
      else loader.push(6, BigInt(`0x${first as string}`), BigInt(`0x${last as string}`), id as number);
    }
    loader.finish();
    this.maxId = count?.max ?? 0;
    log.info(`index built: ${this.ranges.size} ranges in ${(performance.now() - started).toFixed(0)} ms`);
  }

  /** Take in listings committed since the last look (by anyone). */
  refresh(): void {
    if (!this.isBuilt) return;
    this.dataVersion = this.db.dataVersion();
    const pending = this.db.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings WHERE id > ${this.maxId}`)?.count ?? 0;
    if (pending === 0) return;
    if (pending > INCREMENTAL_LIMIT) {
      this.reload();
      return;
    }
    for (const [id, family, first, last] of this.db.iterateRaw(sql`SELECT id, family, hex(first), hex(last) FROM listings WHERE id > ${this.maxId} ORDER BY id`)) {
      const firstValue = BigInt(`0x${first as string}`);
      const lastValue = BigInt(`0x${last as string}`);
      const mask = family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
      this.ranges.add(family as Family, firstValue & mask, lastValue & mask, id as number);
      this.maxId = Math.max(this.maxId, id as number);
    }
  }

  /** Ids of listings whose range contains the address. */
  find(family: Family, value: bigint): number[] {
    this.ensureBuilt();
    const now = performance.now();
    if (now - this.checkedAt > FRESHNESS_MS) {
      this.checkedAt = now;
      if (this.db.dataVersion() !== this.dataVersion) this.refresh();
    }
    return this.ranges.search(family, value);
  }

  /** The raw index, for the in-process throughput benchmark. */
  get rangeIndex(): RangeIndex {
    this.ensureBuilt();
    return this.ranges;
  }
}
