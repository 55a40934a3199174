/**
 * Sign-in: a name, a passphrase and (when the person has one) a second factor give a session.
 * Guessing is throttled by what the database keeps (so a restart resets nothing): a name with
 * `auth.lockAfterFailures` failures within `auth.failureWindowMinutes` is locked for
 * `auth.lockMinutes`, whether or not such a person exists (so locking does not tell which names
 * do); an address with `auth.maxFailuresPerAddress` failures in the window is refused until they
 * age out. A refused attempt is answered before any passphrase is checked. Every sign-in, failure,
 * lock and refusal is in the history (an address over its limit once, when it reaches it, so a
 * flood cannot fill the history); the passphrase never is.
 */
import type { Settings } from '../../../shared/settings.js';
import { SECOND_FACTOR_NEEDED, type ClientKind, type SignInResult } from '../../../shared/team.js';
import type { WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { AppError, forbidden } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { createSession } from './sessions.js';
import { readCredentials, secondFactorRolesOf, unusedRecoveryCodes } from './credentials.js';
import { parseRoles } from '../investigators/investigators.js';
import { spendPassphraseCheck, verifyPassphrase } from './passphrase.js';
import { isRecoveryCodeShaped, normaliseCode, secretHash } from './secrets.js';
import { matchTotp } from './totp.js';
import { createLogger } from '../log.js';

const MINUTE = 60_000;
const log = createLogger('sign-in');

/** The actor named in events about a sign-in that did not succeed: nobody has proved who they are. */
export const NOT_SIGNED_IN = '(not signed in)';

/** Where a sign-in attempt came from; the transport knows it, the client never says it. */
export interface SignInOrigin {
  readonly client: ClientKind | null;
  readonly address: string | null;
}

export interface SignInInput {
  readonly name: string;
  readonly passphrase: string;
  readonly secondFactor?: string;
}

type FailureReason = 'wrong-passphrase' | 'unknown-name' | 'not-enrolled' | 'wrong-second-factor';

function rateLimited(message: string): AppError {
  return new AppError('rate-limited', message);
}

/** The key failures are counted under for an address (a direct call without one counts as one place). */
function addressKey(origin: SignInOrigin): string {
  return origin.address ?? 'local';
}

/**
 * Check the credentials and open a session. A browser's session travels in a cookie, any other
 * client's as a bearer token.
 */
export async function signIn(db: WriteDb, input: SignInInput, origin: SignInOrigin, settings: Settings, now: () => Date): Promise<SignInResult> {
  const name = input.name.trim();
  const windowStart = () => new Date(now().getTime() - settings.auth.failureWindowMinutes * MINUTE).toISOString();
  const address = addressKey(origin);
  const where = { client: origin.client, address: origin.address };
  /** Append one event about this attempt (inside the caller's transaction). */
  const record = (action: string, subjectId: number | null, details: Record<string, unknown>, actor = NOT_SIGNED_IN) =>
    openHistory(db, () => now().toISOString()).append({ actor, action, subjectType: subjectId === null ? 'sign-in' : 'investigator', subjectId, details: { name, ...details } });
  const refuse = (subjectId: number | null, reason: string, error: AppError): AppError =>
    db.transaction(() => {
      record('auth.sign-in-refused', subjectId, { reason, ...where });
      return error;
    });

  // Throttles first: a refused attempt costs no passphrase check.
  const throttled = db.transaction(() => {
    const at = now().toISOString();
    if (failuresFromAddress(db, address, windowStart()) >= settings.auth.maxFailuresPerAddress) {
      return rateLimited(`too many failed sign-ins from ${address}: try again in ${settings.auth.failureWindowMinutes} minutes`);
    }
    const lock = db.get<{ locked_until: string }>(lockOfSql(name, at));
    if (!lock) return null;
    // Counted against the address too: trying a locked name again and again is guessing.
    db.run(sql`INSERT INTO sign_in_failures (at, name, address) VALUES (${at}, ${name}, ${address})`);
    const person = db.get<{ id: number }>(sql`SELECT id FROM investigators WHERE name = ${name}`);
    record('auth.sign-in-refused', person?.id ?? null, { reason: 'locked', lockedUntil: lock.locked_until, ...where });
    noteAddressLimit(person?.id ?? null);
    return rateLimited(`sign-in for ${name} is locked after repeated failures, until ${lock.locked_until}`);
  });
  if (throttled) throw throttled;

  const person = db.get<{ id: number; name: string; roles: string; active: number }>(sql`SELECT id, name, roles, active FROM investigators WHERE name = ${name}`);
  const credentials = person ? readCredentials(db, person.id) : null;
  const isPassphraseRight = credentials ? await verifyPassphrase(input.passphrase, credentials.passphrase) : await spendPassphraseCheck(input.passphrase);
  if (!person || !credentials || !isPassphraseRight) {
    fail(person?.id ?? null, !person ? 'unknown-name' : !credentials ? 'not-enrolled' : 'wrong-passphrase');
    throw new AppError('unauthenticated', 'wrong name or passphrase');
  }
  if (person.active !== 1) throw refuse(person.id, 'inactive', forbidden(`${person.name} is no longer active`));
  const required = secondFactorRolesOf(parseRoles(person.roles), settings);
  if (credentials.totpSecret === null && required.length > 0) {
    const roles = `the ${required.join(' and ')} role${required.length > 1 ? 's need' : ' needs'}`;
    throw refuse(person.id, 'second-factor-missing', forbidden(`${roles} a second factor: ask an admin for a new enrolment code and add one when you enrol`));
  }

  let secondFactor: 'totp' | 'recovery-code' | null = null;
  let totpStep: number | null = null;
  let recoveryCodeId: number | null = null;
  if (credentials.totpSecret !== null) {
    const entry = input.secondFactor?.trim();
    // Not a failure: the passphrase was right, and the client now asks for the second factor.
    if (!entry) throw new AppError('unauthenticated', 'a second factor is needed: the 6-digit code of your authenticator app, or a recovery code', [SECOND_FACTOR_NEEDED]);
    if (isRecoveryCodeShaped(entry)) {
      recoveryCodeId = db.get<{ id: number }>(unusedRecoveryCodeSql(person.id, secretHash(normaliseCode(entry))))?.id ?? null;
      if (recoveryCodeId !== null) secondFactor = 'recovery-code';
    } else {
      totpStep = matchTotp(credentials.totpSecret, entry, now().getTime(), credentials.totpLastStep);
      if (totpStep !== null) secondFactor = 'totp';
    }
    if (secondFactor === null) {
      fail(person.id, 'wrong-second-factor');
      throw new AppError('unauthenticated', 'wrong second factor (each code is accepted once, within 30 seconds either side of its time)');
    }
  }

  return db.transaction(() => {
    const at = now().toISOString();
    // Checked again under the write lock: another sign-in may have used the same code meanwhile.
    if (totpStep !== null) {
      if (db.run(sql`UPDATE credentials SET totp_last_step = ${totpStep} WHERE investigator_id = ${person.id} AND (totp_last_step IS NULL OR totp_last_step < ${totpStep})`).changes !== 1) {
        throw new AppError('unauthenticated', 'wrong second factor (that code was just used)');
      }
    }
    if (recoveryCodeId !== null && db.run(sql`UPDATE recovery_codes SET used_at = ${at} WHERE id = ${recoveryCodeId} AND used_at IS NULL`).changes !== 1) {
      throw new AppError('unauthenticated', 'wrong second factor (that recovery code was just used)');
    }
    db.run(sql`DELETE FROM sign_in_failures WHERE name = ${name}`);
    db.run(sql`DELETE FROM sign_in_locks WHERE name = ${name}`);
    db.run(sql`UPDATE credentials SET last_sign_in_at = ${at} WHERE investigator_id = ${person.id}`);
    const kind = origin.client === 'browser' ? 'cookie' : 'bearer';
    const { token, session } = createSession(db, person.id, { kind, ...where }, settings, now());
    const codesLeft = recoveryCodeId === null ? {} : { recoveryCodesLeft: unusedRecoveryCodes(db, person.id) };
    record('auth.signed-in', person.id, { session: session.id, kind, secondFactor, ...codesLeft, ...where }, person.name);
    return { token, session, roles: parseRoles(person.roles) };
  });

  /** Count a failure (under the name and the address), lock the name when it reaches the limit, and record it all. */
  function fail(personId: number | null, reason: FailureReason): void {
    db.transaction(() => {
      const at = now().toISOString();
      db.run(sql`INSERT INTO sign_in_failures (at, name, address) VALUES (${at}, ${name}, ${address})`);
      record('auth.sign-in-failed', personId, { reason, ...where });
      log.info(`sign-in failed for ${JSON.stringify(name)} from ${address} (${origin.client ?? 'no client'}): ${reason}`);
      // Failures before the end of an earlier lock were paid for by that lock.
      const lastLock = db.get<{ locked_until: string }>(sql`SELECT locked_until FROM sign_in_locks WHERE name = ${name}`)?.locked_until ?? '';
      const since = lastLock > windowStart() ? lastLock : windowStart();
      const failures = db.get<{ count: number }>(failuresOfNameSql(name, since))?.count ?? 0;
      if (failures >= settings.auth.lockAfterFailures) {
        const until = new Date(now().getTime() + settings.auth.lockMinutes * MINUTE).toISOString();
        db.run(sql`INSERT INTO sign_in_locks (name, locked_until) VALUES (${name}, ${until}) ON CONFLICT (name) DO UPDATE SET locked_until = excluded.locked_until`);
        record('auth.locked', personId, { failures, lockedUntil: until, ...where });
        log.warn(`sign-in for ${JSON.stringify(name)} locked until ${until} after ${failures} failures (the last from ${address})`);
      }
      noteAddressLimit(personId);
    });
  }

  /** Record the moment an address reaches its limit (once: later attempts from it are refused without an event). */
  function noteAddressLimit(personId: number | null): void {
    const count = failuresFromAddress(db, address, windowStart());
    if (count === settings.auth.maxFailuresPerAddress) record('auth.address-limited', personId, { failures: count, minutes: settings.auth.failureWindowMinutes, ...where });
  }
}

function failuresFromAddress(db: WriteDb, address: string, since: string): number {
  return db.get<{ count: number }>(failuresFromAddressSql(address, since))?.count ?? 0;
}

/** The lock of a name still in force at `at`. */
export function lockOfSql(name: string, at: string): Sql {
  return sql`SELECT locked_until FROM sign_in_locks WHERE name = ${name} AND locked_until > ${at}`;
}

/** A person's unused recovery code with this hash. */
export function unusedRecoveryCodeSql(personId: number, codeHash: Buffer): Sql {
  return sql`SELECT id FROM recovery_codes WHERE investigator_id = ${personId} AND code_hash = ${codeHash} AND used_at IS NULL`;
}

/** Failed sign-ins of a name since `since` (every failure counts them). */
export function failuresOfNameSql(name: string, since: string): Sql {
  return sql`SELECT count(*) AS count FROM sign_in_failures WHERE name = ${name} AND at > ${since}`;
}

/** Failed sign-ins from an address since `since` (every attempt counts them). */
export function failuresFromAddressSql(address: string, since: string): Sql {
  return sql`SELECT count(*) AS count FROM sign_in_failures WHERE address = ${address} AND at > ${since}`;
}
