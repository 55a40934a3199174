/**
 * `repdesk investigator invite`, `enrol`, `team list`, `keys ...`, `sessions ...`: people and sign-in from the
 * command line.
 * The table's part: what `--help` shows and the parser accepts; `run/team.ts` runs them.
 */
import { ROLES } from '../../shared/domain.js';
import { json, lazily, type Command } from './command.js';

const load = () => import('./run/team.js');

export const TEAM_COMMANDS = {
  'investigator add': {
    usage: `repdesk investigator add NAME --roles R1,R2 [--json]   (roles: ${ROLES.join(', ')})`,
    summary: 'Add a person to the team. The first one added to an empty database becomes an admin; after that only an admin adds people',
    options: { roles: { type: 'string' }, ...json },
    positionals: [1, 1],
    run: lazily(load, 'investigatorAdd'),
  },
  'investigator update': {
    usage: 'repdesk investigator update NAME [--roles R1,R2] [--active yes|no] [--json]',
    summary: 'Change a person\'s roles, or deactivate them (admin only)',
    options: { roles: { type: 'string' }, active: { type: 'string' }, ...json },
    positionals: [1, 1],
    run: lazily(load, 'investigatorUpdate'),
  },
  'investigator list': {
    usage: 'repdesk investigator list [--json]',
    summary: 'The team and their roles',
    options: json,
    positionals: [0, 0],
    run: lazily(load, 'investigatorList'),
  },
  'investigator invite': {
    usage: `repdesk investigator invite NAME [--roles R1,R2] [--json]   (roles: ${ROLES.join(', ')})`,
    summary:
      'Invite a person to sign in (admin): a new person is added with --roles; prints a one-time enrolment code (shown this once, valid for auth.enrolmentHours) with which they set a passphrase (repdesk enrol CODE). A newer code replaces an unused one',
    options: { roles: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'investigatorInvite'),
  },
  'investigator reset-second-factor': {
    usage: 'repdesk investigator reset-second-factor NAME [--json]',
    summary: "Remove a person's second factor and recovery codes (a lost phone) and end their sessions (admin); they add a new one by enrolling again with a new code",
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'investigatorResetSecondFactor'),
  },
  enrol: {
    usage: 'repdesk enrol CODE [--totp] [--passphrase-file F] [--json]',
    summary:
      'Use an enrolment code: set your passphrase (asked twice without echo, or the first line of --passphrase-file; never on the command line) and, with --totp (or when your roles require it), add an authenticator app: its otpauth:// URI is shown, then its current code is asked. Recovery codes are printed once',
    options: { totp: { type: 'boolean' }, 'passphrase-file': { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'enrol'),
  },
  'team list': {
    usage: 'repdesk team list [--json]',
    summary: 'The team with roles and sign-in state: enrolled or invited, second factor, lock, open sessions, last sign-in (admin)',
    options: { json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'teamList'),
  },
  'keys register': {
    usage: 'repdesk keys register FILE --publisher NAME [--json]',
    summary:
      "Register a publisher's minisign public key (FILE: a .pub file as minisign -G or repdesk keygen writes it) against which their snapshot signatures are checked; several per publisher for a rotation (admin)",
    options: { publisher: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'keysRegister'),
  },
  'keys list': {
    usage: 'repdesk keys list [--json]',
    summary: "The publishers' registered public keys: key id, publisher, in force or revoked, who registered it, the key line",
    options: { json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'keysList'),
  },
  'keys revoke': {
    usage: 'repdesk keys revoke KEYID [--json]',
    summary: 'Revoke a publisher key (by its id as minisign prints it): signatures by it are refused from now on (admin)',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'keysRevoke'),
  },
  'sessions list': {
    usage: 'repdesk sessions list [--person NAME] [--json]',
    summary: "Open sessions, newest first: everyone's (or one person's) for an admin, one's own for anyone else",
    options: { person: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'sessionsList'),
  },
  'sessions end': {
    usage: 'repdesk sessions end ID [--json]',
    summary: "End a session at once (an admin ends anyone's, anyone their own); its next call is refused",
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'sessionsEnd'),
  },
} satisfies Record<string, Command>;
