/**
 * `repdesk listings ...` and `repdesk search`: the workbench's table from the command line
 * (filters, sorts, keyset pages), bulk changes over ids or a filter, CSV export, full-text search.
 * Merged into the COMMANDS table of main.ts; only its hoisted functions are used here, inside `run`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FILTER_KEYS, SORT_COLUMNS, type FilterKey, type ListingPage, type ListingTableRow, type PageCursor } from '../../shared/workbench.js';
import { call, printJson, UsageError, type Command, type CommandContext } from './main.js';

type Options = Command['options'];

/** --list, --status, ... one string option per filter key (dashes for the dates: --created-from). */
function optionName(key: FilterKey): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function filterOptions(): Options {
  const options: Options = {};
  for (const key of FILTER_KEYS) options[optionName(key)] = { type: 'string' };
  return options;
}

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

const FILTER_USAGE = '[--list L] [--status S] [--reason R] [--investigator NAME] [--isp NAME] [--ip IP] [--cidr RANGE] [--created-from D] [--created-to D] [--changed-from D] [--changed-to D] [--q TEXT]';

/** The workbench commands. */
export const WORKBENCH_COMMANDS: Record<string, Command> = {
  'listings find': {
    usage: `repdesk listings find ${FILTER_USAGE} [--sort COLUMN[.asc|.desc]] [--limit N] [--json]`,
    summary: `Listings matching every filter given (contains IP and overlaps CIDR are address-aware; --q searches TXT, notes, spam samples and correspondence), sorted by ${SORT_COLUMNS.join(', ')} (default: changed, newest first), at most --limit (default 50)`,
    options: { ...filterOptions(), sort: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    async run(context) {
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
    },
  },
  'listings bulk': {
    usage: `repdesk listings bulk delist|suppress|extend|reassign (--ids 1,2,3 | ${FILTER_USAGE}) --why TEXT [--until DATE] [--expires DATE] [--investigator NAME] [--json]`,
    summary:
      'Change many listings in one transaction, one history event per listing: delist, suppress --until DATE, extend a QIL expiry to --expires DATE, or reassign to --investigator; all or nothing (listings the action does not apply to are skipped and reported)',
    options: { ...filterOptions(), ids: { type: 'string' }, why: { type: 'string' }, until: { type: 'string' }, expires: { type: 'string' }, investigator: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
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
    },
  },
  'listings export': {
    usage: `repdesk listings export --out FILE (--ids 1,2,3 | ${FILTER_USAGE}) [--sort COLUMN[.asc|.desc]] [--json]`,
    summary: 'Write the chosen listings as CSV, safe to open in a spreadsheet (cells starting with = + - @ are neutralised)',
    options: { ...filterOptions(), ids: { type: 'string' }, out: { type: 'string' }, sort: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    async run(context) {
      const out = context.values.out;
      if (typeof out !== 'string') throw new UsageError('--out FILE is required');
      const result = await call(context, 'listings.export', { target: targetFrom(context.values), sort: sortFrom(context.values) });
      const path = resolve(out);
      writeFileSync(path, result.csv);
      if (context.values.json) printJson(context, { path, rows: result.rows });
      else context.out(`wrote ${result.rows} listings to ${path}`);
    },
  },
  search: {
    usage: 'repdesk search TEXT [--limit N] [--json]',
    summary: 'Full-text search over listings\' TXT and notes, spam samples and correspondence, each hit with its listings',
    options: { limit: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const limitText = context.values.limit;
      if (limitText !== undefined && (typeof limitText !== 'string' || !/^\d+$/.test(limitText))) throw new UsageError(`--limit must be a whole number, not ${JSON.stringify(limitText)}`);
      const hits = await call(context, 'search.text', { q: context.positionals[0], limit: limitText === undefined ? 20 : Number(limitText) });
      if (context.values.json) {
        printJson(context, hits);
        return;
      }
      if (hits.length === 0) context.out('no matches');
      for (const hit of hits) context.out(`${hit.kind} #${hit.id} -> ${hit.listingIds.map((id) => `#${id}`).join(', ') || '(no listing)'}: ${hit.snippet}`);
    },
  },
};
