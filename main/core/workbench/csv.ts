/** CSV export of listings, safe to open in a spreadsheet (cells written by shared/csv.ts). */
import type { ListingFilter, ListingSort, CsvExport, BulkTarget } from '../../../shared/workbench.js';
import type { ReadDb } from '../db/connection.js';
import { invalidInput } from '../errors.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { queryListings } from './query.js';
import { csvLine } from '../../../shared/csv.js';
import type { ProgressReporter } from '../jobs/progress.js';

// `status` is the stored status; `standing` what the one rule makes of it at the export's time.
const HEADER = ['id', 'range', 'list', 'status', 'reason', 'investigator', 'txt', 'created', 'changed', 'expires', 'level', 'isp', 'samples', 'standing'];

/** Export at most this many rows in one file: a bigger set is a publish, not a spreadsheet. */
export const MAX_EXPORT_ROWS = 200_000;
const PAGE = 1000;

/** The CSV of the chosen ids or of every row matching a filter, in the table's sort order. */
export function exportListingsCsv(
  db: ReadDb,
  index: ListingIndex,
  target: BulkTarget,
  sort: ListingSort,
  now: Date,
  onProgress: ProgressReporter = () => undefined,
): CsvExport {
  const filter: ListingFilter = 'filter' in target ? target.filter : {};
  const ids = 'ids' in target ? target.ids : undefined;
  if (ids && ids.length > MAX_EXPORT_ROWS) throw invalidInput(`${ids.length} rows are chosen; export at most ${MAX_EXPORT_ROWS} at a time`);
  let csv = csvLine(HEADER);
  let rows = 0;
  let after = null;
  do {
    const page = queryListings(db, index, { filter, sort, after, limit: PAGE, withCount: false, ids }, now);
    for (const row of page.rows) {
      rows += 1;
      if (rows > MAX_EXPORT_ROWS) throw invalidInput(`more than ${MAX_EXPORT_ROWS} rows match; narrow the filter before exporting`);
      csv += csvLine([row.id, row.range, row.list, row.status, row.reason, row.investigator, row.txt, row.createdAt, row.updatedAt, row.expiresAt, row.level, row.isp, row.samples, row.standing]);
    }
    onProgress({ stage: 'exporting', done: rows, total: ids ? ids.length : 0 });
    after = page.next;
  } while (after);
  return { csv, rows };
}
