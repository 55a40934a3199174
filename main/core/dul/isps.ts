/**
 * The ISP registry: the ISPs whose dynamic ranges the DUL lists, their ASNs, country,
 * contacts on both sides and notes. Changes need the liaison role and go into the history.
 */
import { readAddressKeyHex, formatRange } from '../../../shared/address.js';
import type { IspDetail, IspRangeView, IspView, SubmissionView } from '../../../shared/dul.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { conflict, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { requireActor } from '../investigators/investigators.js';

interface IspRow {
  id: number;
  name: string;
  country: string | null;
  asns: string;
  liaison_contacts: string;
  isp_contacts: string;
  notes: string | null;
  created_at: string;
  updated_at: string;
}

interface SubmissionRow {
  id: number;
  isp: string;
  mode: 'replace' | 'add';
  source: string;
  submitted_by: string | null;
  received_at: string;
  effective_at: string | null;
  valid_until: string | null;
  policy_notes: string | null;
  investigator: string;
  added: number;
  removed: number;
  unchanged: number;
  created_at: string;
  reverted_at: string | null;
  reverted_by: string | null;
  active: number;
}

/** Active DUL listings of one ISP (by its submissions). */
function activeRangeCount(db: ReadDb, ispId: number): number {
  return (
    db.get<{ count: number }>(activeRangeCountSql(ispId))?.count ?? 0
  );
}

function toIspView(db: ReadDb, row: IspRow): IspView {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    asns: JSON.parse(row.asns) as number[],
    liaisonContacts: JSON.parse(row.liaison_contacts) as string[],
    ispContacts: JSON.parse(row.isp_contacts) as string[],
    notes: row.notes,
    activeRanges: activeRangeCount(db, row.id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The ISP named `name` (any case), or a not-found error that says how to add it. */
export function findIsp(db: ReadDb, name: string): IspRow {
  const row = db.get<IspRow>(sql`SELECT * FROM isps WHERE name = ${name.trim()}`);
  if (!row) throw notFound(`no ISP named ${JSON.stringify(name)}; add it first (repdesk isp add NAME)`);
  return row;
}

/** Every ISP, by name. */
export function listIsps(db: ReadDb): IspView[] {
  return db.all<IspRow>(sql`SELECT * FROM isps ORDER BY name`).map((row) => toIspView(db, row));
}

/** Add an ISP to the registry. */
export function addIsp(
  db: WriteDb,
  actorName: string | null,
  input: { name: string; asns: readonly number[]; country?: string; liaisonContacts: readonly string[]; ispContacts: readonly string[]; notes?: string },
  now: () => string,
): IspView {
  return db.transaction(() => {
    const actor = requireActor(db, actorName, 'liaison');
    const existing = db.get<{ name: string }>(sql`SELECT name FROM isps WHERE name = ${input.name}`);
    if (existing) throw conflict(`an ISP named ${existing.name} is already in the registry`);
    const at = now();
    const asns = JSON.stringify([...new Set(input.asns)].sort((a, b) => a - b));
    const id = Number(
      db.run(sql`INSERT INTO isps (name, country, asns, liaison_contacts, isp_contacts, notes, created_at, updated_at)
        VALUES (${input.name}, ${input.country ?? null}, ${asns}, ${JSON.stringify(input.liaisonContacts)}, ${JSON.stringify(input.ispContacts)}, ${input.notes ?? null}, ${at}, ${at})`)
        .lastInsertRowid,
    );
    openHistory(db, () => at).append({ actor: actor.name, action: 'isp.created', subjectType: 'isp', subjectId: id, details: { ...input } });
    return toIspView(db, db.get<IspRow>(sql`SELECT * FROM isps WHERE id = ${id}`) as IspRow);
  });
}

/** Change an ISP's record: each field given replaces the stored one. */
export function updateIsp(
  db: WriteDb,
  actorName: string | null,
  input: {
    name: string;
    rename?: string;
    asns?: readonly number[];
    country?: string | null;
    liaisonContacts?: readonly string[];
    ispContacts?: readonly string[];
    notes?: string | null;
  },
  now: () => string,
): IspView {
  return db.transaction(() => {
    const actor = requireActor(db, actorName, 'liaison');
    const row = findIsp(db, input.name);
    if (input.rename !== undefined && input.rename.toLowerCase() !== row.name.toLowerCase()) {
      const taken = db.get<{ name: string }>(sql`SELECT name FROM isps WHERE name = ${input.rename}`);
      if (taken) throw conflict(`an ISP named ${taken.name} is already in the registry`);
    }
    const at = now();
    const next = {
      name: input.rename ?? row.name,
      country: input.country === undefined ? row.country : input.country,
      asns: input.asns === undefined ? row.asns : JSON.stringify([...new Set(input.asns)].sort((a, b) => a - b)),
      liaison: input.liaisonContacts === undefined ? row.liaison_contacts : JSON.stringify(input.liaisonContacts),
      isp: input.ispContacts === undefined ? row.isp_contacts : JSON.stringify(input.ispContacts),
      notes: input.notes === undefined ? row.notes : input.notes,
    };
    db.run(sql`UPDATE isps SET name = ${next.name}, country = ${next.country}, asns = ${next.asns}, liaison_contacts = ${next.liaison},
      isp_contacts = ${next.isp}, notes = ${next.notes}, updated_at = ${at} WHERE id = ${row.id}`);
    const { name: _name, ...changes } = input;
    openHistory(db, () => at).append({ actor: actor.name, action: 'isp.updated', subjectType: 'isp', subjectId: row.id, details: { isp: row.name, ...changes } });
    return toIspView(db, db.get<IspRow>(sql`SELECT * FROM isps WHERE id = ${row.id}`) as IspRow);
  });
}

const SUBMISSION_SELECT = sql`SELECT s.id, i.name AS isp, s.mode, s.source, s.submitted_by, s.received_at, s.effective_at, s.valid_until, s.policy_notes,
    v.name AS investigator, s.added, s.removed, s.unchanged, s.created_at, s.reverted_at, r.name AS reverted_by,
    (SELECT count(*) FROM listings l WHERE l.submission_id = s.id AND l.status = 'active') AS active
  FROM dul_submissions s JOIN isps i ON i.id = s.isp_id JOIN investigators v ON v.id = s.investigator_id LEFT JOIN investigators r ON r.id = s.reverted_by`;

function exclusionsOf(db: ReadDb, submissionId: number): string[] {
  return db
    .all<{ first: string; last: string }>(exclusionsSql(submissionId))
    .map((row) => {
      const first = readAddressKeyHex(row.first);
      return formatRange({ family: first.family, first: first.value, last: readAddressKeyHex(row.last).value });
    });
}

function toSubmissionView(db: ReadDb, row: SubmissionRow): SubmissionView {
  return {
    id: row.id,
    isp: row.isp,
    mode: row.mode,
    source: row.source,
    submittedBy: row.submitted_by,
    receivedAt: row.received_at,
    effectiveAt: row.effective_at,
    validUntil: row.valid_until,
    exclusions: exclusionsOf(db, row.id),
    policyNotes: row.policy_notes,
    investigator: row.investigator,
    added: row.added,
    removed: row.removed,
    unchanged: row.unchanged,
    createdAt: row.created_at,
    revertedAt: row.reverted_at,
    revertedBy: row.reverted_by,
    activeRanges: row.active,
  };
}

/** One submission. */
export function getSubmission(db: ReadDb, id: number): SubmissionView {
  const row = db.get<SubmissionRow>(sql`${SUBMISSION_SELECT} WHERE s.id = ${id}`);
  if (!row) throw notFound(`no DUL submission #${id}`);
  return toSubmissionView(db, row);
}

/** An ISP's active DUL ranges in listing-id order, keyset-paged. */
export function ispRanges(db: ReadDb, name: string, afterId: number, limit: number): { total: number; ranges: IspRangeView[] } {
  const isp = findIsp(db, name);
  const rows = db.all<{ id: number; first: string; last: string; submission_id: number; expires_at: string | null; note: string | null }>(
    ispRangesSql(isp.id, afterId, limit),
  );
  const ranges = rows.map((row) => {
    const first = readAddressKeyHex(row.first);
    return {
      listingId: row.id,
      range: formatRange({ family: first.family, first: first.value, last: readAddressKeyHex(row.last).value }),
      submissionId: row.submission_id,
      validUntil: row.expires_at,
      policyNote: row.note,
    };
  });
  return { total: activeRangeCount(db, isp.id), ranges };
}

/** An ISP's page: its record, its submissions newest first, and its first active ranges. */
export function getIsp(db: ReadDb, name: string, rangeLimit = 100): IspDetail {
  const row = findIsp(db, name);
  const submissions = db.all<SubmissionRow>(sql`${SUBMISSION_SELECT} WHERE s.isp_id = ${row.id} ORDER BY s.id DESC`).map((submission) => toSubmissionView(db, submission));
  return { isp: toIspView(db, row), submissions, ranges: ispRanges(db, row.name, 0, rangeLimit).ranges };
}

/** How many active DUL listings an ISP has (by its submissions). */
export function activeRangeCountSql(ispId: number): Sql {
  return sql`SELECT count(*) AS count FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active' WHERE s.isp_id = ${ispId}`;
}

/** A submission's exclusions in address order. */
export function exclusionsSql(submissionId: number): Sql {
  return sql`SELECT hex(first) AS first, hex(last) AS last FROM dul_exclusions WHERE submission_id = ${submissionId} ORDER BY family, first`;
}

/** A page of an ISP's active DUL ranges with their notes, in listing-id order after `afterId`. */
export function ispRangesSql(ispId: number, afterId: number, limit: number): Sql {
  return sql`SELECT l.id, hex(l.first) AS first, hex(l.last) AS last, l.submission_id, l.expires_at, n.note
        FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active' LEFT JOIN dul_range_notes n ON n.listing_id = l.id
        WHERE s.isp_id = ${ispId} AND l.id > ${afterId} ORDER BY l.id LIMIT ${limit}`;
}
