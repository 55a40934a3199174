/**
 * Import listings (`#/import-listings`): a file of ranges (plain text, one per line, or CSV
 * `range[,txt]`) onto one list with one reason. First a preview, read and checked by the core
 * without writing (`listings.importPreview`, a background job): counts, the lines merged, ranges
 * already listed, normalisations, overlaps, the bad lines with their numbers. Then the import
 * itself, a background job with progress, rate, time left and Cancel (all or nothing), and what it
 * did: how many imported, how many repeated lines merged, how many already listed.
 *
 * The file: chosen here, or in the desktop app in File > Import listings… or dropped on the
 * window. Either way it reaches the core as an upload (sent by the browser, or registered by the
 * desktop shell), never as a path: preview and import read the same upload, and the import uses it
 * up.
 */
import { useEffect, useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { ImportSummary } from '../../../../shared/listings.js';
import type { JobView } from '../../../../shared/jobs.js';
import { LISTS, REASON_LABELS, REASONS_BY_LIST, type ListName, type Reason } from '../../../../shared/domain.js';
import type { ExcerptOf, ListingsImportPreview } from '../../../../shared/listing-check.js';
import type { UploadReceipt } from '../../../../shared/files.js';
import { takeWaitingFiles, useWaitingFiles } from '../../desktop.js';
import { formatCount } from '../../format.js';
import { routeHref } from '../../routes.js';
import { useJob } from '../../useJob.js';
import { fileRef, useFileSender } from '../../uploads.js';
import { ErrorLine } from '../ErrorLine.js';
import { JobProgress } from '../JobProgress.js';
import { FileInput, UploadProgressLine } from '../UploadProgress.js';
import { listingsHash } from '../workbench/listingsRoute.js';
import '../forms.css';
import './listing.css';

/** Lists a file may fill: QIL entries come from trap hits or one at a time. */
const IMPORT_LISTS = LISTS.filter((list) => list !== 'QIL');

function Excerpt({ title, excerpt, isProblem = false }: { title: string; excerpt: ExcerptOf<string>; isProblem?: boolean }) {
  if (excerpt.total === 0) return null;
  return (
    <details className={isProblem ? 'import-excerpt import-excerpt-problem' : 'import-excerpt'} open={isProblem}>
      <summary>
        {title}: {formatCount(excerpt.total)}
      </summary>
      <ul aria-label={title}>
        {excerpt.items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
      {excerpt.total > excerpt.items.length && <p className="muted">and {formatCount(excerpt.total - excerpt.items.length)} more</p>}
    </details>
  );
}

function PreviewReport({ preview }: { preview: ListingsImportPreview }) {
  return (
    <section className="listing-preview card" aria-label="Import preview">
      <h2>Preview of {preview.source}</h2>
      <p>
        {formatCount(preview.entries)} entries, {formatCount(preview.ranges)} good ranges ({formatCount(preview.ipv4)} IPv4, {formatCount(preview.ipv6)} IPv6):{' '}
        <strong>{formatCount(preview.willImport)} to import</strong> onto {preview.list}, {formatCount(preview.merged.total)} repeated lines merged,{' '}
        {formatCount(preview.alreadyListed.total)} already listed.
      </p>
      <Excerpt title="Bad lines (nothing is imported until they are fixed)" excerpt={preview.rejected} isProblem />
      <Excerpt title="Lines merged (the same range earlier in the file)" excerpt={preview.merged} />
      <Excerpt title="Already listed (skipped)" excerpt={preview.alreadyListed} />
      <Excerpt title="Normalised" excerpt={preview.normalisations} />
      <Excerpt title="Overlapping listings in force" excerpt={preview.overlaps} />
    </section>
  );
}

function isPreview(value: unknown): value is ListingsImportPreview {
  return typeof value === 'object' && value !== null && 'willImport' in value && 'rejected' in value;
}

function isSummary(value: unknown): value is ImportSummary {
  return typeof value === 'object' && value !== null && 'imported' in value && 'merged' in value;
}

export function ImportListingsView() {
  const isDesktop = window.repdesk !== undefined;
  const waiting = useWaitingFiles('listings');
  const [file, setFile] = useState<UploadReceipt | null>(null);
  const sender = useFileSender();
  const [leftOut, setLeftOut] = useState<readonly string[]>([]);
  const [list, setList] = useState<ListName>('RBL');
  const [reason, setReason] = useState<Reason>('spam-source');
  const [txt, setTxt] = useState('');
  const [preview, setPreview] = useState<ListingsImportPreview | null>(null);
  const [outcome, setOutcome] = useState<{ summary: ImportSummary | null; error: ApiError | null; cancelled: boolean } | null>(null);
  useEffect(() => {
    if (!waiting) return;
    setFile(waiting[0]);
    setLeftOut(waiting.slice(1).map((receipt) => receipt.name));
    setPreview(null);
    setOutcome(null);
    takeWaitingFiles('listings');
  }, [waiting]);

  const choose = async (files: readonly File[]) => {
    setFile(null);
    setLeftOut(files.slice(1).map((chosen) => chosen.name));
    setPreview(null);
    const sent = await sender.send(files.slice(0, 1));
    if (sent.ok) {
      setFile(sent.value[0]);
      setOutcome(null);
    } else setOutcome({ summary: null, error: sent.error, cancelled: false });
  };
  const input = () => ({ file: file === null ? null : fileRef(file), list, reason, txt: txt.trim() === '' ? undefined : txt });
  const failed = (job: JobView) => job.error ?? { code: 'internal' as const, message: `the job ended ${job.state}` };
  const previewJob = useJob('listings.importPreview', (job) => {
    if (job.state === 'done' && isPreview(job.result)) setPreview(job.result);
    else if (job.state !== 'cancelled') setOutcome({ summary: null, error: failed(job), cancelled: false });
  });
  const importJob = useJob('listings.importFile', (job) => {
    if (job.state === 'done' && isSummary(job.result)) {
      setOutcome({ summary: job.result, error: null, cancelled: false });
      setPreview(null);
      // The import used the upload up: another import is a file chosen again.
      setFile(null);
    } else setOutcome({ summary: null, error: job.state === 'cancelled' ? null : failed(job), cancelled: job.state === 'cancelled' });
  });
  const startError = previewJob.tracked.state === 'failed' ? previewJob.tracked.error : importJob.tracked.state === 'failed' ? importJob.tracked.error : null;
  const changed = () => {
    setPreview(null);
    setOutcome(null);
  };
  const isBusy = previewJob.isBusy || importJob.isBusy;

  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">Import listings</h1>
      <form
        className="form-grid"
        aria-label="Import listings"
        onSubmit={(event) => {
          event.preventDefault();
          changed();
          previewJob.start(input());
        }}
      >
        <label htmlFor="import-file-input">File</label>
        <div className="form-field">
          <FileInput id="import-file-input" accept=".txt,.csv,text/plain,text/csv" onChoose={(files) => void choose(files)} />
          {file !== null && <code data-testid="import-file">{file.name}</code>}
          <UploadProgressLine progress={sender.progress} />
          {file === null && isDesktop && <p className="form-hint">Or choose it with File &gt; Import listings…, or drop a .txt or .csv file on this window.</p>}
          {leftOut.length > 0 && <p className="form-hint">One file at a time: {leftOut.join(', ')} left out.</p>}
          <p className="form-hint">Plain text, one range per line, or CSV range[,txt] (a header line is allowed); # starts a comment.</p>
        </div>
        <label htmlFor="import-list">List</label>
        <div className="form-field">
          <select
            id="import-list"
            value={list}
            onChange={(event) => {
              const next = event.target.value as ListName;
              setList(next);
              setReason(REASONS_BY_LIST[next][0]);
              changed();
            }}
          >
            {IMPORT_LISTS.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <label htmlFor="import-reason">Reason</label>
        <div className="form-field">
          <select
            id="import-reason"
            value={reason}
            onChange={(event) => {
              setReason(event.target.value as Reason);
              changed();
            }}
          >
            {REASONS_BY_LIST[list].map((value) => (
              <option key={value} value={value}>
                {REASON_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
        <label htmlFor="import-txt">TXT</label>
        <div className="form-field">
          <input
            id="import-txt"
            type="text"
            value={txt}
            onChange={(event) => {
              setTxt(event.target.value);
              changed();
            }}
          />
          <p className="form-hint">For the lines without their own TXT; a $ stands for the queried address.</p>
        </div>
        <div className="form-actions">
          <button type="submit" disabled={file === null || sender.progress !== null || isBusy}>
            Preview
          </button>
          {preview && (
            <button type="button" disabled={isBusy || preview.rejected.total > 0 || preview.willImport === 0} onClick={() => importJob.start(input())}>
              Import {formatCount(preview.willImport)} listings
            </button>
          )}
        </div>
      </form>
      {previewJob.tracked.state === 'running' && (
        <JobProgress job={previewJob.tracked.job} label="Preview" unit="lines" isCancelling={previewJob.tracked.isCancelling} cancelError={previewJob.cancelError} onCancel={previewJob.cancel} />
      )}
      {importJob.tracked.state === 'running' && (
        <JobProgress job={importJob.tracked.job} label="Import" unit="ranges" isCancelling={importJob.tracked.isCancelling} cancelError={importJob.cancelError} onCancel={importJob.cancel} />
      )}
      {preview && <PreviewReport preview={preview} />}
      {outcome?.cancelled && (
        <p className="outcome" role="status">
          Cancelled: nothing was imported.
        </p>
      )}
      {outcome?.summary && (
        <p className="outcome" role="status">
          Imported {formatCount(outcome.summary.imported)} listings onto {outcome.summary.list}; {formatCount(outcome.summary.merged)} repeated lines merged,{' '}
          {formatCount(outcome.summary.alreadyListed)} already listed (skipped).{' '}
          <a href={listingsHash(new URLSearchParams({ list: outcome.summary.list }).toString())}>See them in Listings</a>
        </p>
      )}
      {(outcome?.error ?? startError) && <ErrorLine error={(outcome?.error ?? startError) as ApiError} />}
      <p>
        <a href={routeHref('listings')}>← Listings</a>
      </p>
    </section>
  );
}
