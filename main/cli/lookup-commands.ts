/**
 * `repdesk lookup`: one address or thousands (arguments, `--file FILE`, standard input), all
 * answered by one core in this process, so the address index is loaded once.
 * The table's part: what `--help` shows and the parser accepts; `run/lookup.ts` runs them.
 */
import { lazily, type Command } from './command.js';

const load = () => import('./run/lookup.js');

export const LOOKUP_COMMANDS = {
  lookup: {
    usage: 'repdesk lookup [IP...] [--file FILE] [--json]   (no IP and no --file: one address per line on standard input)',
    summary:
      'Every listing on every list whose range contains each address, with its status. Many addresses are answered in one process with one index load; ' +
      '--json prints one JSON object per address and line. Exit 1 when an entry is not an address (the others are still answered)',
    options: { file: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, Number.POSITIVE_INFINITY],
    run: lazily(load, 'lookup'),
  },
} satisfies Record<string, Command>;
