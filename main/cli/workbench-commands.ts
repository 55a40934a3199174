/**
 * `repdesk listings ...` and `repdesk search`: the workbench's table from the command line
 * (filters, sorts, keyset pages), bulk changes over ids or a filter, CSV export, full-text search.
 * The table's part: what `--help` shows and the parser accepts; `run/workbench.ts` runs them.
 */
import { SORT_COLUMNS } from '../../shared/vocabulary.js';
import { lazily, type Command } from './command.js';
import { filterOptions } from './filter-options.js';

const load = () => import('./run/workbench.js');

const FILTER_USAGE = '[--list L] [--status S] [--reason R] [--investigator NAME] [--isp NAME] [--ip IP] [--cidr RANGE] [--created-from D] [--created-to D] [--changed-from D] [--changed-to D] [--q TEXT]';

export const WORKBENCH_COMMANDS = {
  'listings find': {
    usage: `repdesk listings find ${FILTER_USAGE} [--sort COLUMN[.asc|.desc]] [--limit N] [--json]`,
    summary: `Listings matching every filter given (contains IP and overlaps CIDR are address-aware; --q searches TXT, notes, spam samples and correspondence), sorted by ${SORT_COLUMNS.join(', ')} (default: changed, newest first), at most --limit (default 50)`,
    options: { ...filterOptions(), sort: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'listingsFind'),
  },
  'listings bulk': {
    usage: `repdesk listings bulk delist|suppress|extend|reassign (--ids 1,2,3 | ${FILTER_USAGE}) --why TEXT [--until DATE] [--expires DATE] [--investigator NAME] [--json]`,
    summary:
      'Change many listings in one transaction, one history event per listing: delist, suppress --until DATE, extend a QIL expiry to --expires DATE, or reassign to --investigator; all or nothing (listings the action does not apply to are skipped and reported)',
    options: { ...filterOptions(), ids: { type: 'string' }, why: { type: 'string' }, until: { type: 'string' }, expires: { type: 'string' }, investigator: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'listingsBulk'),
  },
  'listings export': {
    usage: `repdesk listings export --out FILE (--ids 1,2,3 | ${FILTER_USAGE}) [--sort COLUMN[.asc|.desc]] [--json]`,
    summary: 'Write the chosen listings as CSV, safe to open in a spreadsheet (cells starting with = + - @ are neutralised)',
    options: { ...filterOptions(), ids: { type: 'string' }, out: { type: 'string' }, sort: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'listingsExport'),
  },
  search: {
    usage: 'repdesk search TEXT [--limit N] [--json]',
    summary: 'Full-text search over listings\' TXT and notes, spam samples and correspondence, each hit with its listings',
    options: { limit: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'search'),
  },
} satisfies Record<string, Command>;
