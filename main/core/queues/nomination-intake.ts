/**
 * GAL nomination intake: the in-app form and a bundle file (JSON with the contact and the MTA
 * and HELO entries, inline or as the two CSV templates). Every entry is checked (addresses, host
 * names, formula cells) and a nomination is stored whole or not at all; nominations.ts shows,
 * opens and decides it.
 */
import { basename } from 'node:path';
import {
  CSV_TEMPLATES,
  HELO_CSV_COLUMNS,
  MTA_CSV_COLUMNS,
  nominationContactSchema,
  type NominationAddInput,
  type NominationContact,
  type NominationMtaInput,
  type NominationView,
} from '../../../shared/queues.js';
import type { Settings } from '../../../shared/settings.js';
import type { WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { invalidInput } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { readJsonFile, readRecordBatches } from '../io/records.js';
import type { InputFile } from '../io/files.js';
import { plainFileNameProblem, quoteCell } from '../../../shared/files.js';
import { getNomination } from './nominations.js';
import { NOMINATION_QUEUE, dueAt } from './queue.js';
import { checkHostName, parseReceived, parseSingleAddress, textProblem, type SingleAddress } from './common.js';
import { requireAnyRole } from '../investigators/investigators.js';

const MAX_PROBLEMS = 50;

const INTAKE_ROLES = ['investigator', 'reviewer'] as const;

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
          ${dueAt(NOMINATION_QUEUE, receivedAt, settings)}, ${at}, ${actor.id}, ${at})`).lastInsertRowid,
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
  // A block of records per await, not one await a record.
  for await (const records of readRecordBatches(input, { maxBytes: settings.import.maxFileBytes, format: 'csv' })) {
    for (const record of records) {
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

/** The sample CSV templates, as the import accepts them. */
export function nominationTemplates(): typeof CSV_TEMPLATES {
  return CSV_TEMPLATES;
}
