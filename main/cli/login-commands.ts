/**
 * `repdesk login` and `repdesk logout`: a session with a team server, kept for the commands that
 * follow (see remote/logins.ts). The table's part: what `--help` shows and the parser accepts;
 * `run/login.ts` runs them.
 */
import { json, lazily, type Command } from './command.js';

const load = () => import('./run/login.js');

export const LOGIN_COMMANDS = {
  login: {
    usage: 'repdesk login --server URL [--ca FILE] [--name NAME] [--passphrase-file F] [--code-file F] [--json]',
    summary:
      "Sign in to a team server as a command-line client: asks the name, the passphrase (not echoed) and, when the account has one, the authenticator's code, at the terminal (never on the command line; without a terminal only from --passphrase-file and --code-file), and keeps the session's token in a file only you can read in your config folder (one per server). Every command then runs against that server as you, until logout",
    options: { name: { type: 'string' }, 'passphrase-file': { type: 'string' }, 'code-file': { type: 'string' }, ...json },
    positionals: [0, 0],
    run: lazily(load, 'login'),
  },
  logout: {
    usage: 'repdesk logout [--server URL] [--json]',
    summary: "End the session with the server (the latest login's, or --server's) on the server, and remove its token file",
    options: json,
    positionals: [0, 0],
    run: lazily(load, 'logout'),
  },
} satisfies Record<string, Command>;
