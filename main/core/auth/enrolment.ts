/**
 * Enrolment: an admin invites a person (new, or already on the team) and gets a one-time code,
 * shown once and stored only as a hash, valid for `auth.enrolmentHours`. With it the person
 * sets a passphrase and may add a TOTP second factor (required when their roles are in
 * `auth.secondFactorRoles`), getting recovery codes shown once. A code used, expired or replaced
 * by a newer invitation is refused. Enrolling again replaces the old credentials and ends the
 * person's sessions.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { EnrolmentResult, EnrolmentStart, Invitation } from '../../../shared/team.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { AppError, conflict, invalidInput } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { addInvestigator, parseRoles, requireActor } from '../investigators/investigators.js';
import { replaceCredentials, secondFactorRolesOf } from './credentials.js';
import { checkNewPassphrase, hashPassphrase } from './passphrase.js';
import { newEnrolmentCode, normaliseCode, secretHash } from './secrets.js';
import { endSessionsOf } from '../investigators/session-end.js';
import { TOTP_SECRET_BYTES, matchTotp, otpauthUri } from './totp.js';

const HOUR = 3_600_000;
/** The issuer an authenticator app shows beside the account. */
const TOTP_ISSUER = 'RepDesk';

interface EnrolmentRow {
  id: number;
  investigator_id: number;
  name: string;
  roles: string;
  active: number;
  expires_at: string;
  totp_secret: Buffer | null;
  used_at: string | null;
  voided_at: string | null;
}

/**
 * Invite a person: add them with `roles` if they are new, then issue a fresh enrolment code (an
 * unused older one stops working). Admins only, except on a database with nobody on the team:
 * there the first person invited is added as an admin (as `investigator add` does) and invites
 * themselves, which is how a new team server gets its first admin. The code is returned this once.
 */
export function invitePerson(db: WriteDb, actorName: string | null, input: { name: string; roles?: readonly Role[] }, settings: Settings, now: Date): Invitation {
  return db.transaction(() => {
    const isFirst = (db.get<{ count: number }>(sql`SELECT count(*) AS count FROM investigators`)?.count ?? 0) === 0;
    const at = now.toISOString();
    if (isFirst) {
      if (!input.roles) throw invalidInput(`${input.name} is the first person on the team: give their roles (admin is added)`);
      addInvestigator(db, null, { name: input.name, roles: input.roles }, () => at);
    }
    const actor = isFirst ? { name: input.name.trim() } : requireActor(db, actorName, 'admin');
    let person = db.get<{ id: number; name: string; roles: string; active: number }>(sql`SELECT id, name, roles, active FROM investigators WHERE name = ${input.name}`);
    if (!person) {
      if (!input.roles) throw invalidInput(`${input.name} is not on the team yet: give their roles to invite them`);
      addInvestigator(db, actor.name, { name: input.name, roles: input.roles }, () => at);
      person = db.get<{ id: number; name: string; roles: string; active: number }>(sql`SELECT id, name, roles, active FROM investigators WHERE name = ${input.name}`);
      if (!person) throw new Error(`${input.name} was added but cannot be read back`);
    } else {
      if (person.active !== 1) throw conflict(`${person.name} is not active: reactivate them first (investigator update --active yes)`);
      const current = parseRoles(person.roles);
      if (input.roles && !isFirst && (input.roles.length !== current.length || input.roles.some((role) => !current.includes(role)))) {
        throw conflict(`${person.name} is already on the team as ${current.join(', ')}: change roles with investigator update, then invite without roles`);
      }
    }
    const voided = db.run(sql`UPDATE enrolments SET voided_at = ${at} WHERE investigator_id = ${person.id} AND used_at IS NULL AND voided_at IS NULL`).changes;
    const code = newEnrolmentCode();
    const expiresAt = new Date(now.getTime() + settings.auth.enrolmentHours * HOUR).toISOString();
    db.run(
      sql`INSERT INTO enrolments (investigator_id, code_hash, created_at, created_by, expires_at)
          VALUES (${person.id}, ${secretHash(normaliseCode(code))}, ${at}, ${actor.name}, ${expiresAt})`,
    );
    openHistory(db, () => at).append({
      actor: actor.name,
      action: 'investigator.invited',
      subjectType: 'investigator',
      subjectId: person.id,
      details: { name: person.name, expiresAt, replacedCodes: voided },
    });
    return { name: person.name, roles: parseRoles(person.roles), code, expiresAt };
  });
}

/** The enrolment a code opens, or a refusal saying why (unknown, used, replaced, expired, person inactive). */
function openEnrolment(db: ReadDb, code: string, now: Date): EnrolmentRow {
  const row = db.get<EnrolmentRow>(enrolmentByCodeSql(secretHash(normaliseCode(code))));
  const refused = (why: string) => new AppError('unauthenticated', `${why}: ask an admin for a new enrolment code`);
  if (!row) throw refused('no such enrolment code');
  if (row.used_at !== null) throw refused(`this enrolment code was already used (${row.used_at})`);
  if (row.voided_at !== null) throw refused('this enrolment code was replaced by a newer one');
  if (now.toISOString() >= row.expires_at) throw refused(`this enrolment code expired at ${row.expires_at}`);
  if (row.active !== 1) throw refused(`${row.name} is no longer active`);
  return row;
}

/**
 * Open an enrolment: who it is for, the passphrase rule, whether a second factor is required,
 * and the TOTP secret offered (made on first opening and kept with the enrolment, so opening it
 * again shows the same one).
 */
export function startEnrolment(db: WriteDb, code: string, settings: Settings, now: Date): EnrolmentStart {
  return db.transaction(() => {
    const row = openEnrolment(db, code, now);
    let secret = row.totp_secret;
    if (secret === null) {
      secret = randomBytes(TOTP_SECRET_BYTES);
      db.run(sql`UPDATE enrolments SET totp_secret = ${secret} WHERE id = ${row.id}`);
    }
    const roles = parseRoles(row.roles);
    const uri = otpauthUri(secret, row.name, TOTP_ISSUER);
    return {
      name: row.name,
      roles,
      expiresAt: row.expires_at,
      minPassphraseLength: settings.auth.minPassphraseLength,
      secondFactorRequired: secondFactorRolesOf(roles, settings).length > 0,
      totpSecret: new URL(uri).searchParams.get('secret') ?? '',
      otpauthUri: uri,
    };
  });
}

/**
 * Use an enrolment code: set the passphrase and, with the authenticator's current code, the
 * second factor. Refused with nothing changed when the code is not valid, the passphrase breaks
 * a rule, a required second factor is missing, or the authenticator code is wrong.
 */
export async function completeEnrolment(db: WriteDb, input: { code: string; passphrase: string; totpCode?: string }, settings: Settings, now: () => Date): Promise<EnrolmentResult> {
  const row = openEnrolment(db, input.code, now());
  checkNewPassphrase(input.passphrase, { name: row.name, minLength: settings.auth.minPassphraseLength });
  const required = secondFactorRolesOf(parseRoles(row.roles), settings);
  if (input.totpCode === undefined && required.length > 0) {
    throw invalidInput(`the ${required.join(' and ')} role${required.length > 1 ? 's need' : ' needs'} a second factor: add your authenticator app and give its current code`);
  }
  let totp: { secret: Buffer; step: number } | null = null;
  if (input.totpCode !== undefined) {
    if (row.totp_secret === null) throw invalidInput('no second factor was offered yet: open the enrolment first (auth.enrolStart) and add its secret to your authenticator app');
    const step = matchTotp(row.totp_secret, input.totpCode, now().getTime(), null);
    if (step === null) throw new AppError('unauthenticated', "wrong authenticator code: check the app's clock and that it holds the secret this enrolment showed");
    totp = { secret: row.totp_secret, step };
  }
  const passphrase = await hashPassphrase(input.passphrase);
  return db.transaction(() => {
    const at = now().toISOString();
    // Checked again under the write lock: the same code may have been used while the hash was made.
    const current = openEnrolment(db, input.code, now());
    if (current.id !== row.id) throw new Error('enrolment changed while it was being used');
    db.run(sql`UPDATE enrolments SET used_at = ${at} WHERE id = ${row.id}`);
    const recoveryCodes = replaceCredentials(db, row.investigator_id, passphrase, totp, at);
    const sessionsEnded = endSessionsOf(db, row.investigator_id, 'credentials-changed', now());
    db.run(sql`DELETE FROM sign_in_locks WHERE name = ${row.name}`);
    openHistory(db, () => at).append({
      actor: row.name,
      action: 'investigator.enrolled',
      subjectType: 'investigator',
      subjectId: row.investigator_id,
      details: { name: row.name, secondFactor: totp !== null, sessionsEnded },
    });
    return { name: row.name, secondFactor: totp !== null, recoveryCodes };
  });
}

/** An enrolment by the hash of its code, with its person. */
export function enrolmentByCodeSql(codeHash: Buffer): Sql {
  return sql`SELECT e.id, e.investigator_id, i.name, i.roles, i.active, e.expires_at, e.totp_secret, e.used_at, e.voided_at
    FROM enrolments e JOIN investigators i ON i.id = e.investigator_id WHERE e.code_hash = ${codeHash}`;
}
