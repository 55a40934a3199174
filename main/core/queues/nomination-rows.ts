/**
 * A nomination's MTA entries as the database holds them, read by the queue, the reviewer's
 * screen and the replies (the query-plan tests read the statement from here).
 */
import type { ReadDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';

/** A row of nomination_mtas. */
export interface MtaRow {
  ip: string;
  family: 4 | 6;
  key: Buffer;
  fqdn: string;
  domain: string;
  company: string;
  country: string;
  company_type: string;
  outcome: 'approved' | 'refused' | null;
  gal_listing_id: number | null;
}

/** A nomination's MTA entries in the order the nominee gave them. */
export function nominationMtasSql(nominationId: number): Sql {
  return sql`SELECT ip, family, key, fqdn, domain, company, country, company_type, outcome, gal_listing_id FROM nomination_mtas WHERE nomination_id = ${nominationId} ORDER BY position`;
}

export function nominationMtaRows(db: ReadDb, nominationId: number): MtaRow[] {
  return db.all<MtaRow>(nominationMtasSql(nominationId));
}

/** The addresses a nomination names, in its order. */
export function nominationIps(db: ReadDb, nominationId: number): string[] {
  return nominationMtaRows(db, nominationId).map((mta) => mta.ip);
}
