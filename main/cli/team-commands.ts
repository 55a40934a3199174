/**
 * `repdesk investigator invite`, `enrol`, `team list`, `sessions ...`: people and sign-in from the
 * command line. Merged into the COMMANDS table of main.ts; only its hoisted functions and types
 * are used here, and only inside `run`, because main.ts imports this module first.
 */
import { ROLES } from '../../shared/domain.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PersonView, PublisherKeyView, SessionView } from '../../shared/team.js';
import { describeOrigin } from '../../shared/team.js';
import { call, CommandError, passphraseFileLine, printJson, UsageError, type Command, type CommandContext } from './main.js';

function roleList(text: unknown): string[] | undefined {
  return typeof text === 'string' ? text.split(',').map((role) => role.trim()).filter(Boolean) : undefined;
}

function formatPerson(person: PersonView): string {
  const state = [
    person.active ? null : 'inactive',
    person.isEnrolled ? 'enrolled' : person.invitationExpiresAt ? `invited until ${person.invitationExpiresAt}` : 'not enrolled',
    person.hasSecondFactor ? `second factor (${person.recoveryCodesLeft} recovery codes left)` : person.needsSecondFactor ? 'NEEDS a second factor' : null,
    person.lockedUntil ? `LOCKED until ${person.lockedUntil}` : null,
    `${person.activeSessions} session${person.activeSessions === 1 ? '' : 's'}`,
    person.lastSignInAt ? `last sign-in ${person.lastSignInAt}` : null,
  ].filter((part) => part !== null);
  return `${person.name}\t${person.roles.join(',')}\t${state.join('; ')}`;
}

function formatSession(session: SessionView): string {
  const origin = describeOrigin(session) || 'unknown client';
  return `#${session.id}\t${session.person}\t${session.kind}\t${origin}\tsince ${session.createdAt}, last used ${session.lastSeenAt}, ends by ${session.idleExpiresAt}${session.isCurrent ? '\t(this session)' : ''}`;
}

/** The passphrase from --passphrase-file (its first line), or asked twice without echo. */
async function newPassphrase(context: CommandContext): Promise<string> {
  const file = context.values['passphrase-file'];
  if (typeof file === 'string') return passphraseFileLine(file);
  const first = await context.prompt('New passphrase: ', { hidden: true });
  const again = await context.prompt('The same passphrase again: ', { hidden: true });
  if (first !== again) throw new CommandError('the two passphrases differ: nothing was changed; run the command again');
  return first;
}

function formatKey(key: PublisherKeyView): string {
  const state = key.revokedAt ? `REVOKED ${key.revokedAt} by ${key.revokedBy}` : 'in force';
  return `${key.keyId}\t${key.publisher}\t${state}\tregistered ${key.registeredAt} by ${key.registeredBy}\t${key.publicKey}`;
}

/** The people and sign-in commands. */
export const TEAM_COMMANDS: Record<string, Command> = {
  'investigator invite': {
    usage: `repdesk investigator invite NAME [--roles R1,R2] [--json]   (roles: ${ROLES.join(', ')})`,
    summary:
      'Invite a person to sign in (admin): a new person is added with --roles; prints a one-time enrolment code (shown this once, valid for auth.enrolmentHours) with which they set a passphrase (repdesk enrol CODE). A newer code replaces an unused one',
    options: { roles: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const invitation = await call(context, 'team.invite', { name: context.positionals[0], roles: roleList(context.values.roles) });
      if (context.values.json) printJson(context, invitation);
      else {
        context.out(`invited ${invitation.name} (${invitation.roles.join(', ')})`);
        context.out(`enrolment code: ${invitation.code}`);
        context.out(`valid until ${invitation.expiresAt}; it is shown only now: hand it to ${invitation.name} in person or over a channel you trust`);
      }
    },
  },
  'investigator reset-second-factor': {
    usage: 'repdesk investigator reset-second-factor NAME [--json]',
    summary: "Remove a person's second factor and recovery codes (a lost phone) and end their sessions (admin); they add a new one by enrolling again with a new code",
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const person = await call(context, 'team.resetSecondFactor', { name: context.positionals[0] });
      if (context.values.json) printJson(context, person);
      else context.out(`${person.name}: second factor removed and sessions ended${person.needsSecondFactor ? '; their roles need one: invite them again to enrol with a new one' : ''}`);
    },
  },
  enrol: {
    usage: 'repdesk enrol CODE [--totp] [--passphrase-file F] [--json]',
    summary:
      'Use an enrolment code: set your passphrase (asked twice without echo, or the first line of --passphrase-file; never on the command line) and, with --totp (or when your roles require it), add an authenticator app: its otpauth:// URI is shown, then its current code is asked. Recovery codes are printed once',
    options: { totp: { type: 'boolean' }, 'passphrase-file': { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const code = context.positionals[0];
      const start = await call(context, 'auth.enrolStart', { code });
      if (!context.values.json) context.out(`Enrolling ${start.name} (${start.roles.join(', ')}); the code is valid until ${start.expiresAt}. A passphrase has at least ${start.minPassphraseLength} characters.`);
      const passphrase = await newPassphrase(context);
      let totpCode: string | undefined;
      if (context.values.totp || start.secondFactorRequired) {
        if (start.secondFactorRequired && !context.values.totp) context.out('Your roles need a second factor.');
        context.out(`Add this account to your authenticator app (scan it as a QR code, or type the secret): ${start.otpauthUri}`);
        context.out(`secret: ${start.totpSecret}`);
        totpCode = (await context.prompt('The 6-digit code the app shows now: ')).trim();
      }
      const result = await call(context, 'auth.enrol', { code, passphrase, totpCode });
      if (context.values.json) {
        printJson(context, result);
        return;
      }
      context.out(`${result.name} is enrolled${result.secondFactor ? ' with a second factor' : ''}.`);
      if (result.recoveryCodes) {
        context.out('Recovery codes (each signs in once without the app; keep them somewhere safe: they are not shown again):');
        for (const recoveryCode of result.recoveryCodes) context.out(`  ${recoveryCode}`);
      }
    },
  },
  'team list': {
    usage: 'repdesk team list [--json]',
    summary: 'The team with roles and sign-in state: enrolled or invited, second factor, lock, open sessions, last sign-in (admin)',
    options: { json: { type: 'boolean' } },
    positionals: [0, 0],
    async run(context) {
      const people = await call(context, 'team.people', {});
      if (context.values.json) printJson(context, people);
      else for (const person of people) context.out(formatPerson(person));
    },
  },
  'keys register': {
    usage: 'repdesk keys register FILE --publisher NAME [--json]',
    summary:
      "Register a publisher's minisign public key (FILE: a .pub file as minisign -G or repdesk keygen writes it) against which their snapshot signatures are checked; several per publisher for a rotation (admin)",
    options: { publisher: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      if (typeof context.values.publisher !== 'string') throw new UsageError('--publisher is required');
      let publicKey: string;
      try {
        publicKey = readFileSync(resolve(context.positionals[0]), 'utf8');
      } catch (error) {
        throw new CommandError(`cannot read the public key file ${context.positionals[0]}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      const key = await call(context, 'keys.register', { publisher: context.values.publisher, publicKey });
      if (context.values.json) printJson(context, key);
      else context.out(`registered key ${key.keyId} for ${key.publisher}`);
    },
  },
  'keys list': {
    usage: 'repdesk keys list [--json]',
    summary: "The publishers' registered public keys: key id, publisher, in force or revoked, who registered it, the key line",
    options: { json: { type: 'boolean' } },
    positionals: [0, 0],
    async run(context) {
      const keys = await call(context, 'keys.list', {});
      if (context.values.json) printJson(context, keys);
      else if (keys.length === 0) context.out('no publisher keys registered');
      else for (const key of keys) context.out(formatKey(key));
    },
  },
  'keys revoke': {
    usage: 'repdesk keys revoke KEYID [--json]',
    summary: 'Revoke a publisher key (by its id as minisign prints it): signatures by it are refused from now on (admin)',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const key = await call(context, 'keys.revoke', { keyId: context.positionals[0] });
      if (context.values.json) printJson(context, key);
      else context.out(`revoked key ${key.keyId} of ${key.publisher}`);
    },
  },
  'sessions list': {
    usage: 'repdesk sessions list [--person NAME] [--json]',
    summary: "Open sessions, newest first: everyone's (or one person's) for an admin, one's own for anyone else",
    options: { person: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    async run(context) {
      const person = context.values.person;
      const sessions = await call(context, 'team.sessions', typeof person === 'string' ? { name: person } : {});
      if (context.values.json) printJson(context, sessions);
      else if (sessions.length === 0) context.out('no open sessions');
      else for (const session of sessions) context.out(formatSession(session));
    },
  },
  'sessions end': {
    usage: 'repdesk sessions end ID [--json]',
    summary: "End a session at once (an admin ends anyone's, anyone their own); its next call is refused",
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const id = context.positionals[0];
      if (!/^\d+$/.test(id)) throw new UsageError(`ID must be a session number, not ${JSON.stringify(id)}`);
      const session = await call(context, 'team.endSession', { id: Number(id) });
      if (context.values.json) printJson(context, session);
      else context.out(`ended session #${session.id} of ${session.person}`);
    },
  },
};
