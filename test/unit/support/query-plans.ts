/** A fresh, migrated database file and EXPLAIN QUERY PLAN over it, for the query-plan tests. */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../main/core/db/connection.js';

/** Open a migrated database (removed after the test file) and return its plan reader: the details joined by ' | '. */
export function planReader(): (text: string, values?: unknown[]) => string {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-plans-'));
  const connection = openDatabase(join(folder, 'plans.sqlite'));
  after(() => {
    connection.close();
    rmSync(folder, { recursive: true, force: true });
  });
  return (text, values = []) =>
    connection.read
      .all<{ detail: string }>({ text: `EXPLAIN QUERY PLAN ${text}`, values })
      .map((row) => row.detail)
      .join(' | ');
}
