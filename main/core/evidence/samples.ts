/**
 * Spam samples: import (single .eml files, several at once, mbox files, or bytes sent by the
 * browser), the source address from the Received chain, storage once per SHA-256 (raw bytes
 * deflate-compressed), links to listings, viewing, the original for download and statistics.
 *
 * An import reads and parses every message first, staging the rows in a connection-private
 * temporary table (so a 200 MB mbox never sits in memory), then commits in one transaction:
 * every message of every file, or, when some fail and "import the valid ones" was not chosen,
 * nothing at all. Each message's outcome is reported either way.
 */
import { basename } from 'node:path';
import { addressKey, parseAddress, parseRange, rangeContains, type Family } from '../../../shared/address.js';
import type { LinkedListing, MessageOutcome, RawMessage, SampleDetail, SampleImportResult, SampleListItem, SampleStats, SampleSummary } from '../../../shared/evidence.js';
import type { Settings } from '../../../shared/settings.js';
import type { Reason } from '../../../shared/domain.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { conflict, invalidInput, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { requireActor } from '../investigators/investigators.js';
import { checkInputFile } from '../io/records.js';
import { addListing, findListing, getListing } from '../listings/listings.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import type { Progress } from '../jobs/progress.js';
import { compress, decompress, messageHash, parseMessage } from './message.js';
import { readMessages, type MessageSource } from './sources.js';
import { parseTrustedRelays, receivedChain } from './received.js';
import { sanitiseHtml, textLinks } from './html.js';
import { createLogger } from '../log.js';

const log = createLogger('evidence');
const PROGRESS_EVERY = 25;
/** Compressed bytes of staged messages written per batch. */
const STAGING_BATCH_BYTES = 4 * 1024 * 1024;

interface SourceAddress {
  readonly family: Family;
  readonly key: Buffer;
  readonly ip: string;
  readonly value: bigint;
}

function sourceFromText(ip: string): SourceAddress | null {
  const parsed = parseAddress(ip);
  if (!parsed.ok) return null;
  return { family: parsed.value.family, value: parsed.value.value, ip, key: Buffer.from(addressKey(parsed.value.family, parsed.value.value)) };
}

function sourceOf(chain: ReturnType<typeof receivedChain>): SourceAddress | null {
  return chain.chosen === null ? null : sourceFromText(chain.hops[chain.chosen].ip as string);
}

/** A message already stored (id) or staged earlier in this import (id null). */
interface KnownSample {
  readonly id: number | null;
  readonly source_ip: string | null;
  readonly subject: string | null;
}

/** Active listings covering an address, except allow-list entries (GAL): what a sample is evidence for. */
function coveringListings(db: ReadDb, index: ListingIndex, source: SourceAddress): number[] {
  return index
    .find(source.family, source.value)
    .filter((id) => {
      const row = findListing(db, id);
      return row !== undefined && row.status === 'active' && row.list !== 'GAL';
    })
    .sort((a, b) => a - b);
}

let stagingCounter = 0;

function ensureStaging(db: WriteDb): void {
  // Connection-private tables in SQLite's temporary database: staging never touches the main file.
  db.run(sql`CREATE TEMP TABLE IF NOT EXISTS evidence_staging (
    import_id INTEGER NOT NULL, seq INTEGER NOT NULL, sha256 BLOB NOT NULL, raw BLOB NOT NULL, size INTEGER NOT NULL,
    subject TEXT, from_address TEXT, sent_at TEXT, message_id TEXT, source_family INTEGER, source_key BLOB, source_ip TEXT,
    received TEXT NOT NULL, body_text TEXT, notes TEXT NOT NULL, PRIMARY KEY (import_id, seq))`);
  db.run(sql`CREATE TEMP TABLE IF NOT EXISTS evidence_staged_links (import_id INTEGER NOT NULL, sha256 BLOB NOT NULL, listing_id INTEGER NOT NULL)`);
}

function clearStaging(db: WriteDb, importId: number): void {
  db.run(sql`DELETE FROM temp.evidence_staging WHERE import_id = ${importId}`);
  db.run(sql`DELETE FROM temp.evidence_staged_links WHERE import_id = ${importId}`);
}

export interface SampleImportInput {
  readonly sources: readonly MessageSource[];
  readonly listingId?: number;
  readonly importValid: boolean;
}

/** Import spam samples (see the module comment). Needs the investigator role. */
export async function importSamples(
  db: WriteDb,
  index: ListingIndex,
  actorName: string | null,
  input: SampleImportInput,
  settings: Settings,
  now: Date,
  onProgress?: (progress: Progress) => void,
): Promise<SampleImportResult> {
  const actor = requireActor(db, actorName, 'investigator');
  if (input.listingId !== undefined && !findListing(db, input.listingId)) throw notFound(`no listing #${input.listingId}`);
  const trusted = parseTrustedRelays(settings.evidence.trustedRelays);
  const record = input.listingId !== undefined ? getListing(db, input.listingId) : null;
  const recordRange = record ? parseRange(record.range) : null;
  /** A sample attached to a record its source lies outside of: attached as asked, and said so. */
  const outsideNote = (source: SourceAddress | null): string[] =>
    record && source && recordRange?.ok && !rangeContains(recordRange.value, source.family, source.value)
      ? [`its source ${source.ip} is outside listing #${record.id} (${record.list} ${record.range}): attached as asked; open or create the listing for ${source.ip} from the sample`]
      : [];
  const importId = (stagingCounter += 1) + process.pid * 1000;
  ensureStaging(db);
  clearStaging(db, importId);
  let totalBytes = 0;
  for (const source of input.sources) {
    try {
      totalBytes += await checkInputFile(source, settings.import.maxFileBytes);
    } catch {
      // Reported per file by the reader.
    }
  }
  const outcomes: MessageOutcome[] = [];
  const seen = new Map<string, KnownSample>();
  const stageRow = db.prepare(
    `INSERT INTO temp.evidence_staging (import_id, seq, sha256, raw, size, subject, from_address, sent_at, message_id, source_family, source_key, source_ip, received, body_text, notes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const stageLinkRow = db.prepare('INSERT INTO temp.evidence_staged_links (import_id, sha256, listing_id) VALUES (?, ?, ?)');
  // Staged rows are written in batches, each in one deferred transaction that touches only the
  // temporary database (a transaction per row costs more than the row), and all in one call, so
  // nothing else on this connection runs inside it.
  const begin = db.prepare('BEGIN DEFERRED');
  const commit = db.prepare('COMMIT');
  let pending: Array<{ row: unknown[] } | { link: unknown[] }> = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pending.length === 0) return;
    begin.run();
    try {
      for (const item of pending) {
        if ('row' in item) stageRow.run(...item.row);
        else stageLinkRow.run(...item.link);
      }
      commit.run();
    } catch (error) {
      db.prepare('ROLLBACK').run();
      throw error;
    }
    pending = [];
    pendingBytes = 0;
  };
  const stage = { run: (...row: unknown[]) => {
    pending.push({ row });
    pendingBytes += (row[3] as Buffer).length;
    if (pendingBytes > STAGING_BATCH_BYTES) flush();
  } };
  const stageLink = { run: (...link: unknown[]) => pending.push({ link }) };
  const findStored = db.prepare(SAMPLE_BY_SHA256_SQL);
  let bytesDone = 0;
  try {
    onProgress?.({ stage: 'reading messages', done: 0, total: totalBytes });
    await readMessages(input.sources, settings, async (message) => {
      bytesDone += message.size;
      if (outcomes.length % PROGRESS_EVERY === 0) onProgress?.({ stage: 'reading messages', done: Math.min(bytesDone, totalBytes), total: totalBytes });
      const base = { file: message.file, message: message.number, line: message.line };
      const fail = (problem: string) =>
        outcomes.push({ ...base, outcome: 'failed', problem, notes: [], sha256: null, sampleId: null, subject: null, sourceIp: null, linkedListings: [] });
      if (message.bytes === null) {
        fail(message.problem ?? 'not read');
        return;
      }
      // A message stored before (or earlier in this import) is linked again without parsing it again.
      const hash = messageHash(message.bytes);
      const sha = hash.toString('hex');
      const known = seen.get(sha) ?? (findStored.get(hash) as KnownSample | undefined);
      if (known) {
        const source = known.source_ip ? sourceFromText(known.source_ip) : null;
        const listings = input.listingId !== undefined ? [input.listingId] : source ? coveringListings(db, index, source) : [];
        for (const listingId of listings) stageLink.run(importId, hash, listingId);
        outcomes.push({ ...base, outcome: 'duplicate', problem: null, notes: outsideNote(source), sha256: sha, sampleId: known.id, subject: known.subject, sourceIp: known.source_ip, linkedListings: listings });
        return;
      }
      const checked = await parseMessage(message.bytes);
      if (!checked.ok) {
        fail(checked.problem);
        return;
      }
      const parsed = checked.value;
      const chain = receivedChain(parsed.received, trusted);
      const source = sourceOf(chain);
      const listings = input.listingId !== undefined ? [input.listingId] : source ? coveringListings(db, index, source) : [];
      const notes = [...parsed.notes];
      if (parsed.received.length > 0 && chain.chosen === null) notes.push(chain.reason);
      const storedNotes = JSON.stringify(notes);
      notes.push(...outsideNote(source));
      seen.set(sha, { id: null, source_ip: source?.ip ?? null, subject: parsed.subject });
      stage.run(
        importId,
        outcomes.length,
        parsed.sha256,
        compress(parsed.raw),
        parsed.raw.length,
        parsed.subject,
        parsed.from,
        parsed.sentAt,
        parsed.messageId,
        source?.family ?? null,
        source?.key ?? null,
        source?.ip ?? null,
        JSON.stringify(chain),
        parsed.text,
        storedNotes,
      );
      for (const listingId of listings) stageLink.run(importId, parsed.sha256, listingId);
      outcomes.push({ ...base, outcome: 'imported', problem: null, notes, sha256: sha, sampleId: null, subject: parsed.subject, sourceIp: source?.ip ?? null, linkedListings: listings });
    });
    flush();
    const failed = outcomes.filter((outcome) => outcome.outcome === 'failed').length;
    if (failed > 0 && !input.importValid) {
      return summarise(
        false,
        outcomes.map((outcome) => (outcome.outcome === 'failed' ? outcome : { ...outcome, outcome: 'skipped', sampleId: null, linkedListings: [] })),
      );
    }
    onProgress?.({ stage: 'storing', done: totalBytes, total: totalBytes });
    const ids = db.transaction(() => commitStaged(db, importId, actor, outcomes, now));
    return summarise(
      true,
      outcomes.map((outcome) => (outcome.sha256 && outcome.outcome !== 'failed' ? { ...outcome, sampleId: ids.get(outcome.sha256) ?? outcome.sampleId } : outcome)),
    );
  } finally {
    clearStaging(db, importId);
  }
}

function commitStaged(db: WriteDb, importId: number, actor: { id: number; name: string }, outcomes: readonly MessageOutcome[], now: Date): Map<string, number> {
  const at = now.toISOString();
  const before = db.get<{ max: number | null }>(sql`SELECT max(id) AS max FROM samples`)?.max ?? 0;
  // Another import may have stored the same message since it was staged: stored once all the same.
  db.run(sql`INSERT INTO samples (sha256, raw, size, subject, from_address, sent_at, message_id, source_family, source_key, source_ip, received, body_text, notes, imported_at, imported_by)
    SELECT sha256, raw, size, subject, from_address, sent_at, message_id, source_family, source_key, source_ip, received, body_text, notes, ${at}, ${actor.id}
    FROM temp.evidence_staging WHERE import_id = ${importId} ORDER BY seq
    ON CONFLICT (sha256) DO NOTHING`);
  const after = db.get<{ max: number | null }>(sql`SELECT max(id) AS max FROM samples`)?.max ?? 0;
  const links = db.all<{ listing_id: number; sample_id: number }>(sql`SELECT DISTINCT l.listing_id, s.id AS sample_id
    FROM temp.evidence_staged_links l JOIN samples s ON s.sha256 = l.sha256
    WHERE l.import_id = ${importId} AND NOT EXISTS (SELECT 1 FROM sample_links k WHERE k.listing_id = l.listing_id AND k.sample_id = s.id)
    ORDER BY l.listing_id, s.id`);
  const insertLink = db.prepare('INSERT INTO sample_links (listing_id, sample_id, linked_at, linked_by) VALUES (?, ?, ?, ?)');
  for (const link of links) insertLink.run(link.listing_id, link.sample_id, at, actor.id);
  const ids = new Map<string, number>();
  for (const row of db.iterate<{ id: number; sha: string }>(sql`SELECT s.id, lower(hex(s.sha256)) AS sha FROM samples s
      WHERE s.sha256 IN (SELECT sha256 FROM temp.evidence_staged_links WHERE import_id = ${importId} UNION SELECT sha256 FROM temp.evidence_staging WHERE import_id = ${importId})`)) {
    ids.set(row.sha, row.id);
  }
  const history = openHistory(db, () => at);
  const files = [...new Set(outcomes.map((outcome) => basename(outcome.file)))];
  if (after > before) {
    history.append({
      actor: actor.name,
      action: 'samples.imported',
      subjectType: 'sample',
      subjectId: before + 1,
      subjectLastId: after,
      details: { samples: after - before, files: files.slice(0, 50), filesOmitted: Math.max(0, files.length - 50) },
    });
  }
  const byListing = new Map<number, number[]>();
  for (const link of links) byListing.set(link.listing_id, [...(byListing.get(link.listing_id) ?? []), link.sample_id]);
  for (const [listingId, sampleIds] of byListing) {
    history.append({
      actor: actor.name,
      action: 'samples.linked',
      subjectType: 'listing',
      subjectId: listingId,
      details: { samples: sampleIds.length, sampleIds: sampleIds.slice(0, 100), sampleIdsOmitted: Math.max(0, sampleIds.length - 100), files: files.slice(0, 20) },
    });
  }
  log.info(`stored ${after - before} samples, ${links.length} links`);
  return ids;
}

function summarise(committed: boolean, messages: readonly MessageOutcome[]): SampleImportResult {
  const count = (outcome: MessageOutcome['outcome']) => messages.filter((message) => message.outcome === outcome).length;
  return {
    committed,
    imported: count('imported'),
    duplicates: count('duplicate'),
    failed: count('failed'),
    skipped: count('skipped'),
    messages: messages.map(({ file, message, line, outcome, problem, notes, sha256, sampleId, subject, sourceIp, linkedListings }) => ({
      file,
      message,
      line,
      outcome,
      problem,
      notes,
      sha256,
      sampleId,
      subject,
      sourceIp,
      linkedListings,
    })),
  };
}

interface SampleRow {
  id: number;
  sha: string;
  subject: string | null;
  from_address: string | null;
  sent_at: string | null;
  message_id: string | null;
  size: number;
  source_ip: string | null;
  imported_at: string;
  imported_by: string;
}

const SAMPLE_COLUMNS = sql`s.id, lower(hex(s.sha256)) AS sha, s.subject, s.from_address, s.sent_at, s.message_id, s.size, s.source_ip, s.imported_at,
  (SELECT name FROM investigators WHERE id = s.imported_by) AS imported_by`;

function toSummary(row: SampleRow): SampleSummary {
  return {
    id: row.id,
    sha256: row.sha,
    subject: row.subject,
    from: row.from_address,
    sentAt: row.sent_at,
    messageId: row.message_id,
    size: row.size,
    sourceIp: row.source_ip,
    importedAt: row.imported_at,
    importedBy: row.imported_by,
  };
}

/** Whether a listing's range holds an address: null when there is no address to hold. */
function holdsSource(range: string, sourceIp: string | null): boolean | null {
  const source = sourceIp ? sourceFromText(sourceIp) : null;
  const parsed = parseRange(range);
  if (!source || !parsed.ok) return null;
  return rangeContains(parsed.value, source.family, source.value);
}

/** The samples linked to a listing, newest id first, keyset-paged by id; each says whether its source lies outside the listing. */
export function listSamples(db: ReadDb, listingId: number, afterId: number, limit: number): { total: number; samples: SampleListItem[] } {
  if (!findListing(db, listingId)) throw notFound(`no listing #${listingId}`);
  const { range } = getListing(db, listingId);
  const total = db.get<{ count: number }>(sql`SELECT count(*) AS count FROM sample_links WHERE listing_id = ${listingId}`)?.count ?? 0;
  const rows = db.all<SampleRow>(listingSamplesSql(listingId, afterId, limit));
  return { total, samples: rows.map((row) => ({ ...toSummary(row), isSourceOutside: holdsSource(range, row.source_ip) === false })) };
}

function sampleRow(db: ReadDb, id: number): SampleRow & { raw: Buffer; received: string; source_family: Family | null; notes: string | null } {
  const row = db.get<SampleRow & { raw: Buffer; received: string; source_family: Family | null; notes: string | null }>(
    sql`SELECT ${SAMPLE_COLUMNS}, s.raw, s.received, s.source_family, s.notes FROM samples s WHERE s.id = ${id}`,
  );
  if (!row) throw notFound(`no sample #${id}`);
  return row;
}

function listingBrief(db: ReadDb, id: number, sourceIp: string | null): LinkedListing {
  const listing = getListing(db, id);
  return { id: listing.id, list: listing.list, range: listing.range, status: listing.status, holdsSource: holdsSource(listing.range, sourceIp) };
}

/** One sample as the viewer shows it: headers, text, sanitised HTML, the chain with the chosen hop, links and offers. */
export async function getSample(db: ReadDb, index: ListingIndex, id: number): Promise<SampleDetail> {
  const row = sampleRow(db, id);
  const raw = decompress(row.raw);
  const parsed = await parseMessage(raw);
  // Stored samples passed the door when imported; should the door have moved since, the bytes are shown as they are.
  const message = parsed.ok
    ? parsed.value
    : { headers: [], text: raw.subarray(0, 1024 * 1024).toString('utf8'), html: null, attachments: [], notes: [`this message is no longer read as mail (${parsed.problem}); shown as received`] };
  const sanitised = message.html !== null ? sanitiseHtml(message.html) : null;
  const received = JSON.parse(row.received) as SampleDetail['received'];
  const linked = db.all<{ listing_id: number }>(sampleListingsSql(id)).map((link) => link.listing_id);
  const source = row.source_ip ? sourceFromText(row.source_ip) : null;
  const covering = source ? coveringListings(db, index, source).filter((listingId) => !linked.includes(listingId)) : [];
  return {
    ...toSummary(row),
    headers: message.headers,
    text: message.text,
    html: sanitised?.html ?? null,
    links: sanitised ? sanitised.links : textLinks(message.text),
    attachments: message.attachments,
    received,
    // Kept since migration 0012; read again from the message for samples imported before.
    notes: row.notes !== null ? (JSON.parse(row.notes) as string[]) : message.notes,
    linkedListings: linked.map((listingId) => listingBrief(db, listingId, row.source_ip)),
    coveringListings: covering.map((listingId) => listingBrief(db, listingId, row.source_ip)),
  };
}

/** The original message, for download as .eml. */
export function rawSample(db: ReadDb, id: number): RawMessage {
  const row = sampleRow(db, id);
  const raw = decompress(row.raw);
  return { fileName: `sample-${id}-${row.sha.slice(0, 12)}.eml`, base64: raw.toString('base64'), size: raw.length };
}

/** Attach a stored sample to a listing. */
export function linkSample(db: WriteDb, actorName: string | null, sampleId: number, listingId: number, now: Date): readonly LinkedListing[] {
  return db.transaction(() => {
    const actor = requireActor(db, actorName, 'investigator');
    const sample = db.get<{ source_ip: string | null }>(sql`SELECT source_ip FROM samples WHERE id = ${sampleId}`);
    if (!sample) throw notFound(`no sample #${sampleId}`);
    if (!findListing(db, listingId)) throw notFound(`no listing #${listingId}`);
    if (db.get(sql`SELECT 1 FROM sample_links WHERE listing_id = ${listingId} AND sample_id = ${sampleId}`)) {
      throw conflict(`sample #${sampleId} is already linked to listing #${listingId}`);
    }
    const at = now.toISOString();
    db.run(sql`INSERT INTO sample_links (listing_id, sample_id, linked_at, linked_by) VALUES (${listingId}, ${sampleId}, ${at}, ${actor.id})`);
    openHistory(db, () => at).append({ actor: actor.name, action: 'samples.linked', subjectType: 'listing', subjectId: listingId, details: { samples: 1, sampleIds: [sampleId] } });
    return db
      .all<{ listing_id: number }>(sampleListingsSql(sampleId))
      .map((link) => listingBrief(db, link.listing_id, sample.source_ip));
  });
}

/** Create an RBL listing for a sample's source address (a single address) and link the sample to it. */
export function createListingFromSample(
  db: WriteDb,
  actorName: string | null,
  input: { sampleId: number; reason: Reason; txt?: string; why?: string },
  settings: Settings,
  now: Date,
): { listingId: number; range: string } {
  return db.transaction(() => {
    const row = db.get<{ source_ip: string | null }>(sql`SELECT source_ip FROM samples WHERE id = ${input.sampleId}`);
    if (!row) throw notFound(`no sample #${input.sampleId}`);
    if (!row.source_ip) throw invalidInput(`sample #${input.sampleId} has no source address (no usable Received hop): there is nothing to list`);
    const { listing } = addListing(
      db,
      actorName,
      { range: row.source_ip, list: 'RBL', reason: input.reason, txt: input.txt, why: input.why ?? `spam sample #${input.sampleId}` },
      settings,
      now,
    );
    linkSample(db, actorName, input.sampleId, listing.id, now);
    return { listingId: listing.id, range: listing.range };
  });
}

/** Count, first and last seen, and samples per day for a listing. */
export function sampleStats(db: ReadDb, listingId: number): SampleStats {
  if (!findListing(db, listingId)) throw notFound(`no listing #${listingId}`);
  const days = db.all<{ day: string; count: number; first: string; last: string }>(listingSampleDaysSql(listingId));
  return {
    count: days.reduce((sum, day) => sum + day.count, 0),
    firstSeen: days.length > 0 ? days[0].first : null,
    lastSeen: days.length > 0 ? days[days.length - 1].last : null,
    perDay: days.map((day) => ({ day: day.day, count: day.count })),
  };
}

/** A message already stored, by its SHA-256 (every imported message is checked: duplicates are linked, not stored again). */
export const SAMPLE_BY_SHA256_SQL = 'SELECT id, source_ip, subject FROM samples WHERE sha256 = ?';

/** A page of a listing's samples, newest first, after `afterId` (0: the first page). */
export function listingSamplesSql(listingId: number, afterId: number, limit: number): Sql {
  return sql`SELECT ${SAMPLE_COLUMNS} FROM sample_links k JOIN samples s ON s.id = k.sample_id
    WHERE k.listing_id = ${listingId} AND k.sample_id < ${afterId === 0 ? Number.MAX_SAFE_INTEGER : afterId} ORDER BY k.sample_id DESC LIMIT ${limit}`;
}

/** The listings a sample is linked to, in id order. */
export function sampleListingsSql(sampleId: number): Sql {
  return sql`SELECT listing_id FROM sample_links WHERE sample_id = ${sampleId} ORDER BY listing_id`;
}

/** A listing's samples per day (the statistics). */
export function listingSampleDaysSql(listingId: number): Sql {
  return sql`SELECT substr(coalesce(s.sent_at, s.imported_at), 1, 10) AS day, count(*) AS count,
      min(coalesce(s.sent_at, s.imported_at)) AS first, max(coalesce(s.sent_at, s.imported_at)) AS last
    FROM sample_links k JOIN samples s ON s.id = k.sample_id WHERE k.listing_id = ${listingId} GROUP BY day ORDER BY day`;
}
