/**
 * The QIL section: importing a spam-trap hit log (the background job `qil.ingest`, with progress
 * and Cancel) and what the import did. A source's score and level stay in Lookup's QIL panel.
 */
import { useState } from 'react';
import type { ApiError } from '../../../shared/result.js';
import type { JobView } from '../../../shared/jobs.js';
import type { QilIngestSummary } from '../../../shared/qil.js';
import { formatCount } from '../format.js';
import { routeHref } from '../routes.js';
import { useJob } from '../useJob.js';
import { fileRef, useFileSender } from '../uploads.js';
import { ErrorLine } from './ErrorLine.js';
import { JobProgress } from './JobProgress.js';
import { ChosenFiles, FileInput, UploadProgressLine } from './UploadProgress.js';
import './qil.css';

/** The job's result crosses the boundary untyped; check the shape this view reads before using it. */
function isIngestSummary(value: unknown): value is QilIngestSummary {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    ['observations', 'repeated', 'sources', 'created', 'extended', 'notesOmitted'].every((key) => typeof record[key] === 'number') &&
    Array.isArray(record.notes) &&
    record.notes.every((note) => typeof note === 'string')
  );
}

function TrapLogFormat() {
  return (
    <div className="qil-format">
      <p className="qil-format-title">
        Expected format: CSV, one hit a line: <code>timestamp,source IP,count[,trap id]</code>
      </p>
      <dl className="facts">
        <div>
          <dt>timestamp</dt>
          <dd>
            ISO 8601 with <code>Z</code> or an offset (<code>2026-11-28T17:00:00Z</code>), or Unix seconds (<code>1795885200</code>)
          </dd>
        </div>
        <div>
          <dt>source IP</dt>
          <dd>one IPv4 or IPv6 address; private and other special-purpose space is skipped with a note</dd>
        </div>
        <div>
          <dt>count</dt>
          <dd>spam messages the trap received in that hit, a whole number from 1 to 1,000,000</dd>
        </div>
        <div>
          <dt>trap id</dt>
          <dd>optional: letters, digits and . _ : @ / + - (at most 100)</dd>
        </div>
      </dl>
      <p className="muted">
        A first line <code>timestamp,source,count,trap</code> is taken as a header. Example (documentation addresses):
      </p>
      <pre className="qil-example">
        {'timestamp,source,count,trap\n2026-11-28T17:00:00Z,198.51.100.7,3,trap-a\n1795885200,2001:db8::25,1'}
      </pre>
    </div>
  );
}

function IngestSummary({ summary }: { summary: QilIngestSummary }) {
  const facts: Array<[string, number]> = [
    ['Hits read', summary.observations + summary.repeated],
    ['New', summary.observations],
    ['Duplicates skipped', summary.repeated],
    ['Sources', summary.sources],
    ['Listings created', summary.created],
    ['Listings extended', summary.extended],
  ];
  return (
    <div className="outcome outcome-published qil-summary" role="status" aria-label="Import summary">
      <p className="outcome-title">
        {summary.observations === 0
          ? 'Nothing new: every hit in this file was already stored, so no score or listing changed.'
          : `Imported ${formatCount(summary.observations)} new trap hit${summary.observations === 1 ? '' : 's'}.`}
      </p>
      <dl className="facts">
        {facts.map(([label, count]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className="number">{formatCount(count)}</dd>
          </div>
        ))}
      </dl>
      {summary.notes.length > 0 && (
        <>
          <p className="outcome-title">Notes</p>
          <ul className="notes">
            {summary.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
            {summary.notesOmitted > 0 && <li>… and {formatCount(summary.notesOmitted)} more</li>}
          </ul>
        </>
      )}
      <p className="muted">
        A source&apos;s score, level and expiry show in <a href={routeHref('lookup')}>Lookup</a>.
      </p>
    </div>
  );
}

function JobOutcome({ job }: { job: JobView }) {
  switch (job.state) {
    case 'running':
      return null;
    case 'cancelled':
      return (
        <p className="outcome" role="status">
          Cancelled: nothing was ingested.
        </p>
      );
    case 'failed':
      return <ErrorLine error={job.error ?? { code: 'internal', message: 'The import failed without a message.' }} />;
    case 'done':
      return isIngestSummary(job.result) ? (
        <IngestSummary summary={job.result} />
      ) : (
        <p className="error" role="alert">
          The import ended, but its result could not be read.
        </p>
      );
    default: {
      const unreachable: never = job.state;
      return unreachable;
    }
  }
}

function TrapLogImport() {
  const [file, setFile] = useState<File | null>(null);
  const [sendError, setSendError] = useState<ApiError | null>(null);
  const sender = useFileSender();
  const job = useJob('qil.ingest', () => undefined);
  const { tracked } = job;
  return (
    <section className="panel" aria-labelledby="qil-import-title">
      <div className="panel-heading">
        <h2 id="qil-import-title">Import a spam-trap hit log</h2>
      </div>
      <p className="panel-summary">
        Each hit raises its source&apos;s score; sources over a level&apos;s threshold are listed on QIL at that level or have their listing extended. All or
        nothing: a file with a bad line changes nothing. Hits already stored are skipped, so importing a file twice changes nothing.
      </p>
      <TrapLogFormat />
      <form
        className="qil-import-form"
        aria-label="Import a spam-trap hit log"
        onSubmit={(event) => {
          event.preventDefault();
          if (file === null) return;
          setSendError(null);
          void sender.send([file]).then((sent) => (sent.ok ? job.start({ file: fileRef(sent.value[0]) }) : setSendError(sent.error)));
        }}
      >
        <label htmlFor="qil-log-file">CSV file</label>
        <FileInput id="qil-log-file" accept=".csv,.txt,text/csv,text/plain" onChoose={(files) => setFile(files[0])} />
        <ChosenFiles files={file ? [file] : []} />
        <button type="submit" disabled={job.isBusy || file === null || sender.progress !== null}>
          {job.isBusy ? 'Running…' : 'Run'}
        </button>
      </form>
      <UploadProgressLine progress={sender.progress} />
      {sendError && <ErrorLine error={sendError} />}
      {tracked.state === 'failed' && <ErrorLine error={tracked.error} />}
      {tracked.state === 'running' && (
        <JobProgress
          job={tracked.job}
          label="Trap-hit import"
          unit={tracked.job.stage === 'scoring' ? 'sources' : 'lines'}
          isCancelling={tracked.isCancelling}
          cancelError={job.cancelError}
          onCancel={job.cancel}
        />
      )}
      {tracked.state === 'finished' && <JobOutcome job={tracked.job} />}
    </section>
  );
}

export function QilView() {
  return (
    <section aria-labelledby="view-title" className="qil">
      <h1 id="view-title">QIL</h1>
      <TrapLogImport />
    </section>
  );
}
