/**
 * Settings live in the database as one JSON document per top-level key, validated by the
 * shared schema on every read and write; a bad value is refused and nothing changes.
 */
import { settingsSchema, type Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { invalidInput } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { requireActor } from '../investigators/investigators.js';

export function readSettings(db: ReadDb): Settings {
  const stored: Record<string, unknown> = {};
  for (const row of db.all<{ key: string; value: string }>(sql`SELECT key, value FROM settings`)) stored[row.key] = JSON.parse(row.value);
  return settingsSchema.parse(stored);
}

function mergeDeep(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    merged[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? mergeDeep(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys of `given` that parsing dropped: the schema strips unknown nested keys, which would lose a misspelt change without a word. */
function droppedKeys(given: unknown, kept: unknown, path: string): string[] {
  if (!isPlainObject(given) || !isPlainObject(kept)) return [];
  return Object.keys(given).flatMap((key) => (Object.hasOwn(kept, key) ? droppedKeys(given[key], kept[key], `${path}${key}.`) : [`${path}${key}`]));
}

/** Apply a deep partial update; unknown keys and invalid values are refused by name. */
export function updateSettings(db: WriteDb, actorName: string | null, patch: Record<string, unknown>, now: () => string): Settings {
  return db.transaction(() => {
    const actor = requireActor(db, actorName, 'admin');
    const known = Object.keys(settingsSchema.shape);
    const unknown = Object.keys(patch).filter((key) => !known.includes(key));
    if (unknown.length > 0) throw invalidInput(`unknown setting ${unknown.map((key) => JSON.stringify(key)).join(', ')} (known: ${known.join(', ')})`);
    const before = readSettings(db);
    const parsed = settingsSchema.strict().safeParse(mergeDeep(before as unknown as Record<string, unknown>, patch));
    if (!parsed.success) {
      const details = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw invalidInput(`invalid settings: ${details.join('; ')}`, details);
    }
    const dropped = droppedKeys(patch, parsed.data, '');
    if (dropped.length > 0) throw invalidInput(`unknown setting ${dropped.map((key) => JSON.stringify(key)).join(', ')}`);
    for (const key of Object.keys(patch)) {
      const value = JSON.stringify(parsed.data[key as keyof Settings]);
      db.run(sql`INSERT INTO settings (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    }
    openHistory(db, now).append({ actor: actor.name, action: 'settings.changed', subjectType: 'settings', subjectId: null, details: { patch } });
    return parsed.data;
  });
}
