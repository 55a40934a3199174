/**
 * The team: investigators and their roles. The first person added to an empty database becomes
 * an admin; after that only an admin adds or changes people. Every change that a person makes
 * runs as a known, active investigator holding the role the action needs.
 */
import type { InvestigatorView } from '../../../shared/team.js';
import { ROLES, isOneOf, type Role } from '../../../shared/domain.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict, forbidden, invalidInput, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { endSessionsOf } from './session-end.js';

interface InvestigatorRow {
  id: number;
  name: string;
  roles: string;
  active: number;
  created_at: string;
}

/** A resolved actor: who is doing something, with their roles. */
export interface Actor {
  readonly id: number;
  readonly name: string;
  readonly roles: readonly Role[];
}

/** Roles as stored (comma-separated), unknown names dropped. */
export function parseRoles(text: string): Role[] {
  return text.split(',').filter((role): role is Role => isOneOf(ROLES, role));
}

function toView(row: InvestigatorRow): InvestigatorView {
  return { name: row.name, roles: parseRoles(row.roles), active: row.active === 1, createdAt: row.created_at };
}

export function listInvestigators(db: ReadDb): InvestigatorView[] {
  return db.all<InvestigatorRow>(sql`SELECT * FROM investigators ORDER BY name`).map(toView);
}

function findInvestigator(db: ReadDb, name: string): InvestigatorRow | undefined {
  return db.get<InvestigatorRow>(sql`SELECT * FROM investigators WHERE name = ${name}`);
}

/** Resolve an actor name without requiring a role (for "who am I"). */
export function findActor(db: ReadDb, name: string | null): Actor | null {
  if (!name) return null;
  const row = findInvestigator(db, name);
  if (!row || row.active !== 1) return null;
  return { id: row.id, name: row.name, roles: parseRoles(row.roles) };
}

/**
 * The actor for an action needing `role`, or a clear refusal. Admins do not implicitly hold
 * other roles: acting on listings takes the investigator role even for an admin.
 */
export function requireActor(db: ReadDb, name: string | null, role: Role): Actor {
  if (!name) throw forbidden(`this action needs the ${role} role: say who you are (--actor NAME or REPDESK_ACTOR)`);
  const row = findInvestigator(db, name);
  if (!row) throw forbidden(`${JSON.stringify(name)} is not a known investigator`);
  if (row.active !== 1) throw forbidden(`${row.name} is no longer active`);
  const roles = parseRoles(row.roles);
  if (!roles.includes(role)) throw forbidden(`${row.name} does not have the ${role} role (has: ${roles.join(', ') || 'none'})`);
  return { id: row.id, name: row.name, roles };
}

/** The actor, who must hold one of `roles` (intake is open to investigators and reviewers alike). */
export function requireAnyRole(db: ReadDb, name: string | null, roles: readonly Role[]): Actor {
  if (!name) throw forbidden(`this action needs the ${roles.join(' or ')} role: say who you are (--actor NAME or REPDESK_ACTOR)`);
  const actor = findActor(db, name);
  if (!actor) {
    const known = db.get<{ active: number; name: string }>(sql`SELECT active, name FROM investigators WHERE name = ${name}`);
    throw forbidden(known ? `${known.name} is no longer active` : `${JSON.stringify(name)} is not a known investigator`);
  }
  if (!roles.some((role) => actor.roles.includes(role))) {
    throw forbidden(`${actor.name} does not have the ${roles.join(' or ')} role (has: ${actor.roles.join(', ') || 'none'})`);
  }
  return actor;
}

function normaliseRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((role) => roles.includes(role));
}

export function addInvestigator(db: WriteDb, actorName: string | null, input: { name: string; roles: readonly Role[] }, now: () => string): InvestigatorView {
  return db.transaction(() => {
    const count = db.get<{ count: number }>(sql`SELECT count(*) AS count FROM investigators`)?.count ?? 0;
    const isBootstrap = count === 0;
    const actor = isBootstrap ? null : requireActor(db, actorName, 'admin');
    const name = input.name.trim();
    if (findInvestigator(db, name)) throw conflict(`an investigator named ${JSON.stringify(name)} already exists`);
    const roles = normaliseRoles(isBootstrap ? [...input.roles, 'admin'] : input.roles);
    const createdAt = now();
    const result = db.run(sql`INSERT INTO investigators (name, roles, created_at) VALUES (${name}, ${roles.join(',')}, ${createdAt})`);
    openHistory(db, now).append({
      actor: actor?.name ?? name,
      action: 'investigator.added',
      subjectType: 'investigator',
      subjectId: Number(result.lastInsertRowid),
      details: { name, roles, bootstrap: isBootstrap },
    });
    return toView(findInvestigator(db, name) as InvestigatorRow);
  });
}

export function updateInvestigator(
  db: WriteDb,
  actorName: string | null,
  input: { name: string; roles?: readonly Role[]; active?: boolean },
  now: () => string,
): InvestigatorView {
  return db.transaction(() => {
    const actor = requireActor(db, actorName, 'admin');
    const row = findInvestigator(db, input.name);
    if (!row) throw notFound(`no investigator named ${JSON.stringify(input.name)}`);
    if (input.roles === undefined && input.active === undefined) throw invalidInput('nothing to change: give roles or active');
    const roles = input.roles ? normaliseRoles(input.roles) : parseRoles(row.roles);
    const active = input.active ?? row.active === 1;
    const remainingAdmins = db.get<{ count: number }>(
      sql`SELECT count(*) AS count FROM investigators WHERE active = 1 AND id != ${row.id} AND (',' || roles || ',') LIKE '%,admin,%'`,
    )?.count ?? 0;
    if ((!roles.includes('admin') || !active) && remainingAdmins === 0) throw conflict('the team must keep at least one active admin');
    db.run(sql`UPDATE investigators SET roles = ${roles.join(',')}, active = ${active ? 1 : 0} WHERE id = ${row.id}`);
    // Sessions carry what a person may do: a deactivated person or changed roles end them at once.
    const before = parseRoles(row.roles);
    const isRolesChanged = roles.length !== before.length || roles.some((role) => !before.includes(role));
    const sessionsEnded = !active && row.active === 1 ? endSessionsOf(db, row.id, 'deactivated', new Date(now())) : isRolesChanged ? endSessionsOf(db, row.id, 'roles-changed', new Date(now())) : 0;
    openHistory(db, now).append({
      actor: actor.name,
      action: 'investigator.changed',
      subjectType: 'investigator',
      subjectId: row.id,
      details: { name: row.name, roles, active, before: { roles: before, active: row.active === 1 }, sessionsEnded },
    });
    return toView(findInvestigator(db, row.name) as InvestigatorRow);
  });
}
