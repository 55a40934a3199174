/** Job progress pushed to the page and the notification when a job ends. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobOperation, JobView, JobViewOf } from '../../../shared/jobs.js';
import type { PublishResult } from '../../../shared/publishing.js';
import type { SubmissionPreview } from '../../../shared/dul.js';
import { jobChanges, jobNotification, resultSummary, watchJobs } from '../../../main/electron/jobs.js';

function job(id: number, change: Partial<JobViewOf<'listings.importFile'>>): JobView {
  return jobOf('listings.importFile', { id, state: 'running', stage: 'reading', total: 100, finishedAt: null, ...change });
}

function jobOf<Operation extends JobOperation>(operation: Operation, change: Partial<JobViewOf<Operation>>): JobView {
  const view: JobViewOf<Operation> = {
    id: 1,
    operation,
    state: 'done',
    stage: 'done',
    done: 0,
    total: 0,
    rate: null,
    etaSeconds: null,
    startedAt: '2026-11-28T10:00:00.000Z',
    finishedAt: '2026-11-28T10:01:00.000Z',
    result: null,
    error: null,
    ...change,
  };
  return view as unknown as JobView;
}

function publishResult(change: Partial<PublishResult>): PublishResult {
  return {
    published: true,
    serial: 2026112801,
    path: '/srv/snapshots/2026112801',
    zone: 'bl.example',
    listingsInForce: { RBL: 1, DUL: 0, QIL: 0, MML: 0, GAL: 0 },
    changes: null,
    safety: [],
    files: [],
    needsApproval: false,
    preparedBy: 'Pat',
    approvedBy: null,
    keyId: '0123456789ABCDEF',
    ...change,
  };
}

const EMPTY_EXCERPT = { total: 0, items: [] };

function preview(change: Partial<SubmissionPreview>): SubmissionPreview {
  return {
    isp: 'Example Telecom',
    mode: 'replace',
    source: 'pools.txt',
    lines: 3,
    ranges: 3,
    ipv4: 3,
    ipv6: 0,
    validUntil: null,
    exclusions: [],
    normalisations: EMPTY_EXCERPT,
    duplicates: EMPTY_EXCERPT,
    rejected: [],
    rejectedLines: [],
    otherIspOverlaps: EMPTY_EXCERPT,
    galOverlaps: EMPTY_EXCERPT,
    rblOverlaps: EMPTY_EXCERPT,
    diff: { added: { total: 2, items: [] }, removed: { total: 1, items: [] }, unchanged: 1 },
    spool: null,
    ...change,
  };
}

test('moved jobs are reported as progress, unchanged ones are not', () => {
  const previous = new Map([[1, job(1, { done: 10 })], [2, job(2, { done: 5 })]]);
  const { progressed, finished } = jobChanges(previous, [job(1, { done: 20 }), job(2, { done: 5 }), job(3, {})]);
  assert.deepEqual(progressed.map((view) => view.id), [1, 3]);
  assert.deepEqual(finished, []);
});

test('a job that ends is reported finished once, also when it started and ended between two looks', () => {
  const previous = new Map([[1, job(1, {})]]);
  const current = [job(1, { state: 'done' }), job(2, { state: 'failed' })];
  assert.deepEqual(jobChanges(previous, current).finished.map((view) => view.id), [1, 2]);
  assert.deepEqual(jobChanges(new Map(current.map((view) => [view.id, view])), current).finished, []);
});

test('the notification says what happened', () => {
  assert.deepEqual(jobNotification(job(1, { state: 'done', result: { imported: 12345, merged: 0, alreadyListed: 0, list: 'RBL', notes: [], notesOmitted: 0 } })), { title: 'Import finished', body: '12,345 entries imported into RBL.' });
  assert.deepEqual(jobNotification(job(1, { state: 'cancelled' })), { title: 'Import cancelled', body: 'Nothing was changed.' });
  assert.deepEqual(jobNotification(jobOf('publish.run', { state: 'failed', error: { code: 'forbidden', message: 'no signing key' } })), { title: 'Publishing failed', body: 'no signing key' });
  assert.deepEqual(jobNotification(jobOf('publish.run', { result: publishResult({}) })), {
    title: 'Publishing finished',
    body: 'Snapshot 2026112801 of bl.example is published.',
  });
  assert.match(jobNotification(jobOf('publish.run', { result: publishResult({ published: false, serial: null, needsApproval: true }) })).body, /second publisher/);
  const refused = publishResult({
    published: false,
    serial: null,
    safety: [
      { name: 'test-points', status: 'pass', message: '', items: [] },
      { name: 'special-space', status: 'fail', message: 'private space', items: [] },
    ],
  });
  assert.equal(jobNotification(jobOf('publish.run', { result: refused })).body, 'Nothing was published: the safety check special-space failed.');
});

test('each job operation says what that job did, not what a publish does', () => {
  const qil = jobOf('qil.ingest', { result: { observations: 1200, repeated: 3, sources: 40, created: 52, extended: 7, notes: [], notesOmitted: 0 } });
  assert.deepEqual(jobNotification(qil), { title: 'Trap-hit ingest finished', body: '1,200 new trap hits (3 seen before) from 40 sources: 52 QIL listings created, 7 extended.' });
  assert.equal(
    jobNotification(jobOf('dul.preview', { result: preview({ rejected: ['line 2: bad'], rejectedLines: [2] }) })).body,
    'pools.txt for Example Telecom: 3 ranges, 2 added and 1 removed against the current set. 1 line rejected.',
  );
  const submission = {
    id: 7, isp: 'Example Telecom', mode: 'replace' as const, source: 'pools.txt', submittedBy: null, receivedAt: '2026-11-28T10:00:00.000Z', effectiveAt: null, validUntil: null,
    exclusions: [], policyNotes: null, investigator: 'Lia', added: 2, removed: 1, unchanged: 1, createdAt: '2026-11-28T10:00:00.000Z', revertedAt: null, revertedBy: null, activeRanges: 3,
  };
  assert.equal(
    jobNotification(jobOf('dul.commit', { result: { submission, preview: preview({}) } })).body,
    'DUL submission #7 of Example Telecom committed: 2 ranges added, 1 removed, 1 unchanged.',
  );
  const none = { total: 0, items: [] };
  assert.equal(
    jobNotification(jobOf('listings.importPreview', { result: { source: 'spam.txt', list: 'RBL', entries: 12, ranges: 11, ipv4: 11, ipv6: 0, willImport: 9, merged: none, alreadyListed: { total: 2, items: [] }, normalisations: none, overlaps: none, rejected: { total: 1, items: [] } } })).body,
    'spam.txt: 9 entries would be imported into RBL (2 already listed); 1 line rejected.',
  );
  assert.equal(jobNotification(jobOf('listings.bulk', { result: { action: 'reassign', changed: 49, skipped: 1, skippedReasons: [] } })).body, '49 listings changed (reassign), 1 left as they were.');
  assert.equal(jobNotification(jobOf('listings.export', { result: { csv: '', rows: 1 } })).body, '1 row exported.');
  assert.equal(jobNotification(jobOf('samples.import', { result: { committed: false, imported: 0, duplicates: 0, failed: 1, skipped: 0, messages: [] } })).body, 'Nothing was stored: 1 message was refused.');
  assert.equal(jobNotification(jobOf('delisting.import', { result: { created: [4, 5], closed: 1, notes: [] } })).body, '2 delisting requests imported (1 closed: not listed).');
  // A job whose result never arrived still says which kind of work ended, never that a safety check failed.
  assert.equal(resultSummary(jobOf('qil.ingest', {})), 'The trap hits are ingested.');
  assert.equal(resultSummary(jobOf('dul.commit', {})), 'The DUL submission is committed.');
});

test('the watcher reports progress and the end of a job, then stops', async () => {
  const views: JobView[][] = [[job(1, { done: 1 })], [job(1, { done: 50 })], [job(1, { state: 'done', done: 100 })]];
  let look = 0;
  const progress: number[] = [];
  const finished: number[] = [];
  const stop = watchJobs({
    list: () => views[Math.min(look++, views.length - 1)],
    onProgress: (view) => progress.push(view.done),
    onFinished: (view) => finished.push(view.id),
    intervalMilliseconds: 5,
  });
  // Three looks 5 ms apart; on a loaded machine timers run late, so wait for the end rather than a fixed time.
  for (let waited = 0; finished.length === 0 && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 30));
  stop();
  assert.deepEqual(progress, [1, 50, 100]);
  assert.deepEqual(finished, [1]);
});
