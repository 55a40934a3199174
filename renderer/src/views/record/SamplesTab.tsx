/**
 * A record's spam samples: statistics with a chart of samples per day (uPlot), a drop zone and a
 * file form for importing (.eml, mbox), the per-file outcome of the last import, the samples
 * table (a sample whose source is outside the record marked), and the viewer (SampleViewer).
 */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ApiError } from '../../../../shared/result.js';
import type { JobView } from '../../../../shared/jobs.js';
import type { SampleImportResult, SampleStats } from '../../../../shared/evidence.js';
import { useApi } from '../../api.js';
import { takeWaitingFiles, useWaitingFiles } from '../../desktop.js';
import { formatBytes, formatCount, formatTime } from '../../format.js';
import { useJob } from '../../useJob.js';
import { useReloadable } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { JobProgress } from '../JobProgress.js';
import { SampleViewer } from './SampleViewer.js';
import { fileRef, useFileSender } from '../../uploads.js';
import { UploadProgressLine } from '../UploadProgress.js';
import './record.css';

const DAY_SECONDS = 86_400;

/**
 * Samples per day as uPlot's aligned data: every day from the first to the last, zero where none,
 * and at least the last week, so a single day draws as a bar in a week rather than alone.
 */
export function perDaySeries(perDay: SampleStats['perDay']): [number[], number[]] {
  if (perDay.length === 0) return [[], []];
  const counts = new Map(perDay.map((day) => [Date.parse(`${day.day}T00:00:00Z`) / 1000, day.count]));
  const last = Math.max(...counts.keys());
  const first = Math.min(...counts.keys(), last - 6 * DAY_SECONDS);
  const days: number[] = [];
  const values: number[] = [];
  for (let day = first; day <= last; day += DAY_SECONDS) {
    days.push(day);
    values.push(counts.get(day) ?? 0);
  }
  return [days, values];
}

function PerDayChart({ stats }: { stats: SampleStats }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element || stats.perDay.length === 0) return;
    const color = getComputedStyle(element).color;
    const chart = new uPlot(
      {
        width: Math.min(560, Math.max(240, element.clientWidth)),
        height: 140,
        legend: { show: false },
        cursor: { show: true, drag: { x: false, y: false } },
        scales: {
          // Half a day of margin each side, so the first and last days' bars are whole.
          x: { time: true, range: (_self, min, max) => [min - DAY_SECONDS / 2, max + DAY_SECONDS / 2] },
          y: { range: (_self, _min, max) => [0, Math.max(1, max)] },
        },
        axes: [
          { stroke: color, grid: { show: false }, ticks: { stroke: color } },
          // Whole samples only: no 0.5 on the count axis.
          { stroke: color, grid: { stroke: 'rgba(128,128,128,0.25)' }, ticks: { stroke: color }, size: 40, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000] },
        ],
        series: [{}, { label: 'samples', stroke: color, fill: 'rgba(128,128,128,0.2)', paths: uPlot.paths.bars?.({ size: [0.8, 40] }), points: { show: false } }],
      },
      perDaySeries(stats.perDay),
      element,
    );
    return () => chart.destroy();
  }, [stats]);
  const description = `Samples per day from ${stats.perDay[0]?.day ?? '-'} to ${stats.perDay.at(-1)?.day ?? '-'}: ${stats.perDay.map((day) => `${day.day} ${day.count}`).join(', ')}`;
  return <div className="samples-chart" ref={container} role="img" aria-label={description} />;
}

function ImportOutcome({ result }: { result: SampleImportResult }) {
  return (
    <div className="sample-outcome" aria-label="Import outcome">
      <p role="status" className={result.committed ? undefined : 'error'}>
        {result.committed
          ? `Stored ${formatCount(result.imported)} new sample${result.imported === 1 ? '' : 's'}; ${formatCount(result.duplicates)} already stored; ${formatCount(result.failed)} refused.`
          : `Nothing was stored: ${formatCount(result.failed)} message${result.failed === 1 ? ' was' : 's were'} refused. Tick "Import the valid ones" to store the ${formatCount(result.skipped)} others.`}
      </p>
      <ul className="sample-outcome-list">
        {result.messages.map((message, index) => (
          <li key={index} className={`sample-outcome-${message.outcome}`}>
            <strong>{message.file.split(/[\\/]/).pop()}</strong>
            {message.message !== null && ` #${message.message}`}: {message.outcome}
            {message.problem && ` — ${message.problem}`}
            {message.sourceIp && ` · source ${message.sourceIp}`}
            {message.notes.map((note) => (
              <span key={note} className="muted">
                {' '}
                · {note}
              </span>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The samples of one record (listing). */
/** `onChanged`: samples were added or linked, so the record's counts (tab label, evidence line) follow. */
export function SamplesTab({ listingId, onChanged }: { listingId: number; onChanged?: () => void }) {
  const api = useApi();
  const samples = useReloadable(() => api['samples.list']({ listingId, afterId: 0, limit: 200 }));
  const stats = useReloadable(() => api['samples.stats']({ listingId }));
  const [viewing, setViewing] = useState<number | null>(null);
  const [importValid, setImportValid] = useState(false);
  const [isDragging, setIsDragging] = useState(false);
  const sender = useFileSender();
  const [result, setResult] = useState<SampleImportResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = () => {
    samples.reload();
    stats.reload();
    onChanged?.();
  };
  const job = useJob('samples.import', (finished: JobView) => {
    if (finished.state === 'done') {
      setResult(finished.result as SampleImportResult);
      reload();
    } else setError(finished.error ?? { code: 'internal', message: `the import ended ${finished.state}` });
  });
  // Files chosen in the desktop's File menu or dropped on the window come through the shell, already uploads.
  const waitingFiles = useWaitingFiles('samples');
  const { start } = job;
  useEffect(() => {
    if (!waitingFiles) return;
    takeWaitingFiles('samples');
    setResult(null);
    setError(null);
    start({ files: waitingFiles.map(fileRef), listingId, importValid });
    // Only new files start an import; a changed checkbox does not.
  }, [waitingFiles]);

  /** Send the chosen or dropped files, then import them as a background job (any size, with progress and Cancel). */
  const upload = async (files: readonly File[]) => {
    setResult(null);
    setError(null);
    const sent = await sender.send(files);
    if (!sent.ok) setError(sent.error);
    else job.start({ files: sent.value.map(fileRef), listingId, importValid });
  };

  const drop = (event: DragEvent) => {
    setIsDragging(false);
    // In the desktop app the shell's preload takes a drop no screen handled and sends it back here
    // as an intent with the files registered as uploads: so the drop is left unhandled there.
    if (window.repdesk) return;
    event.preventDefault();
    const files = [...event.dataTransfer.files];
    if (files.length > 0) void upload(files);
  };

  return (
    <section className="samples-tab" aria-labelledby={`samples-title-${listingId}`}>
      <h2 id={`samples-title-${listingId}`}>Spam samples</h2>
      {stats.loaded.state === 'failed' && <ErrorLine error={stats.loaded.error} />}
      {stats.loaded.state === 'done' && (
        <div className="samples-stats">
          <p aria-label="Sample statistics">
            {stats.loaded.value.count === 0 ? (
              'No samples yet.'
            ) : (
              <>
                <strong>{formatCount(stats.loaded.value.count)}</strong> sample{stats.loaded.value.count === 1 ? '' : 's'}, first seen{' '}
                <time dateTime={stats.loaded.value.firstSeen ?? ''}>{formatTime(stats.loaded.value.firstSeen ?? '')}</time>, last seen{' '}
                <time dateTime={stats.loaded.value.lastSeen ?? ''}>{formatTime(stats.loaded.value.lastSeen ?? '')}</time>.
              </>
            )}
          </p>
          {stats.loaded.value.count > 0 && <PerDayChart stats={stats.loaded.value} />}
        </div>
      )}
      <div
        className={`drop-zone${isDragging ? ' drop-zone-active' : ''}`}
        aria-label="Drop .eml or mbox files here"
        onDragOver={(event) => {
          event.preventDefault();
          setIsDragging(true);
        }}
        onDragLeave={() => setIsDragging(false)}
        onDrop={drop}
      >
        <p>Drop .eml or mbox files here to attach them to this record.</p>
        <label>
          or choose files{' '}
          <input
            type="file"
            multiple
            accept=".eml,.mbox,message/rfc822,application/mbox"
            onChange={(event) => {
              const files = [...(event.target.files ?? [])];
              event.target.value = '';
              if (files.length > 0) void upload(files);
            }}
          />
        </label>
        <label>
          <input type="checkbox" checked={importValid} onChange={(event) => setImportValid(event.target.checked)} /> Import the valid ones when some are refused
        </label>
        <UploadProgressLine progress={sender.progress} />
      </div>
      {job.tracked.state === 'running' && (
        <JobProgress job={job.tracked.job} label="Sample import" unit="bytes" isCancelling={job.tracked.isCancelling} cancelError={job.cancelError} onCancel={job.cancel} />
      )}
      {job.tracked.state === 'failed' && <ErrorLine error={job.tracked.error} />}
      {error && <ErrorLine error={error} />}
      {result && <ImportOutcome result={result} />}
      {samples.loaded.state === 'failed' && <ErrorLine error={samples.loaded.error} />}
      {samples.loaded.state === 'done' && samples.loaded.value.total > 0 && (
        <div className="table-scroll">
          <table aria-label="Samples">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Date</th>
                <th scope="col">Source</th>
                <th scope="col">From</th>
                <th scope="col">Subject</th>
                <th scope="col">Size</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {samples.loaded.value.samples.map((sample) => (
                <tr key={sample.id} className={sample.id === viewing ? 'selected' : undefined}>
                  <td>{sample.id}</td>
                  <td>{formatTime(sample.sentAt ?? sample.importedAt)}</td>
                  <td>
                    {sample.sourceIp ?? '-'}
                    {sample.isSourceOutside && <span className="tag tag-overdue"> outside this record</span>}
                  </td>
                  <td>{sample.from ?? '-'}</td>
                  <td>{sample.subject ?? '(no subject)'}</td>
                  <td>{formatBytes(sample.size)}</td>
                  <td>
                    <button type="button" className="secondary" onClick={() => setViewing(sample.id)}>
                      View
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {samples.loaded.value.total > samples.loaded.value.samples.length && (
            <p className="muted">
              The newest {samples.loaded.value.samples.length} of {formatCount(samples.loaded.value.total)}.
            </p>
          )}
        </div>
      )}
      {viewing !== null && <SampleViewer key={viewing} id={viewing} listingId={listingId} onChanged={reload} onClose={() => setViewing(null)} />}
    </section>
  );
}
