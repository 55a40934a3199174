/**
 * Open requests per investigator, for the dashboard's load-balancing table: GAL nominations and
 * delisting requests still undecided, by assignee (indexed by assignee and status).
 */
import { OPEN_DELISTING_STATUSES, OPEN_NOMINATION_STATUSES } from '../../../shared/queues.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';

export function openRequestsByInvestigator(db: ReadDb): ReadonlyMap<number, number> {
  const counts = new Map<number, number>();
  const add = (rows: ReadonlyArray<{ assignee: number; count: number }>) => {
    for (const row of rows) counts.set(row.assignee, (counts.get(row.assignee) ?? 0) + row.count);
  };
  add(
    db.all<{ assignee: number; count: number }>(
      sql`SELECT assignee_id AS assignee, count(*) AS count FROM nominations
          WHERE assignee_id IS NOT NULL AND status IN (SELECT value FROM json_each(${JSON.stringify(OPEN_NOMINATION_STATUSES)})) GROUP BY assignee_id`,
    ),
  );
  add(
    db.all<{ assignee: number; count: number }>(
      sql`SELECT assignee_id AS assignee, count(*) AS count FROM delisting_requests
          WHERE assignee_id IS NOT NULL AND status IN (SELECT value FROM json_each(${JSON.stringify(OPEN_DELISTING_STATUSES)})) GROUP BY assignee_id`,
    ),
  );
  return counts;
}
