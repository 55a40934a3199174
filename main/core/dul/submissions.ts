/**
 * DUL submissions committed and reverted: a file (read by submission-file.ts, previewed by
 * submission-preview.ts) replaces the ISP's active DUL set or adds to it in one transaction,
 * and a revert restores exactly what was there before.
 */
import { writeAddressKey, type Family } from '../../../shared/address.js';
import type { RevertResult, SubmissionInput, SubmissionResult } from '../../../shared/dul.js';
import type { Settings } from '../../../shared/settings.js';
import type { WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import type { ProgressReporter } from '../jobs/progress.js';
import { DEFERRABLE_LISTING_INDEXES, withDeferredIndexes } from '../db/bulk-indexes.js';
import { conflict, invalidInput, notFound } from '../errors.js';
import { ListingBatch, delistMany, restoreCopies } from '../listings/batches.js';
import { listingWriter } from '../listings/changes.js';
import { requireActor } from '../investigators/investigators.js';
import type { InputFile } from '../io/files.js';
import { findIsp, getSubmission } from './isps.js';
import { PROGRESS_EVERY, parseExclusions, parseSubmissionFile } from './submission-file.js';
import { computePreview, termsOf } from './submission-preview.js';

function sameLines(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((line, index) => line === b[index]);
}

function earlier(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/**
 * Commit a submission: replace the ISP's active DUL set with the file's ranges (the old
 * listings are delisted, the new ones created and linked to the submission) or add to it. One
 * transaction. Refused while any line is rejected, unless `confirmRejected` names exactly the
 * rejected lines (the user saw them in the preview and accepts leaving them out).
 */
export async function commitSubmission(
  db: WriteDb,
  actorName: string | null,
  input: SubmissionInput,
  file: InputFile,
  settings: Settings,
  now: Date,
  onProgress: ProgressReporter = () => undefined,
): Promise<SubmissionResult> {
  requireActor(db, actorName, 'liaison');
  findIsp(db, input.isp);
  const terms = termsOf(input, now);
  const parsed = await parseSubmissionFile(file, settings, now, onProgress);
  if (parsed.rejected.length > 0 && !(input.confirmRejected && sameLines(input.confirmRejected, parsed.rejectedLines))) {
    const count = parsed.rejected.length;
    throw invalidInput(`${parsed.source}: ${count} bad line${count === 1 ? '' : 's'}; nothing was imported`, parsed.rejected);
  }
  if (parsed.order.length === 0) throw invalidInput(`${parsed.source} has no ranges to list; nothing was imported`);
  const exclusions = parseExclusions(input.exclude, parsed);
  const at = now.toISOString();
  const result = db.transaction(() =>
    withDeferredIndexes(db, DEFERRABLE_LISTING_INDEXES, input.mode === 'replace' ? parsed.order.length * 2 : parsed.order.length, () => {
    const actor = requireActor(db, actorName, 'liaison');
    const isp = findIsp(db, input.isp);
    const work = computePreview(db, parsed, { isp: isp.name, mode: input.mode, validUntil: terms.validUntil, exclusions }, onProgress);
    const { preview } = work;
    const submissionId = Number(
      db.run(sql`INSERT INTO dul_submissions (isp_id, mode, source, submitted_by, received_at, effective_at, valid_until, policy_notes, investigator_id,
          added, removed, unchanged, created_at)
        VALUES (${isp.id}, ${input.mode}, ${parsed.source}, ${input.submittedBy ?? null}, ${terms.received}, ${terms.effective}, ${terms.validUntil},
          ${input.policyNotes ?? null}, ${actor.id}, ${preview.diff.added.total}, ${preview.diff.removed.total}, ${preview.diff.unchanged}, ${at})`).lastInsertRowid,
    );
    const writer = listingWriter(db, actor.name, at);
    const { history } = writer;
    const exclusionInsert = db.prepare('INSERT INTO dul_exclusions (submission_id, family, first, last) VALUES (?, ?, ?, ?)');
    for (const exclusion of exclusions) {
      exclusionInsert.run(submissionId, exclusion.family, Buffer.from(keyOf(exclusion.family, exclusion.first)), Buffer.from(keyOf(exclusion.family, exclusion.last)));
    }

    if (work.toDelist.length > 0) {
      onProgress({ stage: 'delisting', done: 0, total: work.toDelist.length });
      // A replace delists the ISP's whole active set, which is exactly what the preview read in
      // this transaction: remembered for a revert, then delisted in one statement.
      const replaced = db.run(sql`INSERT INTO dul_replaced (submission_id, listing_id) ${replacedSetSql(submissionId, isp.id)}`).changes;
      if (replaced !== work.toDelist.length) throw new Error(`the ISP's set changed during the import (${replaced} listings, ${work.toDelist.length} previewed)`);
      delistMany(writer, replacedListingsSql(submissionId), {
        why: `replaced by DUL submission #${submissionId} of ${isp.name}`,
        details: { submission: submissionId, isp: isp.name },
      });
    }

    const batch = new ListingBatch(writer, { list: 'DUL', reason: 'dynamic', investigatorId: actor.id, submissionId });
    const notes: Array<[number, string]> = [];
    let done = 0;
    for (const index of work.toInsert) {
      done += 1;
      if (done % PROGRESS_EVERY === 0) onProgress({ stage: 'writing', done, total: work.toInsert.length });
      const family = parsed.families[index];
      batch.keysOf(family, parsed.firsts[index], parsed.lasts[index]);
      const id = batch.add(family, parsed.prefixes[index], null, null, earlier(parsed.validUntils.get(index) ?? null, terms.validUntil));
      const note = parsed.policyNotes.get(index);
      if (note !== undefined) notes.push([id, note]);
    }
    batch.finish('listings.imported', {
      why: `DUL submission #${submissionId} of ${isp.name}`,
      details: { list: 'DUL', reason: 'dynamic', submission: submissionId, isp: isp.name, source: parsed.source },
    });
    // The ISP's notes on its ranges, once the listings they belong to are in.
    const noteInsert = db.prepare('INSERT INTO dul_range_notes (listing_id, note) VALUES (?, ?)');
    for (const [id, note] of notes) noteInsert.run(id, note);
    history.append({
      actor: actor.name,
      action: 'dul.submitted',
      subjectType: 'dul-submission',
      subjectId: submissionId,
      details: {
        isp: isp.name,
        mode: input.mode,
        source: parsed.source,
        submittedBy: input.submittedBy ?? null,
        received: terms.received,
        effective: terms.effective,
        validUntil: terms.validUntil,
        exclusions: preview.exclusions,
        added: preview.diff.added.total,
        removed: preview.diff.removed.total,
        unchanged: preview.diff.unchanged,
        rejectedLines: parsed.rejectedLines.length,
      },
    });
    return { submissionId, preview };
  }),
  );
  return { submission: getSubmission(db, result.submissionId), preview: result.preview };
}

function keyOf(family: Family, value: bigint): Uint8Array {
  const key = new Uint8Array(16);
  writeAddressKey(family, value, key, 0);
  return key;
}

/**
 * Revert a submission: its listings are delisted and the listings its replace delisted are
 * created again (same ranges, terms, notes and original submission), so the ISP's active set
 * is exactly what it was before. Only the ISP's latest submission still in force can be reverted.
 */
export function revertSubmission(db: WriteDb, actorName: string | null, id: number, now: Date): RevertResult {
  const at = now.toISOString();
  const counts = db.transaction(() => {
    const actor = requireActor(db, actorName, 'liaison');
    const submission = db.get<{ id: number; isp_id: number; reverted_at: string | null; name: string }>(
      sql`SELECT s.id, s.isp_id, s.reverted_at, i.name FROM dul_submissions s JOIN isps i ON i.id = s.isp_id WHERE s.id = ${id}`,
    );
    if (!submission) throw notFound(`no DUL submission #${id}`);
    if (submission.reverted_at !== null) throw conflict(`DUL submission #${id} was already reverted at ${submission.reverted_at}`);
    const later = db.get<{ id: number }>(laterSubmissionSql(submission.isp_id, id));
    if (later) throw conflict(`DUL submission #${later.id} of ${submission.name} came after #${id}; revert it first`);
    const writer = listingWriter(db, actor.name, at);
    const { history } = writer;
    const delisted = delistMany(writer, submissionListingsSql(id), {
      why: `DUL submission #${id} of ${submission.name} reverted`,
      details: { submission: id, isp: submission.name },
    });

    // The previous set comes back as new listings (listings keep their status history), copied
    // from the delisted ones in the order of their ids, in one contiguous run of ids.
    const restored = restoreCopies(writer, replacedListingsSql(id), {
      why: `DUL submission #${id} of ${submission.name} reverted: the previous set is restored`,
      details: { submission: id, isp: submission.name },
    });
    const count = restored.count;
    if (count > 0) {
      db.run(sql`INSERT INTO dul_range_notes (listing_id, note) ${restoredNotesSql(id, restored.firstId, restored.lastId)}`);
    }
    db.run(sql`UPDATE dul_submissions SET reverted_at = ${at}, reverted_by = ${actor.id} WHERE id = ${id}`);
    history.append({
      actor: actor.name,
      action: 'dul.reverted',
      subjectType: 'dul-submission',
      subjectId: id,
      details: { isp: submission.name, delisted, restored: count },
    });
    return { delisted, restored: count };
  });
  return { submission: getSubmission(db, id), ...counts };
}

/** The ISP's active DUL listings outside `submissionId`: what a replace delists (remembered in dul_replaced for a revert). */
export function replacedSetSql(submissionId: number, ispId: number): Sql {
  return sql`SELECT ${submissionId}, l.id FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active'
        WHERE s.isp_id = ${ispId} AND s.id <> ${submissionId}`;
}

/** The listings a submission's replace delisted. */
export function replacedListingsSql(submissionId: number): Sql {
  return sql`SELECT listing_id FROM dul_replaced WHERE submission_id = ${submissionId}`;
}

/** A submission's active listings (what its revert delists). */
export function submissionListingsSql(submissionId: number): Sql {
  return sql`SELECT id FROM listings WHERE submission_id = ${submissionId} AND status = 'active'`;
}

/** A later submission of the same ISP still in force (a revert goes newest first). */
export function laterSubmissionSql(ispId: number, submissionId: number): Sql {
  return sql`SELECT id FROM dul_submissions WHERE isp_id = ${ispId} AND id > ${submissionId} AND reverted_at IS NULL ORDER BY id LIMIT 1`;
}

/** The ISP's notes of the listings a replace delisted, for their copies restored as ids firstId..lastId. */
export function restoredNotesSql(submissionId: number, firstId: number, lastId: number): Sql {
  return sql`SELECT n.id, note.note FROM dul_replaced r JOIN dul_range_notes note ON note.listing_id = r.listing_id JOIN listings o ON o.id = r.listing_id
        JOIN listings n ON n.family = o.family AND n.first = o.first AND n.last = o.last AND n.id BETWEEN ${firstId} AND ${lastId}
        WHERE r.submission_id = ${submissionId}`;
}
