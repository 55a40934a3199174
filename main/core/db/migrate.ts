/**
 * Schema migrations: numbered files applied in order, each in one transaction with
 * `PRAGMA user_version` set to its number. A database from a newer RepDesk is refused.
 */
import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';
import { createLogger } from '../log.js';

const log = createLogger('migrate');

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(database: Database.Database): void {
  const current = database.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`this database has schema version ${current}, newer than this RepDesk understands (${SCHEMA_VERSION}); use a newer RepDesk`);
  }
  for (const migration of MIGRATIONS.slice(current)) {
    // PRAGMA foreign_keys has no effect inside a transaction: a rebuild turns it off around it.
    if (migration.rebuildsTables) database.pragma('foreign_keys = OFF');
    try {
      database.transaction(() => {
        database.exec(migration.sql);
        if (migration.rebuildsTables) {
          const broken = database.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${migration.version} ${migration.name} would leave ${broken.length} broken reference${broken.length === 1 ? '' : 's'}; nothing was changed`);
        }
        database.pragma(`user_version = ${migration.version}`);
      }).immediate();
    } finally {
      if (migration.rebuildsTables) database.pragma('foreign_keys = ON');
    }
    log.info(`applied migration ${migration.version} ${migration.name}`);
  }
}
