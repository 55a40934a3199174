/**
 * A person's credentials as stored: the passphrase's scrypt hash with its salt and parameters,
 * the TOTP secret with the last time step accepted, and the one-time recovery codes (hashes).
 */
import type { Role } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import type { PassphraseHash, ScryptParameters } from './passphrase.js';
import { newRecoveryCode, normaliseCode, secretHash } from './secrets.js';

/** Recovery codes given with a second factor. */
export const RECOVERY_CODE_COUNT = 10;

export interface StoredCredentials {
  readonly passphrase: PassphraseHash;
  readonly totpSecret: Buffer | null;
  readonly totpLastStep: number | null;
  readonly setAt: string;
  readonly lastSignInAt: string | null;
}

interface CredentialsRow {
  kdf: string;
  kdf_parameters: string;
  salt: Buffer;
  hash: Buffer;
  totp_secret: Buffer | null;
  totp_last_step: number | null;
  set_at: string;
  last_sign_in_at: string | null;
}

export function readCredentials(db: ReadDb, personId: number): StoredCredentials | null {
  const row = db.get<CredentialsRow>(sql`SELECT * FROM credentials WHERE investigator_id = ${personId}`);
  if (!row) return null;
  if (row.kdf !== 'scrypt') throw new Error(`credentials of person #${personId} use an unknown key derivation ${JSON.stringify(row.kdf)}`);
  return {
    passphrase: { kdf: 'scrypt', parameters: JSON.parse(row.kdf_parameters) as ScryptParameters, salt: row.salt, hash: row.hash },
    totpSecret: row.totp_secret,
    totpLastStep: row.totp_last_step,
    setAt: row.set_at,
    lastSignInAt: row.last_sign_in_at,
  };
}

/** The roles a person holds that need a second factor (the `auth.secondFactorRoles` setting). */
export function secondFactorRolesOf(roles: readonly Role[], settings: Settings): Role[] {
  return roles.filter((role) => settings.auth.secondFactorRoles.includes(role));
}

export function unusedRecoveryCodes(db: ReadDb, personId: number): number {
  return db.get<{ count: number }>(sql`SELECT count(*) AS count FROM recovery_codes WHERE investigator_id = ${personId} AND used_at IS NULL`)?.count ?? 0;
}

/**
 * Replace a person's credentials (enrolment): the new passphrase hash and second factor (or none);
 * old recovery codes go, and with a second factor new ones are made and returned this once.
 */
export function replaceCredentials(db: WriteDb, personId: number, passphrase: PassphraseHash, totp: { secret: Buffer; step: number } | null, at: string): string[] | null {
  db.run(
    sql`INSERT INTO credentials (investigator_id, kdf, kdf_parameters, salt, hash, totp_secret, totp_last_step, set_at)
        VALUES (${personId}, ${passphrase.kdf}, ${JSON.stringify(passphrase.parameters)}, ${passphrase.salt}, ${passphrase.hash}, ${totp?.secret ?? null}, ${totp?.step ?? null}, ${at})
        ON CONFLICT (investigator_id) DO UPDATE SET kdf = excluded.kdf, kdf_parameters = excluded.kdf_parameters, salt = excluded.salt, hash = excluded.hash,
          totp_secret = excluded.totp_secret, totp_last_step = excluded.totp_last_step, set_at = excluded.set_at`,
  );
  db.run(sql`DELETE FROM recovery_codes WHERE investigator_id = ${personId}`);
  if (!totp) return null;
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode());
  for (const code of codes) db.run(sql`INSERT INTO recovery_codes (investigator_id, code_hash) VALUES (${personId}, ${secretHash(normaliseCode(code))})`);
  return codes;
}

/** Remove a person's second factor and recovery codes; returns whether they had one. */
export function clearSecondFactor(db: WriteDb, personId: number): boolean {
  const changed = db.run(sql`UPDATE credentials SET totp_secret = NULL, totp_last_step = NULL WHERE investigator_id = ${personId} AND totp_secret IS NOT NULL`).changes;
  db.run(sql`DELETE FROM recovery_codes WHERE investigator_id = ${personId}`);
  return changed === 1;
}
