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
    database.transaction(() => {
      database.exec(migration.sql);
      database.pragma(`user_version = ${migration.version}`);
    }).immediate();
    log.info(`applied migration ${migration.version} ${migration.name}`);
  }
}
