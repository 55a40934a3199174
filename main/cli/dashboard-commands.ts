/**
 * `repdesk dashboard`: the dashboard's figures on the command line, for a cron job that watches
 * the lists and whether the last snapshot is about to expire.
 * The table's part: what `--help` shows and the parser accepts; `run/dashboard.ts` runs them.
 */
import { lazily, type Command } from './command.js';

const load = () => import('./run/dashboard.js');

export const DASHBOARD_COMMANDS = {
  dashboard: {
    usage: 'repdesk dashboard [--period week|month|year] [--json] [--existing]',
    summary: 'Per list the entries in force (and lapsed), addresses covered (overlaps once, IPv6 in /64s) and recent change; the last publish; load per investigator; DUL by country',
    options: { period: { type: 'string' }, json: { type: 'boolean' }, existing: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'dashboard'),
  },
} satisfies Record<string, Command>;
