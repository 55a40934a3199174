/**
 * `repdesk investigator invite`, `enrol`, `team list`, `keys ...`, `sessions ...`: people and sign-in from the
 * command line. The table's entries are in
 * `../team-commands.ts`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PersonView, PublisherKeyView, SessionView } from '../../../shared/team.js';
import { describeOrigin } from '../../../shared/team.js';
import { call, CommandError, passphraseFileLine, printJson, UsageError, type CommandContext } from '../command.js';

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

function formatKey(key: PublisherKeyView): string {
  const state = key.revokedAt ? `REVOKED ${key.revokedAt} by ${key.revokedBy}` : 'in force';
  return `${key.keyId}\t${key.publisher}\t${state}\tregistered ${key.registeredAt} by ${key.registeredBy}\t${key.publicKey}`;
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
/** `repdesk investigator invite` */
export async function investigatorInvite(context: CommandContext): Promise<void> {
  const invitation = await call(context, 'team.invite', { name: context.positionals[0], roles: roleList(context.values.roles) });
  if (context.values.json) printJson(context, invitation);
  else {
    context.out(`invited ${invitation.name} (${invitation.roles.join(', ')})`);
    context.out(`enrolment code: ${invitation.code}`);
    context.out(`valid until ${invitation.expiresAt}; it is shown only now: hand it to ${invitation.name} in person or over a channel you trust`);
  }
}

/** `repdesk investigator reset-second-factor` */
export async function investigatorResetSecondFactor(context: CommandContext): Promise<void> {
  const person = await call(context, 'team.resetSecondFactor', { name: context.positionals[0] });
  if (context.values.json) printJson(context, person);
  else context.out(`${person.name}: second factor removed and sessions ended${person.needsSecondFactor ? '; their roles need one: invite them again to enrol with a new one' : ''}`);
}

/** `repdesk enrol` */
export async function enrol(context: CommandContext): Promise<void> {
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
}

/** `repdesk team list` */
export async function teamList(context: CommandContext): Promise<void> {
  const people = await call(context, 'team.people', {});
  if (context.values.json) printJson(context, people);
  else for (const person of people) context.out(formatPerson(person));
}

/** `repdesk sessions list` */
export async function sessionsList(context: CommandContext): Promise<void> {
  const person = context.values.person;
  const sessions = await call(context, 'team.sessions', typeof person === 'string' ? { name: person } : {});
  if (context.values.json) printJson(context, sessions);
  else if (sessions.length === 0) context.out('no open sessions');
  else for (const session of sessions) context.out(formatSession(session));
}

/** `repdesk sessions end` */
export async function sessionsEnd(context: CommandContext): Promise<void> {
  const id = context.positionals[0];
  if (!/^\d+$/.test(id)) throw new UsageError(`ID must be a session number, not ${JSON.stringify(id)}`);
  const session = await call(context, 'team.endSession', { id: Number(id) });
  if (context.values.json) printJson(context, session);
  else context.out(`ended session #${session.id} of ${session.person}`);
}

/** `repdesk investigator add` */
export async function investigatorAdd(context: CommandContext): Promise<void> {
  if (typeof context.values.roles !== 'string') throw new UsageError('--roles is required');
  const roles = context.values.roles.split(',').map((role) => role.trim()).filter(Boolean);
  const investigator = await call(context, 'investigators.add', { name: context.positionals[0], roles });
  if (context.values.json) printJson(context, investigator);
  else context.out(`added ${investigator.name} (${investigator.roles.join(', ')})`);
}

/** `repdesk investigator update` */
export async function investigatorUpdate(context: CommandContext): Promise<void> {
  const { roles, active } = context.values;
  if (active !== undefined && active !== 'yes' && active !== 'no') throw new UsageError('--active takes yes or no');
  const investigator = await call(context, 'investigators.update', {
    name: context.positionals[0],
    roles: typeof roles === 'string' ? roles.split(',').map((role) => role.trim()).filter(Boolean) : undefined,
    active: active === undefined ? undefined : active === 'yes',
  });
  if (context.values.json) printJson(context, investigator);
  else context.out(`${investigator.name}: ${investigator.roles.join(', ')}${investigator.active ? '' : ' (inactive)'}`);
}

/** `repdesk investigator list` */
export async function investigatorList(context: CommandContext): Promise<void> {
  const team = await call(context, 'investigators.list', {});
  if (context.values.json) printJson(context, team);
  else for (const person of team) context.out(`${person.name}\t${person.roles.join(',')}${person.active ? '' : '\t(inactive)'}`);
}

/** `repdesk keys register` */
export async function keysRegister(context: CommandContext): Promise<void> {
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
}

/** `repdesk keys list` */
export async function keysList(context: CommandContext): Promise<void> {
  const keys = await call(context, 'keys.list', {});
  if (context.values.json) printJson(context, keys);
  else if (keys.length === 0) context.out('no publisher keys registered');
  else for (const key of keys) context.out(formatKey(key));
}

/** `repdesk keys revoke` */
export async function keysRevoke(context: CommandContext): Promise<void> {
  const key = await call(context, 'keys.revoke', { keyId: context.positionals[0] });
  if (context.values.json) printJson(context, key);
  else context.out(`revoked key ${key.keyId} of ${key.publisher}`);
}
