/** Saved views: named filters of the listings table, kept per investigator. */
import { queryToFilter, filterToQuery, listingFilterSchema, type SavedView } from '../../../shared/workbench.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { forbidden, invalidInput, notFound } from '../errors.js';
import { findActor } from '../investigators/investigators.js';
import { openHistory } from '../audit/history.js';

function actorId(db: ReadDb, actorName: string | null): { id: number; name: string } {
  const actor = findActor(db, actorName);
  if (!actor) throw forbidden('saved views belong to an investigator: say who you are (--actor NAME or REPDESK_ACTOR)');
  return actor;
}

export function listViews(db: ReadDb, actorName: string | null): SavedView[] {
  const actor = findActor(db, actorName);
  if (!actor) return [];
  return db
    .all<{ name: string; query: string; updated_at: string }>(sql`SELECT name, query, updated_at FROM saved_views WHERE investigator_id = ${actor.id} ORDER BY name`)
    .map((row) => ({ name: row.name, query: row.query, updatedAt: row.updated_at }));
}

/** Save (or replace) a view. The query must be a valid filter; it is stored in its canonical form. */
export function saveView(db: WriteDb, actorName: string | null, input: { name: string; query: string }, now: () => string): SavedView {
  const params = new URLSearchParams(input.query);
  const known = new Set(['sort', ...Object.keys(queryToFilter(input.query))]);
  const unknown = [...params.keys()].filter((key) => !known.has(key) && params.get(key) !== '');
  if (unknown.length > 0) throw invalidInput(`query: unknown filter ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
  const filter = queryToFilter(input.query);
  const parsed = listingFilterSchema.safeParse(filter);
  if (!parsed.success) throw invalidInput(`query: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const sort = params.get('sort');
  const query = [filterToQuery(filter), sort ? `sort=${encodeURIComponent(sort)}` : ''].filter((part) => part !== '').join('&');
  return db.transaction(() => {
    const actor = actorId(db, actorName);
    const at = now();
    db.run(sql`INSERT INTO saved_views (investigator_id, name, query, created_at, updated_at) VALUES (${actor.id}, ${input.name}, ${query}, ${at}, ${at})
      ON CONFLICT (investigator_id, name) DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at`);
    openHistory(db, now).append({ actor: actor.name, action: 'view.saved', subjectType: 'investigator', subjectId: actor.id, details: { name: input.name, query } });
    return { name: input.name, query, updatedAt: at };
  });
}

export function deleteView(db: WriteDb, actorName: string | null, name: string, now: () => string): { deleted: string } {
  return db.transaction(() => {
    const actor = actorId(db, actorName);
    const result = db.run(sql`DELETE FROM saved_views WHERE investigator_id = ${actor.id} AND name = ${name}`);
    if (result.changes === 0) throw notFound(`you have no saved view named ${JSON.stringify(name)}`);
    openHistory(db, now).append({ actor: actor.name, action: 'view.deleted', subjectType: 'investigator', subjectId: actor.id, details: { name } });
    return { deleted: name };
  });
}
