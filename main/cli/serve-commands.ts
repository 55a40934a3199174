/**
 * `repdesk serve`: browser mode. The table's part: what `--help` shows and the parser accepts;
 * `run/serve.ts` runs it.
 */
import { lazily, type Command } from './command.js';

const load = () => import('./run/serve.js');

export const SERVE_COMMANDS = {
  serve: {
    usage: 'repdesk serve [--port N] [--key FILE [--passphrase-file F]]',
    summary: 'Browser mode: serve the app and its API on 127.0.0.1 and print the URL to open (token included); with --key, the Publish screen signs with that key (it stays in this process)',
    options: { port: { type: 'string' }, key: { type: 'string' }, 'passphrase-file': { type: 'string' } },
    positionals: [0, 0],
    run: lazily(load, 'serve'),
  },
} satisfies Record<string, Command>;
