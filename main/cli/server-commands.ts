/**
 * `repdesk server`: the team server. The table's part: what `--help` shows and the parser
 * accepts; `run/server.ts` runs it.
 */
import { lazily, type Command } from './command.js';

const load = () => import('./run/server.js');

export const SERVER_COMMANDS = {
  server: {
    usage: 'repdesk server --listen ADDRESS:PORT --data DIR [--tls-cert FILE --tls-key FILE | --behind-proxy PROXY_ADDRESS]',
    summary:
      'The team server: the app and its API for many people, who sign in (see "Team server" in the README); DIR holds the database and what goes beside it. Plain HTTP only on loopback or behind a TLS proxy',
    options: {
      listen: { type: 'string' },
      data: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'behind-proxy': { type: 'string' },
      key: { type: 'string' },
    },
    positionals: [0, 0],
    run: lazily(load, 'server'),
  },
} satisfies Record<string, Command>;
