/**
 * Sessions: what a signed-in person's client holds. The token is 32 random bytes given once at
 * sign-in; only its SHA-256 is stored. A session has an absolute lifetime (fixed at sign-in) and
 * an idle lifetime (from its last use), both settings; its kind (a browser's cookie, or a bearer
 * token for the desktop app and the CLI), client and address are recorded. `authenticate` answers
 * for a token with the person and their current roles, or refuses saying why, and changes
 * nothing when it refuses.
 */
import type { Settings } from '../../../shared/settings.js';
import type { ClientKind, SessionKind, SessionView } from '../../../shared/team.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { findActor, parseRoles, type Actor } from '../investigators/investigators.js';
import { isSessionTokenShaped, newSessionToken, secretHash } from './secrets.js';
import type { SessionEndReason } from '../investigators/session-end.js';

const MINUTE = 60_000;
/** A session's last use is written at most this often (authenticate runs on every call). */
const LAST_SEEN_RESOLUTION_MS = 30_000;

const END_REASONS: Record<SessionEndReason, string> = {
  'signed-out': 'signed out',
  ended: 'ended by an admin or by its owner',
  'roles-changed': "the person's roles changed",
  deactivated: 'the person was deactivated',
  'credentials-changed': 'the person enrolled again',
  'second-factor-reset': "the person's second factor was reset",
};

interface SessionRow {
  id: number;
  investigator_id: number;
  name: string;
  roles: string;
  active: number;
  kind: SessionKind;
  client: ClientKind | null;
  address: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
  end_reason: SessionEndReason | null;
}

const SESSION_COLUMNS = sql`s.id, s.investigator_id, i.name, i.roles, i.active, s.kind, s.client, s.address, s.created_at, s.last_seen_at, s.expires_at, s.ended_at, s.end_reason`;

function idleExpiresAt(lastSeenAt: string, settings: Settings): string {
  return new Date(Date.parse(lastSeenAt) + settings.auth.sessionIdleMinutes * MINUTE).toISOString();
}

function toView(row: SessionRow, settings: Settings, currentSessionId: number | undefined): SessionView {
  const idle = idleExpiresAt(row.last_seen_at, settings);
  return {
    id: row.id,
    person: row.name,
    kind: row.kind,
    client: row.client,
    address: row.address,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    idleExpiresAt: idle < row.expires_at ? idle : row.expires_at,
    expiresAt: row.expires_at,
    isCurrent: row.id === currentSessionId,
  };
}

/** Whether a session still lets its holder in at `now` (open, within both lifetimes). */
function isLive(row: SessionRow, settings: Settings, now: Date): boolean {
  const at = now.toISOString();
  return row.ended_at === null && at < row.expires_at && at < idleExpiresAt(row.last_seen_at, settings);
}

/** Open a session for a person who has just proved who they are; the token is returned this once. */
export function createSession(
  db: WriteDb,
  personId: number,
  origin: { readonly kind: SessionKind; readonly client: ClientKind | null; readonly address: string | null },
  settings: Settings,
  now: Date,
): { token: string; session: SessionView } {
  const token = newSessionToken();
  const createdAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + settings.auth.sessionAbsoluteHours * 60 * MINUTE).toISOString();
  const result = db.run(
    sql`INSERT INTO sessions (token_hash, investigator_id, kind, client, address, created_at, last_seen_at, expires_at)
        VALUES (${secretHash(token)}, ${personId}, ${origin.kind}, ${origin.client}, ${origin.address}, ${createdAt}, ${createdAt}, ${expiresAt})`,
  );
  const id = Number(result.lastInsertRowid);
  return { token, session: toView(sessionRow(db, id) as SessionRow, settings, id) };
}

/** A session as the API shows it (whoami), or null when there is none or it is no longer live. */
export function describeSession(db: ReadDb, id: number | undefined, settings: Settings, now: Date): SessionView | null {
  if (id === undefined) return null;
  const row = sessionRow(db, id);
  return row && isLive(row, settings, now) ? toView(row, settings, id) : null;
}

function sessionRow(db: ReadDb, id: number): SessionRow | undefined {
  return db.get<SessionRow>(sql`SELECT ${SESSION_COLUMNS} FROM sessions s JOIN investigators i ON i.id = s.investigator_id WHERE s.id = ${id}`);
}

function unauthenticated(message: string): AppError {
  return new AppError('unauthenticated', message);
}

/** A session that authenticated: the person with their roles as they are now. */
export interface AuthenticatedSession {
  readonly person: Actor;
  readonly session: SessionView;
}

/**
 * The person a token belongs to, or a refusal (`unauthenticated`) saying why: malformed, unknown
 * (never issued, or signed out long ago), ended (and why), expired (absolute or idle), or the
 * person is no longer active. Only a live session's last use is written, by `markSeen` (a server
 * hands that write to its writer thread: checking a session never waits for the database lock).
 */
export function authenticate(db: ReadDb, token: string, settings: Settings, now: Date, markSeen: (sessionId: number, at: string) => void): AuthenticatedSession {
  if (!isSessionTokenShaped(token)) throw unauthenticated('the session token is malformed: sign in');
  const row = db.get<SessionRow>(sessionByTokenSql(secretHash(token)));
  if (!row) throw unauthenticated('no such session: sign in');
  if (row.ended_at !== null) throw unauthenticated(`the session has ended (${END_REASONS[row.end_reason ?? 'ended']}): sign in again`);
  const at = now.toISOString();
  if (at >= row.expires_at) throw unauthenticated(`the session has expired (a session lasts ${settings.auth.sessionAbsoluteHours} hours): sign in again`);
  if (at >= idleExpiresAt(row.last_seen_at, settings)) {
    throw unauthenticated(`the session expired after ${settings.auth.sessionIdleMinutes} minutes without use: sign in again`);
  }
  if (row.active !== 1) throw unauthenticated(`${row.name} is no longer active`);
  let lastSeenAt = row.last_seen_at;
  if (now.getTime() - Date.parse(row.last_seen_at) >= LAST_SEEN_RESOLUTION_MS) {
    markSeen(row.id, at);
    lastSeenAt = at;
  }
  return {
    person: { id: row.investigator_id, name: row.name, roles: parseRoles(row.roles) },
    session: toView({ ...row, last_seen_at: lastSeenAt }, settings, row.id),
  };
}

/** Record a session's last use (see `authenticate`). */
export function markSessionSeen(db: WriteDb, sessionId: number, at: string): void {
  db.run(sql`UPDATE sessions SET last_seen_at = ${at} WHERE id = ${sessionId} AND last_seen_at < ${at}`);
}

/** Open sessions, newest first: everyone's (or one person's) for an admin, one's own for anyone else. */
export function listSessions(db: ReadDb, actorName: string | null, personName: string | undefined, currentSessionId: number | undefined, settings: Settings, now: Date): SessionView[] {
  const actor = findActor(db, actorName);
  if (!actor) throw forbidden('say who you are to see sessions');
  const isAdmin = actor.roles.includes('admin');
  if (personName !== undefined && !isAdmin && personName.toLowerCase() !== actor.name.toLowerCase()) throw forbidden("only an admin sees other people's sessions");
  const subject = isAdmin ? personName : actor.name;
  const rows = subject === undefined
    ? openSessions(db, now).sort((a, b) => b.id - a.id)
    : db.all<SessionRow>(
        sql`SELECT ${SESSION_COLUMNS} FROM investigators i JOIN sessions s ON s.investigator_id = i.id AND s.ended_at IS NULL
            WHERE i.name = ${subject} AND s.expires_at > ${now.toISOString()} ORDER BY s.id DESC`,
      );
  return rows.filter((row) => isLive(row, settings, now)).map((row) => toView(row, settings, currentSessionId));
}

/** Sessions not ended and within their absolute lifetime (the idle one is checked by the caller). */
function openSessions(db: ReadDb, now: Date): SessionRow[] {
  return db.all<SessionRow>(openSessionsSql(now.toISOString()));
}

/** How many live sessions each person has (the Team page). */
export function liveSessionCounts(db: ReadDb, settings: Settings, now: Date): Map<number, number> {
  const counts = new Map<number, number>();
  for (const row of openSessions(db, now)) {
    if (isLive(row, settings, now)) counts.set(row.investigator_id, (counts.get(row.investigator_id) ?? 0) + 1);
  }
  return counts;
}

/** End one session: an admin may end anyone's, anyone their own. Recorded in the history. */
export function endSession(db: WriteDb, actorName: string | null, id: number, currentSessionId: number | undefined, settings: Settings, now: Date): SessionView {
  return db.transaction(() => {
    const actor = findActor(db, actorName);
    if (!actor) throw forbidden('say who you are to end a session');
    const row = sessionRow(db, id);
    if (!row || !isLive(row, settings, now)) throw notFound(`no open session #${id}`);
    if (row.investigator_id !== actor.id && !actor.roles.includes('admin')) throw forbidden("only an admin ends other people's sessions");
    const at = now.toISOString();
    db.run(sql`UPDATE sessions SET ended_at = ${at}, end_reason = ${row.id === currentSessionId ? 'signed-out' : 'ended'} WHERE id = ${row.id}`);
    openHistory(db, () => at).append({
      actor: actor.name,
      action: row.id === currentSessionId ? 'auth.signed-out' : 'session.ended',
      subjectType: 'investigator',
      subjectId: row.investigator_id,
      details: { session: row.id, person: row.name, kind: row.kind, client: row.client, address: row.address },
    });
    return toView({ ...row, ended_at: at }, settings, currentSessionId);
  });
}

/** A session by the hash of its token, with its person (every call of the team server asks it). */
export function sessionByTokenSql(tokenHash: Buffer): Sql {
  return sql`SELECT ${SESSION_COLUMNS} FROM sessions s JOIN investigators i ON i.id = s.investigator_id WHERE s.token_hash = ${tokenHash}`;
}

/** Sessions not ended and within their absolute lifetime at `at`, with their people (the Team page). */
export function openSessionsSql(at: string): Sql {
  return sql`SELECT ${SESSION_COLUMNS} FROM sessions s JOIN investigators i ON i.id = s.investigator_id WHERE s.ended_at IS NULL AND s.expires_at > ${at}`;
}
