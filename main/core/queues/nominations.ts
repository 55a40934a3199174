/**
 * GAL nominations: intake (the in-app form and a bundle file: JSON with the contact and the
 * MTA and HELO entries, inline or as the two CSV templates), the queue, the investigation aids
 * computed when a nomination is opened, and the reviewer's decision. Approval makes GAL
 * listings linked back to the nomination; an IP on a blocklist must first be resolved by the
 * reviewer (delist the blocking listings, or refuse that IP).
 */
import { basename } from 'node:path';
import {
  AGE_BUCKET_HOURS,
  CSV_TEMPLATES,
  HELO_CSV_COLUMNS,
  MTA_CSV_COLUMNS,
  NOMINATION_STATUSES,
  OPEN_NOMINATION_STATUSES,
  nominationContactSchema,
  type MtaAids,
  type NominationAddInput,
  type NominationContact,
  type NominationDecisionInput,
  type NominationMtaInput,
  type NominationMtaView,
  type NominationStatus,
  type NominationSummaryView,
  type NominationView,
  type QueueFilter,
  type QueuePage,
} from '../../../shared/queues.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { joinSql, sql, type Sql } from '../db/sql.js';
import { AppError, conflict, invalidInput, notFound } from '../errors.js';
import { historyOf, openHistory } from '../audit/history.js';
import { requireActor } from '../investigators/investigators.js';
import { readJsonFile, readRecords } from '../io/records.js';
import type { InputFile } from '../io/files.js';
import { plainFileNameProblem, quoteCell } from '../../../shared/files.js';
import { addListing, findListing } from '../listings/listings.js';
import { delist, listingWriter } from '../listings/changes.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { computeAids } from './aids.js';
import { replyToNomination } from './correspondence.js';
import { draftNominationReply } from './replies.js';
import { mailText } from '../evidence/compose.js';
import {
  addHours,
  ageHours,
  checkHostName,
  coveringListings,
  nameOf,
  parseReceived,
  parseSingleAddress,
  requireAnyRole,
  textProblem,
  type SingleAddress,
} from './common.js';

const MAX_PROBLEMS = 50;
const INTAKE_ROLES = ['investigator', 'reviewer'] as const;

interface NominationRow {
  id: number;
  status: NominationStatus;
  assignee_id: number | null;
  contact_email: string;
  contact_first: string;
  contact_last: string;
  source: string;
  received_at: string;
  due_at: string;
  decision: string | null;
  decided_at: string | null;
  decided_by: number | null;
  decision_reason: string | null;
  reply: string | null;
  aids: string | null;
  aids_at: string | null;
  thread_id: number | null;
}

interface MtaRow {
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

/** Problems found in entries, each naming where (line or position). */
class Problems {
  readonly items: string[] = [];
  count = 0;
  add(where: string, message: string): void {
    this.count += 1;
    if (this.items.length < MAX_PROBLEMS) this.items.push(`${where}: ${message}`);
  }
  throwIfAny(what: string): void {
    if (this.count === 0) return;
    const more = this.count > this.items.length ? ` (showing the first ${this.items.length})` : '';
    throw invalidInput(`${what}: ${this.count} problem${this.count === 1 ? '' : 's'}${more}; nothing was imported`, this.items);
  }
}

interface CheckedMta extends NominationMtaInput {
  readonly address: SingleAddress;
}

/** Check one MTA entry; problems go to `problems` under `where`. */
function checkMta(mta: NominationMtaInput, where: string, problems: Problems): CheckedMta | null {
  let isGood = true;
  const report = (message: string | null) => {
    if (message === null) return;
    problems.add(where, message);
    isGood = false;
  };
  const parsed = parseSingleAddress(mta.ip);
  if (!parsed.ok) report(`ip: ${parsed.error}`);
  report(checkHostName(mta.fqdn, 'fqdn'));
  report(checkHostName(mta.domain, 'email domain'));
  const cells: Array<[string, string]> = [
    ['company', mta.company],
    ['country/region', mta.country],
    ['type of company', mta.companyType],
  ];
  for (const [what, value] of cells) {
    if (value.trim() === '') report(`${what} is empty`);
    else report(textProblem(value, what));
  }
  if (!isGood || !parsed.ok) return null;
  return { ...mta, ip: parsed.value.ip, fqdn: mta.fqdn.trim().replace(/\.$/, '').toLowerCase(), domain: mta.domain.trim().replace(/\.$/, '').toLowerCase(), address: parsed.value };
}

function checkHelo(helo: string, where: string, problems: Problems): string | null {
  const text = helo.trim();
  if (text === '') {
    problems.add(where, 'the HELO string is empty');
    return null;
  }
  const literal = /^\[(.+)\]$/.exec(text);
  if (literal) {
    const parsed = parseSingleAddress(literal[1].replace(/^IPv6:/i, ''));
    if (!parsed.ok) {
      problems.add(where, `HELO address literal ${text}: ${parsed.error}`);
      return null;
    }
    return text;
  }
  const problem = checkHostName(text, 'HELO') ?? textProblem(text, 'HELO');
  if (problem) {
    problems.add(where, problem);
    return null;
  }
  return text.replace(/\.$/, '').toLowerCase();
}

/** Check every entry; duplicates are reported where they repeat. Throws with all problems, or returns the clean entries. */
function checkEntries(
  mtas: ReadonlyArray<{ where: string; mta: NominationMtaInput }>,
  helos: ReadonlyArray<{ where: string; helo: string }>,
  contact: NominationContact,
  settings: Settings,
  what: string,
  problems: Problems = new Problems(),
): { mtas: CheckedMta[]; helos: string[] } {
  const contactProblems = [
    /^[^\s@]+@[^\s@]+$/.test(contact.email.trim()) ? checkHostName(contact.email.trim().split('@')[1], 'contact email domain') : `contact email ${JSON.stringify(contact.email)} is not an email address`,
    textProblem(contact.firstName, 'first name'),
    textProblem(contact.lastName, 'last name'),
  ];
  for (const message of contactProblems) if (message) problems.add('contact', message);
  const max = settings.queues.maxNominationEntries;
  if (mtas.length === 0 && problems.count === 0) problems.add('MTAs', 'a nomination names at least one MTA');
  if (mtas.length > max) problems.add('MTAs', `${mtas.length} entries; a nomination takes at most ${max} (setting queues.maxNominationEntries)`);
  if (helos.length > max) problems.add('HELO strings', `${helos.length} entries; a nomination takes at most ${max} (setting queues.maxNominationEntries)`);
  if (problems.count > 0 && (mtas.length > max || helos.length > max)) problems.throwIfAny(what);
  const seen = new Map<string, string>();
  const checked: CheckedMta[] = [];
  for (const { where, mta } of mtas) {
    const good = checkMta(mta, where, problems);
    if (!good) continue;
    const earlier = seen.get(good.address.ip);
    if (earlier !== undefined) {
      problems.add(where, `${good.address.ip} is a duplicate of ${earlier}`);
      continue;
    }
    seen.set(good.address.ip, where);
    checked.push(good);
  }
  const seenHelos = new Map<string, string>();
  const checkedHelos: string[] = [];
  for (const { where, helo } of helos) {
    const good = checkHelo(helo, where, problems);
    if (good === null) continue;
    const earlier = seenHelos.get(good);
    if (earlier !== undefined) {
      problems.add(where, `HELO ${good} is a duplicate of ${earlier}`);
      continue;
    }
    seenHelos.set(good, where);
    checkedHelos.push(good);
  }
  problems.throwIfAny(what);
  return { mtas: checked, helos: checkedHelos };
}

function storeNomination(
  db: WriteDb,
  actorName: string | null,
  entries: { mtas: CheckedMta[]; helos: string[] },
  contact: NominationContact,
  receivedAt: string,
  source: string,
  settings: Settings,
  now: Date,
): number {
  return db.transaction(() => {
    const actor = requireAnyRole(db, actorName, INTAKE_ROLES);
    const at = now.toISOString();
    const id = Number(
      db.run(sql`INSERT INTO nominations (status, contact_email, contact_first, contact_last, source, received_at, due_at, created_at, created_by, updated_at)
        VALUES ('new', ${contact.email.trim()}, ${contact.firstName.trim()}, ${contact.lastName.trim()}, ${source}, ${receivedAt},
          ${addHours(receivedAt, settings.queues.nominationDueHours)}, ${at}, ${actor.id}, ${at})`).lastInsertRowid,
    );
    const insertMta = db.prepare(
      'INSERT INTO nomination_mtas (nomination_id, position, ip, family, key, fqdn, domain, company, country, company_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    entries.mtas.forEach((mta, position) =>
      insertMta.run(id, position, mta.address.ip, mta.address.family, mta.address.key, mta.fqdn, mta.domain, mta.company.trim(), mta.country.trim(), mta.companyType.trim()),
    );
    const insertHelo = db.prepare('INSERT INTO nomination_helos (nomination_id, position, helo) VALUES (?, ?, ?)');
    entries.helos.forEach((helo, position) => insertHelo.run(id, position, helo));
    openHistory(db, () => at).append({
      actor: actor.name,
      action: 'nomination.received',
      subjectType: 'nomination',
      subjectId: id,
      details: { source, receivedAt, ips: entries.mtas.map((mta) => mta.address.ip), helos: entries.helos.length, contact: contact.email.trim() },
    });
    return id;
  });
}

/** The in-app form. */
export function addNomination(db: WriteDb, actorName: string | null, input: NominationAddInput, settings: Settings, now: Date): NominationView {
  requireAnyRole(db, actorName, INTAKE_ROLES);
  const problems = new Problems();
  const received = parseReceived(input.received, now);
  if (!received.ok) problems.add('received', received.error);
  const entries = checkEntries(
    input.mtas.map((mta, position) => ({ where: `MTA ${position + 1}`, mta })),
    input.helos.filter((helo) => helo.trim() !== '').map((helo, position) => ({ where: `HELO ${position + 1}`, helo })),
    input.contact,
    settings,
    'the nomination',
    problems,
  );
  const id = storeNomination(db, actorName, entries, input.contact, received.ok ? received.value : '', 'form', settings, now);
  return getNomination(db, id, settings, now);
}

/** Check a CSV header against a template's columns: missing, extra and reordered columns are named. */
function checkHeader(fields: readonly string[], columns: readonly string[], file: string): void {
  const given = fields.map((field) => field.trim().toLowerCase());
  const missing = columns.filter((column) => !given.includes(column));
  const extra = given.filter((column) => !columns.includes(column));
  const template = columns.join(',');
  if (missing.length > 0 || extra.length > 0) {
    const parts = [missing.length > 0 ? `missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}` : null, extra.length > 0 ? `unexpected column${extra.length === 1 ? '' : 's'} ${extra.map(quoteCell).join(', ')}` : null].filter(Boolean);
    throw invalidInput(`${file}: line 1: the header ${parts.join('; ')} (the template's header is: ${template})`);
  }
  if (given.join(',') !== template) throw invalidInput(`${file}: line 1: the columns are in the wrong order: found ${given.join(',')}, the template has ${template}`);
}

/** Rows of a CSV that follows a template (header first); rows with the wrong number of cells are problems. */
async function readTemplateCsv(input: InputFile, columns: readonly string[], settings: Settings, problems: Problems): Promise<Array<{ line: number; fields: readonly string[] }>> {
  const file = basename(input.name);
  const rows: Array<{ line: number; fields: readonly string[] }> = [];
  let isHeader = true;
  for await (const record of readRecords(input, { maxBytes: settings.import.maxFileBytes, format: 'csv' })) {
    if (isHeader) {
      checkHeader(record.fields, columns, file);
      isHeader = false;
      continue;
    }
    if (record.fields.length !== columns.length) {
      problems.add(`${file} line ${record.line}`, `${record.fields.length} cells where the template has ${columns.length} (${columns.join(',')})`);
      continue;
    }
    rows.push({ line: record.line, fields: record.fields });
  }
  if (isHeader) throw invalidInput(`${file} has no header line (the template's header is: ${columns.join(',')})`);
  return rows;
}

const BUNDLE_KEYS = ['contact', 'received', 'mtas', 'helos'];
/** Largest bundle file: its entries are in its CSV files, or a list of at most 1,000 MTAs. */
const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;

/**
 * `repdesk nominations import BUNDLE.json`: `{ contact: {email, firstName, lastName}, received?,
 * mtas: [..] | "mtas.csv", helos?: [..] | "helos.csv" }`. The CSV files are named by plain file
 * names (never paths: `..`, folders and absolute paths are refused), and `namedFile` finds them:
 * sent with the bundle, or in the bundle's own folder. Every problem in any part is reported;
 * nothing is stored unless all of it is good.
 */
export async function importNominationBundle(
  db: WriteDb,
  actorName: string | null,
  input: InputFile,
  namedFile: (name: string) => InputFile | null,
  settings: Settings,
  now: Date,
): Promise<NominationView> {
  requireAnyRole(db, actorName, INTAKE_ROLES);
  // A bundle is a few kilobytes; its CSV files carry the entries.
  const bundle = await readJsonFile(input, Math.min(settings.import.maxFileBytes, MAX_BUNDLE_BYTES));
  const file = basename(input.name);
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle)) throw invalidInput(`${file}: a nomination bundle is a JSON object with contact, mtas and helos`);
  const unknownKeys = Object.keys(bundle).filter((key) => !BUNDLE_KEYS.includes(key));
  if (unknownKeys.length > 0) throw invalidInput(`${file}: unknown key${unknownKeys.length === 1 ? '' : 's'} ${unknownKeys.join(', ')} (a bundle has ${BUNDLE_KEYS.join(', ')})`);
  const record = bundle as Record<string, unknown>;
  const problems = new Problems();
  const contact = nominationContactSchema.safeParse(record.contact);
  if (!contact.success) for (const issue of contact.error.issues) problems.add(`${file} contact${issue.path.length ? `.${issue.path.join('.')}` : ''}`, issue.message);
  const received = parseReceived(typeof record.received === 'string' ? record.received : undefined, now);
  if (!received.ok) problems.add(`${file} received`, received.error);
  const csvFile = (key: 'mtas' | 'helos', name: string): InputFile | null => {
    const problem = plainFileNameProblem(name);
    if (problem !== null) {
      problems.add(`${file} ${key}`, `${quoteCell(name)}: ${problem} (a bundle names its CSV files by plain file names, in the bundle's own folder)`);
      return null;
    }
    const found = namedFile(name);
    if (found === null) problems.add(`${file} ${key}`, `${quoteCell(name)} was not sent with the bundle: send it too, under that name`);
    return found;
  };

  const mtas: Array<{ where: string; mta: NominationMtaInput }> = [];
  if (typeof record.mtas === 'string') {
    const csv = csvFile('mtas', record.mtas);
    if (csv !== null) {
      for (const row of await readTemplateCsv(csv, MTA_CSV_COLUMNS, settings, problems)) {
        const [ip, fqdn, domain, company, country, companyType] = row.fields;
        mtas.push({ where: `${basename(csv.name)} line ${row.line}`, mta: { ip, fqdn, domain, company, country, companyType } });
      }
    }
  } else if (Array.isArray(record.mtas)) {
    record.mtas.forEach((entry, position) => {
      const where = `${file} mtas[${position}]`;
      const value = entry as Record<string, unknown> | null;
      const fields = ['ip', 'fqdn', 'domain', 'company', 'country', 'companyType'] as const;
      if (typeof value !== 'object' || value === null || fields.some((field) => typeof value[field] !== 'string')) {
        problems.add(where, `an MTA is an object with ${fields.join(', ')} (all text)`);
        return;
      }
      mtas.push({ where, mta: { ip: value.ip as string, fqdn: value.fqdn as string, domain: value.domain as string, company: value.company as string, country: value.country as string, companyType: value.companyType as string } });
    });
  } else {
    problems.add(file, 'mtas is required: a list of MTA entries or the name of the MTA CSV file');
  }

  const helos: Array<{ where: string; helo: string }> = [];
  if (typeof record.helos === 'string') {
    const csv = csvFile('helos', record.helos);
    if (csv !== null) for (const row of await readTemplateCsv(csv, HELO_CSV_COLUMNS, settings, problems)) helos.push({ where: `${basename(csv.name)} line ${row.line}`, helo: row.fields[0] });
  } else if (Array.isArray(record.helos)) {
    record.helos.forEach((helo, position) => {
      if (typeof helo !== 'string') problems.add(`${file} helos[${position}]`, 'a HELO string is text');
      else helos.push({ where: `${file} helos[${position}]`, helo });
    });
  } else if (record.helos !== undefined) {
    problems.add(file, 'helos is a list of HELO strings or the name of the HELO CSV file');
  }

  const safeContact: NominationContact = contact.success ? contact.data : { email: 'unknown@invalid.example', firstName: '-', lastName: '-' };
  const entries = checkEntries(mtas, helos, safeContact, settings, file, problems);
  if (!contact.success || !received.ok) problems.throwIfAny(file);
  const id = storeNomination(db, actorName, entries, safeContact, received.ok ? received.value : '', `import: ${file}`, settings, now);
  return getNomination(db, id, settings, now);
}

function mtaRows(db: ReadDb, id: number): MtaRow[] {
  return db.all<MtaRow>(sql`SELECT ip, family, key, fqdn, domain, company, country, company_type, outcome, gal_listing_id FROM nomination_mtas WHERE nomination_id = ${id} ORDER BY position`);
}

function toMtaView(row: MtaRow): NominationMtaView {
  return { ip: row.ip, fqdn: row.fqdn, domain: row.domain, company: row.company, country: row.country, companyType: row.company_type, outcome: row.outcome, galListingId: row.gal_listing_id };
}

function isOpen(status: NominationStatus): boolean {
  return OPEN_NOMINATION_STATUSES.includes(status);
}

function toSummary(db: ReadDb, row: NominationRow, now: Date): NominationSummaryView {
  const mtas = mtaRows(db, row.id);
  const galListingIds = mtas.flatMap((mta) => (mta.gal_listing_id === null ? [] : [mta.gal_listing_id]));
  const checked = row.aids === null ? [] : (JSON.parse(row.aids) as MtaAids[]);
  return {
    id: row.id,
    status: row.status,
    assignee: nameOf(db, row.assignee_id),
    contact: { email: row.contact_email, firstName: row.contact_first, lastName: row.contact_last },
    ips: mtas.map((mta) => mta.ip),
    mtaCount: mtas.length,
    receivedAt: row.received_at,
    dueAt: row.due_at,
    ageHours: ageHours(row.received_at, now),
    isOverdue: isOpen(row.status) && row.due_at < now.toISOString(),
    galListingIds,
    listingIds: [...new Set([...galListingIds, ...checked.flatMap((aids) => aids.listed.listings.map((listing) => listing.id))])].sort((a, b) => a - b),
  };
}

function findNomination(db: ReadDb, id: number): NominationRow {
  const row = db.get<NominationRow>(sql`SELECT * FROM nominations WHERE id = ${id}`);
  if (!row) throw notFound(`no nomination #${id}`);
  return row;
}

export function getNomination(db: ReadDb, id: number, _settings: Settings, now: Date): NominationView {
  const row = findNomination(db, id);
  const summary = toSummary(db, row, now);
  const helos = db.all<{ helo: string }>(sql`SELECT helo FROM nomination_helos WHERE nomination_id = ${id} ORDER BY position`).map((helo) => helo.helo);
  return {
    ...summary,
    source: row.source,
    mtas: mtaRows(db, id).map(toMtaView),
    helos,
    aids: row.aids === null ? null : (JSON.parse(row.aids) as MtaAids[]),
    aidsAt: row.aids_at,
    decision:
      row.decision === null || row.decided_at === null
        ? null
        : { kind: row.decision, at: row.decided_at, by: nameOf(db, row.decided_by) ?? '', why: row.decision_reason ?? '', reply: row.reply ?? '' },
    history: historyOf(db, 'nomination', id),
    threadId: row.thread_id,
  };
}

/** Filters shared by the list and the count. */
export function queueWhere(db: ReadDb, filter: QueueFilter, actorName: string | null, now: Date, statuses: readonly string[], open: readonly string[]): Sql {
  const clauses: Sql[] = [sql`1 = 1`];
  if (filter.status !== undefined && filter.status !== '') {
    if (filter.status === 'open') clauses.push(sql`status IN (SELECT value FROM json_each(${JSON.stringify(open)}))`);
    else if (!statuses.includes(filter.status)) throw invalidInput(`status ${JSON.stringify(filter.status)} is not one of open, ${statuses.join(', ')}`);
    else clauses.push(sql`status = ${filter.status}`);
  }
  if (filter.assignee !== undefined && filter.assignee !== '') {
    if (filter.assignee === 'none') clauses.push(sql`assignee_id IS NULL`);
    else {
      const name = filter.assignee === 'me' ? actorName : filter.assignee;
      if (!name) throw invalidInput('assignee "me" needs a signed-in investigator');
      const person = db.get<{ id: number }>(sql`SELECT id FROM investigators WHERE name = ${name}`);
      if (!person) throw invalidInput(`no investigator named ${JSON.stringify(name)}`);
      clauses.push(sql`assignee_id = ${person.id}`);
    }
  }
  const openOnly = sql`status IN (SELECT value FROM json_each(${JSON.stringify(open)}))`;
  if (filter.age === 'overdue') clauses.push(sql`due_at < ${now.toISOString()} AND ${openOnly}`);
  else if (filter.age !== undefined) {
    // The same buckets as the summary: received more than `from` and at most `to` hours ago.
    const [from, to] = AGE_BUCKET_HOURS[filter.age];
    const at = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
    clauses.push(sql`received_at <= ${at(from)} AND ${openOnly}`);
    if (Number.isFinite(to)) clauses.push(sql`received_at > ${at(to)}`);
  }
  return joinSql(clauses, ' AND ');
}

export function listNominations(db: ReadDb, filter: QueueFilter, actorName: string | null, now: Date): QueuePage<NominationSummaryView> {
  const where = queueWhere(db, filter, actorName, now, NOMINATION_STATUSES, OPEN_NOMINATION_STATUSES);
  const total = db.get<{ count: number }>(sql`SELECT count(*) AS count FROM nominations WHERE ${where}`)?.count ?? 0;
  const rows = db.all<NominationRow>(sql`SELECT * FROM nominations WHERE ${where} AND id > ${filter.afterId} ORDER BY id LIMIT ${filter.limit}`);
  return { total, items: rows.map((row) => toSummary(db, row, now)) };
}

/**
 * Open a nomination: compute and store its investigation aids (any signed-in investigator may;
 * the checks only read). A reviewer opening a new one takes it: it becomes investigating, theirs.
 */
export async function openNomination(
  db: WriteDb,
  index: ListingIndex,
  actorName: string | null,
  id: number,
  settings: Settings,
  now: () => Date,
): Promise<NominationView> {
  const actor = requireAnyRole(db, actorName, ['investigator', 'reviewer', 'liaison', 'publisher']);
  const row = findNomination(db, id);
  const mtas = mtaRows(db, id).map(toMtaView);
  const helos = db.all<{ helo: string }>(sql`SELECT helo FROM nomination_helos WHERE nomination_id = ${id} ORDER BY position`).map((helo) => helo.helo);
  const aids = isOpen(row.status) ? await computeAids(db, index, mtas, helos, settings, now) : null;
  db.transaction(() => {
    const at = now().toISOString();
    const current = findNomination(db, id);
    const takes = current.status === 'new' && actor.roles.includes('reviewer');
    if (aids !== null) db.run(sql`UPDATE nominations SET aids = ${JSON.stringify(aids)}, aids_at = ${at}, updated_at = ${at} WHERE id = ${id}`);
    if (takes) db.run(sql`UPDATE nominations SET status = 'investigating', assignee_id = coalesce(assignee_id, ${actor.id}), updated_at = ${at} WHERE id = ${id}`);
    if (aids !== null || takes) {
      openHistory(db, () => at).append({
        actor: actor.name,
        action: 'nomination.opened',
        subjectType: 'nomination',
        subjectId: id,
        details: { aidsComputed: aids !== null, ...(takes ? { status: 'investigating', assignee: actor.name } : {}) },
      });
    }
  });
  return getNomination(db, id, settings, now());
}

/**
 * Decide a nomination (reviewers only; the reason is required). Approve: a GAL listing for
 * each approved IP (an active GAL listing of that exact address is linked instead), refused if
 * any approved IP sits on a blocklist without the reviewer's resolution (delist or refuse).
 */
export function decideNomination(db: WriteDb, index: ListingIndex, actorName: string | null, input: NominationDecisionInput, settings: Settings, now: Date): NominationView {
  db.transaction(() => {
    const actor = requireActor(db, actorName, 'reviewer');
    const row = findNomination(db, input.id);
    if (!isOpen(row.status)) throw conflict(`nomination #${row.id} is already ${row.status}`);
    const at = now.toISOString();
    const mtas = mtaRows(db, row.id);
    const values = { ips: mtas.map((mta) => mta.ip).join(', ') };
    // Drafted before anything changes, from the same choice the preview was drafted from.
    const draft = draftNominationReply(db, index, { id: row.id, decision: input.decision, ips: input.ips, conflicts: input.conflicts }, settings, now);
    const history = () => openHistory(db, () => at);
    let reply: string;
    let status: NominationStatus;
    const details: Record<string, unknown> = {};
    if (input.decision === 'approve') {
      const chosen = new Set<string>();
      for (const text of input.ips ?? mtas.map((mta) => mta.ip)) {
        const parsed = parseSingleAddress(text);
        const ip = parsed.ok ? parsed.value.ip : text;
        if (!mtas.some((mta) => mta.ip === ip)) throw invalidInput(`${text} is not one of nomination #${row.id}'s MTAs (${values.ips})`);
        chosen.add(ip);
      }
      const resolutions = new Map<string, 'delist' | 'refuse'>();
      for (const [text, resolution] of Object.entries(input.conflicts ?? {})) {
        const parsed = parseSingleAddress(text);
        resolutions.set(parsed.ok ? parsed.value.ip : text, resolution);
      }
      const unresolved: string[] = [];
      const blocking = new Map<string, ReturnType<typeof coveringListings>>();
      for (const mta of mtas) {
        if (!chosen.has(mta.ip)) continue;
        const parsed = parseSingleAddress(mta.ip);
        if (!parsed.ok) continue;
        // A listing removed for now returns by itself: it is as much a conflict as one in force.
        const listings = coveringListings(db, index, parsed.value, now, true).filter((listing) => listing.list !== 'GAL');
        blocking.set(mta.ip, listings);
        if (listings.length > 0 && !resolutions.has(mta.ip)) {
          unresolved.push(`${mta.ip}: on ${listings.map((listing) => `${listing.list} #${listing.id} ${listing.range} (${listing.reason}, by ${listing.investigator})`).join('; ')}: delist or refuse`);
        }
      }
      if (unresolved.length > 0) {
        throw new AppError('conflict', `${unresolved.length} IP${unresolved.length === 1 ? ' is' : 's are'} on a blocklist: resolve each conflict (delist or refuse) before approving`, unresolved);
      }
      const approved: string[] = [];
      const refused: string[] = [];
      const delisted: number[] = [];
      for (const mta of mtas) {
        const listings = blocking.get(mta.ip) ?? [];
        if (!chosen.has(mta.ip) || (listings.length > 0 && resolutions.get(mta.ip) === 'refuse')) {
          refused.push(mta.ip);
          db.run(sql`UPDATE nomination_mtas SET outcome = 'refused' WHERE nomination_id = ${row.id} AND family = ${mta.family} AND key = ${mta.key}`);
          continue;
        }
        for (const listing of listings) {
          const listingRow = findListing(db, listing.id);
          if (!listingRow) throw notFound(`no listing #${listing.id}`);
          const problem = delist(listingWriter(db, actor.name, at, history()), listingRow, { why: `GAL nomination #${row.id} approved ${mta.ip}: ${input.why}`, details: { nomination: row.id } });
          if (problem !== null) throw conflict(problem);
          delisted.push(listing.id);
        }
        const existing = db.get<{ id: number }>(sql`SELECT id FROM listings WHERE list = 'GAL' AND status = 'active' AND family = ${mta.family} AND first = ${mta.key} AND last = ${mta.key}`);
        const galId = existing?.id ?? addListing(db, actor.name, { range: mta.ip, list: 'GAL', reason: 'approved', why: `GAL nomination #${row.id}: ${input.why}` }, settings, now).listing.id;
        history().append({ actor: actor.name, action: 'listing.nomination-linked', subjectType: 'listing', subjectId: galId, details: { nomination: row.id, ip: mta.ip, fqdn: mta.fqdn } });
        db.run(sql`UPDATE nomination_mtas SET outcome = 'approved', gal_listing_id = ${galId} WHERE nomination_id = ${row.id} AND family = ${mta.family} AND key = ${mta.key}`);
        approved.push(mta.ip);
      }
      if (approved.length === 0) throw invalidInput('no IP is left to approve: reject the nomination instead');
      reply = mailText(input.reply ?? draft.text);
      status = 'approved';
      Object.assign(details, { approved, refused, delisted });
    } else {
      if (input.ips !== undefined || input.conflicts !== undefined) throw invalidInput('ips and conflicts apply to an approval only');
      reply = mailText(input.reply ?? draft.text);
      status = input.decision === 'reject' ? 'rejected' : 'needs-information';
    }
    db.run(sql`UPDATE nominations SET status = ${status}, assignee_id = coalesce(assignee_id, ${actor.id}), decision = ${input.decision}, decided_at = ${at},
      decided_by = ${actor.id}, decision_reason = ${input.why}, reply = ${reply}, updated_at = ${at} WHERE id = ${row.id}`);
    const sent = replyToNomination(db, row.id, actor, { subject: input.replySubject ?? draft.subject, text: reply }, settings, now);
    history().append({
      actor: actor.name,
      action: `nomination.${input.decision}`,
      subjectType: 'nomination',
      subjectId: row.id,
      reason: input.why,
      details: { status, reply, ...details, thread: sent.threadId, message: sent.messageId },
    });
  });
  return getNomination(db, input.id, settings, now);
}

/** The sample CSV templates, as the import accepts them. */
export function nominationTemplates(): typeof CSV_TEMPLATES {
  return CSV_TEMPLATES;
}
