/**
 * `listings.importPreview`: what importing a file of listings would do, without writing. The file
 * is read exactly as the import reads it (listings-file.ts); then, in address order, the lines
 * the import would merge (the same range earlier in the file), the ranges already listed on the
 * list, and the listings in force that contain a range's first or last address.
 */
import { basename } from 'node:path';
import { formatRange, writeAddressKey, type Family } from '../../../shared/address.js';
import type { ListingsImportPreview } from '../../../shared/listing-check.js';
import type { ListName, Reason } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { invalidInput } from '../errors.js';
import { readListingsFile } from './listings-file.js';
import type { InputFile } from '../io/files.js';
import { checkReason, findListing, toListingView } from './listings.js';
import { addressOrder } from './range-columns.js';
import { checkTxt } from './txt.js';
import { InForceAt } from '../rule/in-force.js';
import { committedSql } from '../rule/unfinished.js';
import type { ProgressReporter } from '../jobs/progress.js';

const MAX_ITEMS = 100;
const PROGRESS_EVERY = 65_536;

class Collected {
  total = 0;
  readonly items: string[] = [];
  add(item: () => string): void {
    this.total += 1;
    if (this.items.length < MAX_ITEMS) this.items.push(item());
  }
  get excerpt(): { total: number; items: readonly string[] } {
    return { total: this.total, items: this.items };
  }
}

/** What the preview asks of the address index (lookup/listing-index.ts): the listings containing an address. */
export interface ContainingListings {
  find(family: Family, value: bigint): readonly number[];
}

export async function previewListingsImport(
  db: ReadDb,
  index: ContainingListings,
  input: { file: InputFile; list: ListName; reason: Reason; txt?: string },
  settings: Settings,
  now: Date,
  onProgress: ProgressReporter = () => undefined,
): Promise<ListingsImportPreview> {
  checkReason(input.list, input.reason);
  if (input.list === 'QIL') throw invalidInput('QIL entries come from trap-hit ingestion or one at a time, not from a file import');
  const file = await readListingsFile(input.file, checkTxt(input.txt), settings.import.maxFileBytes, onProgress);
  const { ranges, lines } = file;
  const merged = new Collected();
  const alreadyListed = new Collected();
  const overlaps = new Collected();
  // Overlaps worth a word: listings in force by the one rule, or out of it for now only (removed
  // until a date, or a DUL range taking effect later); not expired or delisted ones.
  const rule = new InForceAt(db, now);
  const isLive = (id: number) => {
    const row = findListing(db, id);
    const standing = row ? rule.standing(row) : null;
    return row !== undefined && (standing === 'active' || standing === 'suppressed' || standing === 'pending') ? toListingView(db, row) : null;
  };
  const hasListings = db.get(sql`SELECT 1 FROM listings LIMIT 1`) !== undefined;
  const existing = sql`SELECT id FROM listings l WHERE family = ${0} AND first = ${null} AND last = ${null} AND list = ${input.list} AND status = 'active' AND ${committedSql('l')}`.text;
  const first = Buffer.alloc(16);
  const last = Buffer.alloc(16);
  const order = addressOrder(ranges);
  let previous = -1;
  let position = 0;
  for (const at of order) {
    position += 1;
    if (position % PROGRESS_EVERY === 0) onProgress({ stage: 'checking', done: position, total: order.length });
    const family = ranges.family(at);
    const rangeText = () => formatRange(ranges.range(at));
    if (previous !== -1 && ranges.isSameRange(previous, at)) {
      const earlier = previous;
      merged.add(() => `line ${lines[at]}: ${rangeText()} also stands on line ${lines[earlier]}; imported once`);
      continue;
    }
    previous = at;
    if (!hasListings) continue;
    writeAddressKey(family, ranges.first(at), first, 0);
    writeAddressKey(family, ranges.last(at), last, 0);
    const duplicate = db.get<{ id: number }>({ text: existing, values: [family, first, last, input.list] });
    if (duplicate) {
      alreadyListed.add(() => `line ${lines[at]}: ${rangeText()} is already listed on ${input.list} as #${duplicate.id}; skipped`);
      continue;
    }
    const ids = new Set([...index.find(family, ranges.first(at)), ...index.find(family, ranges.last(at))]);
    const inForce = [...ids].map(isLive).filter((listing) => listing !== null);
    if (inForce.length > 0) {
      overlaps.add(() => `line ${lines[at]}: ${rangeText()} overlaps ${inForce.map((listing) => `${listing?.list} #${listing?.id} ${listing?.range}`).join(', ')}`);
    }
  }
  return {
    source: basename(input.file.name),
    list: input.list,
    entries: file.entries,
    ranges: ranges.length,
    ipv4: ranges.length - ranges.ipv6Count,
    ipv6: ranges.ipv6Count,
    willImport: file.problemCount > 0 ? 0 : ranges.length - merged.total - alreadyListed.total,
    merged: merged.excerpt,
    alreadyListed: alreadyListed.excerpt,
    normalisations: { total: file.noteCount, items: file.notes },
    overlaps: overlaps.excerpt,
    rejected: { total: file.problemCount, items: file.problems },
  };
}
