/**
 * `repdesk listing ...` and `repdesk import`: one listing at a time, and a file of them.
 * The table's part: what `--help` shows and the parser accepts; `run/listing.ts` runs them.
 */
import { LISTS, REASONS } from '../../shared/domain.js';
import { json, lazily, type Command } from './command.js';

const load = () => import('./run/listing.js');

export const LISTING_COMMANDS = {
  'listing add': {
    usage: 'repdesk listing add RANGE --list L --reason R [--txt T] [--level N] [--expires ISO] [--why TEXT] [--json]',
    summary: `Create a listing. Lists: ${LISTS.join(', ')}. Reasons: ${REASONS.join(', ')}. --txt is the reason in the TXT answer, one line; a $ in it stands for the queried address ("listed: $ sent spam" answers "listed: 11.2.3.4 sent spam"). QIL entries without --level/--expires take the Settings defaults. Special-purpose space (private, loopback, documentation, the whole space...) is refused`,
    options: { list: { type: 'string' }, reason: { type: 'string' }, txt: { type: 'string' }, level: { type: 'string' }, expires: { type: 'string' }, why: { type: 'string' }, ...json },
    positionals: [1, 1],
    run: lazily(load, 'listingAdd'),
  },
  'listing delist': {
    usage: 'repdesk listing delist ID --why TEXT [--json]',
    summary: 'Delist a listing (it leaves the zones at the next publish; its record stays)',
    options: { why: { type: 'string' }, ...json },
    positionals: [1, 1],
    run: lazily(load, 'listingDelist'),
  },
  'listing show': {
    usage: 'repdesk listing show ID [--json]',
    summary: 'One reputation record with its history',
    options: json,
    positionals: [1, 1],
    run: lazily(load, 'listingShow'),
  },
  import: {
    usage: 'repdesk import FILE --list L --reason R [--txt T] [--json]',
    summary: 'Import a plain-text (one range per line) or CSV (range[,txt]) file onto one list: all or nothing (a bad line, or one in special-purpose space, is reported with its number and nothing is imported). In a TXT text a $ stands for the queried address',
    options: { list: { type: 'string' }, reason: { type: 'string' }, txt: { type: 'string' }, ...json },
    positionals: [1, 1],
    run: lazily(load, 'importFile'),
  },
} satisfies Record<string, Command>;
