/**
 * `repdesk listings ...` and `repdesk search`: the workbench's table from the command line
 * (filters, sorts, keyset pages), bulk changes over ids or a filter, CSV export, full-text search.
 * The table's entries are in `../workbench-commands.ts`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FILTER_KEYS, SORT_COLUMNS, type ListingPage, type ListingTableRow, type PageCursor } from '../../../shared/workbench.js';
import { call, printJson, UsageError, type CommandContext } from '../command.js';
import { optionName } from '../filter-options.js';

function filterFrom(values: CommandContext['values']): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = values[optionName(key)];
    if (typeof value === 'string') filter[key] = key === 'list' ? value.toUpperCase() : value;
  }
  return filter;
}

function sortFrom(values: CommandContext['values']): { column: string; descending: boolean } | undefined {
  const text = values.sort;
  if (typeof text !== 'string') return undefined;
  const [column, direction = 'desc'] = text.split('.');
  if (!(SORT_COLUMNS as readonly string[]).includes(column)) throw new UsageError(`--sort takes one of ${SORT_COLUMNS.join(', ')} (with .asc or .desc), not ${JSON.stringify(text)}`);
  if (direction !== 'asc' && direction !== 'desc') throw new UsageError(`--sort direction is asc or desc, not ${JSON.stringify(direction)}`);
  return { column, descending: direction === 'desc' };
}

function idsFrom(values: CommandContext['values']): number[] | null {
  const text = values.ids;
  if (typeof text !== 'string') return null;
  const ids = text.split(',').map((part) => part.trim().replace(/^#/, ''));
  const bad = ids.find((id) => !/^\d+$/.test(id));
  if (bad !== undefined) throw new UsageError(`--ids takes listing numbers separated by commas, not ${JSON.stringify(bad)}`);
  return ids.map(Number);
}

/** The target of a bulk command: --ids, or the filter options (at least one, so "everything" is never an accident). */
function targetFrom(values: CommandContext['values']): { ids: number[] } | { filter: Record<string, string> } {
  const ids = idsFrom(values);
  const filter = filterFrom(values);
  if (ids && Object.keys(filter).length > 0) throw new UsageError('give --ids or filter options, not both');
  if (ids) return { ids };
  if (Object.keys(filter).length === 0) throw new UsageError('say which listings: --ids 1,2,3 or at least one filter option (--list, --status, --ip, ...)');
  return { filter };
}

function formatRow(row: ListingTableRow): string {
  const extra = [row.isp ? `ISP ${row.isp}` : null, row.level !== null ? `level ${row.level}` : null, row.expiresAt ? `expires ${row.expiresAt}` : null, row.samples > 0 ? `${row.samples} samples` : null]
    .filter((part) => part !== null)
    .join(', ');
  return `#${row.id}\t${row.list}\t${row.range}\t${row.status}\t${row.reason}\t${row.investigator}\tchanged ${row.updatedAt}${extra ? `\t${extra}` : ''}`;
}

export async function listingsFind(context: CommandContext): Promise<void> {
  const limitText = context.values.limit;
  if (limitText !== undefined && (typeof limitText !== 'string' || !/^\d+$/.test(limitText) || Number(limitText) < 1)) {
    throw new UsageError(`--limit must be a whole number of at least 1, not ${JSON.stringify(limitText)}`);
  }
  const limit = limitText === undefined ? 50 : Number(limitText);
  const filter = filterFrom(context.values);
  const sort = sortFrom(context.values);
  const rows: ListingTableRow[] = [];
  let after: PageCursor | null = null;
  let total: number | null = null;
  let isCapped = false;
  const notes: string[] = [];
  do {
    const page: ListingPage = await call(context, 'listings.query', { filter, sort, after, limit: Math.min(1000, limit - rows.length), withCount: total === null });
    if (total === null) {
      total = page.total;
      isCapped = page.isCountCapped;
      notes.push(...page.notes);
    }
    rows.push(...page.rows);
    after = page.next;
  } while (after && rows.length < limit);
  if (context.values.json) {
    printJson(context, { total, isCountCapped: isCapped, notes, listings: rows });
    return;
  }
  for (const note of notes) context.out(`note: ${note}`);
  for (const row of rows) context.out(formatRow(row));
  context.out(`${rows.length} shown of ${isCapped ? 'more than ' : ''}${total ?? rows.length} matching`);
}

/** `repdesk listings bulk` */
export async function listingsBulk(context: CommandContext): Promise<void> {
  const action = context.positionals[0];
  const { values } = context;
  if (!['delist', 'suppress', 'extend', 'reassign'].includes(action)) throw new UsageError(`the action is delist, suppress, extend or reassign, not ${JSON.stringify(action)}`);
  if (typeof values.why !== 'string') throw new UsageError('--why is required: it goes into every listing\'s history');
  // --investigator names the filter for the other actions, the new owner for reassign.
  const owner = action === 'reassign' ? values.investigator : undefined;
  const target = targetFrom(action === 'reassign' ? { ...values, investigator: undefined } : values);
  const input: Record<string, unknown> = { action, target, why: values.why };
  if (action === 'suppress') {
    if (typeof values.until !== 'string') throw new UsageError('suppress needs --until DATE');
    input.until = values.until;
  }
  if (action === 'extend') {
    if (typeof values.expires !== 'string') throw new UsageError('extend needs --expires DATE');
    input.expires = values.expires;
  }
  if (action === 'reassign') {
    if (typeof owner !== 'string') throw new UsageError('reassign needs --investigator NAME (the new owner)');
    input.investigator = owner;
  }
  const result = await call(context, 'listings.bulk', input);
  if (values.json) printJson(context, result);
  else {
    context.out(`${result.action}: ${result.changed} changed, ${result.skipped} skipped`);
    for (const reason of result.skippedReasons) context.out(`  skipped: ${reason}`);
  }
}

/** `repdesk listings export` */
export async function listingsExport(context: CommandContext): Promise<void> {
  const out = context.values.out;
  if (typeof out !== 'string') throw new UsageError('--out FILE is required');
  const result = await call(context, 'listings.export', { target: targetFrom(context.values), sort: sortFrom(context.values) });
  const path = resolve(out);
  writeFileSync(path, result.csv);
  if (context.values.json) printJson(context, { path, rows: result.rows });
  else context.out(`wrote ${result.rows} listings to ${path}`);
}

/** `repdesk search` */
export async function search(context: CommandContext): Promise<void> {
  const limitText = context.values.limit;
  if (limitText !== undefined && (typeof limitText !== 'string' || !/^\d+$/.test(limitText))) throw new UsageError(`--limit must be a whole number, not ${JSON.stringify(limitText)}`);
  const hits = await call(context, 'search.text', { q: context.positionals[0], limit: limitText === undefined ? 20 : Number(limitText) });
  if (context.values.json) {
    printJson(context, hits);
    return;
  }
  if (hits.length === 0) context.out('no matches');
  for (const hit of hits) context.out(`${hit.kind} #${hit.id} -> ${hit.listingIds.map((id) => `#${id}`).join(', ') || '(no listing)'}: ${hit.snippet}`);
}

