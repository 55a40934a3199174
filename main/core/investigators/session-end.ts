/**
 * Ending a person's sessions when who they are changes (deactivated, roles changed, enrolled
 * again, second factor reset). It lives with the people (investigators/), below auth/ which
 * imports it (sign-in, enrolment, resetting a second factor), so that neither folder imports
 * the other back.
 */
import type { WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';

/** Why a session ended before its time. */
export type SessionEndReason = 'signed-out' | 'ended' | 'roles-changed' | 'deactivated' | 'credentials-changed' | 'second-factor-reset';

/** End every open session of a person (deactivated, roles changed, enrolled again, second factor reset); returns how many. */
export function endSessionsOf(db: WriteDb, personId: number, reason: SessionEndReason, now: Date): number {
  const at = now.toISOString();
  return db.run(endSessionsOfSql(personId, reason, at)).changes;
}

/** The statement that ends a person's open sessions at `at`. */
export function endSessionsOfSql(personId: number, reason: SessionEndReason, at: string): Sql {
  return sql`UPDATE sessions SET ended_at = ${at}, end_reason = ${reason} WHERE investigator_id = ${personId} AND ended_at IS NULL AND expires_at > ${at}`;
}
