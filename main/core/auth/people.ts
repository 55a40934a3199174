/**
 * The team as an admin manages it: each person with their roles, whether they have enrolled and
 * have a second factor, a pending invitation, a lock, their live sessions; and resetting a
 * person's second factor (a lost phone), which ends their sessions.
 */
import type { Settings } from '../../../shared/settings.js';
import type { PersonView } from '../../../shared/team.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { parseRoles, requireActor } from '../investigators/investigators.js';
import { clearSecondFactor, secondFactorRolesOf } from './credentials.js';
import { liveSessionCounts } from './sessions.js';
import { endSessionsOf } from '../investigators/session-end.js';

interface PersonRow {
  id: number;
  name: string;
  roles: string;
  active: number;
  created_at: string;
  is_enrolled: number;
  has_totp: number;
  codes_left: number;
  last_sign_in_at: string | null;
  invitation_expires_at: string | null;
  locked_until: string | null;
}

/** Everyone on the team with their sign-in state (admins only). */
export function listPeople(db: ReadDb, actorName: string | null, settings: Settings, now: Date): PersonView[] {
  requireActor(db, actorName, 'admin');
  const at = now.toISOString();
  const sessions = liveSessionCounts(db, settings, now);
  return db
    .all<PersonRow>(
      sql`SELECT i.id, i.name, i.roles, i.active, i.created_at,
            c.investigator_id IS NOT NULL AS is_enrolled,
            coalesce(c.totp_secret IS NOT NULL, 0) AS has_totp,
            (SELECT count(*) FROM recovery_codes r WHERE r.investigator_id = i.id AND r.used_at IS NULL) AS codes_left,
            c.last_sign_in_at,
            (SELECT max(e.expires_at) FROM enrolments e WHERE e.investigator_id = i.id AND e.used_at IS NULL AND e.voided_at IS NULL AND e.expires_at > ${at}) AS invitation_expires_at,
            (SELECT l.locked_until FROM sign_in_locks l WHERE l.name = i.name AND l.locked_until > ${at}) AS locked_until
          FROM investigators i LEFT JOIN credentials c ON c.investigator_id = i.id
          ORDER BY i.name`,
    )
    .map((row) => {
      const roles = parseRoles(row.roles);
      return {
        name: row.name,
        roles,
        active: row.active === 1,
        createdAt: row.created_at,
        isEnrolled: row.is_enrolled === 1,
        hasSecondFactor: row.has_totp === 1,
        recoveryCodesLeft: row.codes_left,
        needsSecondFactor: row.has_totp !== 1 && secondFactorRolesOf(roles, settings).length > 0,
        invitationExpiresAt: row.invitation_expires_at,
        lockedUntil: row.locked_until,
        activeSessions: sessions.get(row.id) ?? 0,
        lastSignInAt: row.last_sign_in_at,
      };
    });
}

/**
 * Remove a person's second factor and recovery codes (admins only) and end their sessions; they
 * add a new one by enrolling again with a new code.
 */
export function resetSecondFactor(db: WriteDb, actorName: string | null, name: string, settings: Settings, now: Date): PersonView {
  db.transaction(() => {
    const actor = requireActor(db, actorName, 'admin');
    const person = db.get<{ id: number; name: string }>(sql`SELECT id, name FROM investigators WHERE name = ${name}`);
    if (!person) throw notFound(`no investigator named ${JSON.stringify(name)}`);
    if (!clearSecondFactor(db, person.id)) throw conflict(`${person.name} has no second factor to reset`);
    const sessionsEnded = endSessionsOf(db, person.id, 'second-factor-reset', now);
    openHistory(db, () => now.toISOString()).append({
      actor: actor.name,
      action: 'investigator.second-factor-reset',
      subjectType: 'investigator',
      subjectId: person.id,
      details: { name: person.name, sessionsEnded },
    });
  });
  const view = listPeople(db, actorName, settings, now).find((person) => person.name.toLowerCase() === name.toLowerCase());
  if (!view) throw new Error(`${name} vanished after the reset`);
  return view;
}
