/**
 * Open requests per investigator, for the dashboard's load-balancing column. The request
 * queues (GAL nominations, delisting requests) are built by the queues feature: when they exist
 * this function counts their open items per assignee. Until then there is nothing to count,
 * which the dashboard shows as "no queue" rather than as zero.
 */
import type { ReadDb } from '../db/connection.js';

/** Open requests per investigator id, or null while this database has no request queue. */
export function openRequestsByInvestigator(db: ReadDb): ReadonlyMap<number, number> | null {
  void db;
  return null;
}
