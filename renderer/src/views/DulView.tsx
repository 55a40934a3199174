/**
 * The DUL section: the ISP registry, and per ISP its record, an import with preview and commit
 * (both background jobs with progress and Cancel), its submissions over time with Revert on the
 * latest one in force, and its active ranges with the limits that touch them.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ApiError, JobView } from '../../../shared/contract.js';
import type { IspDetail, PreviewList, RangeOverlap, SubmissionPreview, SubmissionResult } from '../../../shared/dul.js';
import { useApi } from '../api.js';
import { takeWaitingFiles, useWaitingFiles } from '../desktop.js';
import { formatCount, formatTime } from '../format.js';
import { navigate, routeHref } from '../routes.js';
import { useJob } from '../useJob.js';
import { useReloadable } from '../useOperation.js';
import { ErrorLine } from './ErrorLine.js';
import { JobProgress } from './JobProgress.js';
import { CorrespondencePanel } from './record/CorrespondenceTab.js';

function IspList() {
  const api = useApi();
  const isps = useReloadable(() => api['isps.list']({}));
  const waitingFiles = useWaitingFiles('dul');
  const [name, setName] = useState('');
  const [asns, setAsns] = useState('');
  const [country, setCountry] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  const add = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const numbers = asns
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((text) => Number(text.replace(/^AS/i, '')));
    api['isps.add']({ name, asns: numbers, country: country || undefined, liaisonContacts: [], ispContacts: [] }).then((result) => {
      if (!result.ok) setError(result.error);
      else {
        setName('');
        setAsns('');
        setCountry('');
        isps.reload();
      }
    });
  };

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">DUL: ISPs</h1>
      {waitingFiles && <p role="status">Open the ISP that sent {waitingFiles.join(', ')}: its import form will have the file.</p>}
      {isps.loaded.state === 'loading' && <p aria-live="polite">Loading…</p>}
      {isps.loaded.state === 'failed' && <ErrorLine error={isps.loaded.error} />}
      {isps.loaded.state === 'done' && (
        <table>
          <thead>
            <tr>
              <th scope="col">ISP</th>
              <th scope="col">Country</th>
              <th scope="col">ASNs</th>
              <th scope="col">Active DUL ranges</th>
            </tr>
          </thead>
          <tbody>
            {isps.loaded.value.map((isp) => (
              <tr key={isp.id}>
                <td>
                  <a href={routeHref('dul', isp.name)}>{isp.name}</a>
                </td>
                <td>{isp.country ?? ''}</td>
                <td>{isp.asns.map((asn) => `AS${asn}`).join(', ')}</td>
                <td>{formatCount(isp.activeRanges)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={add} aria-label="Add an ISP">
        <h2>Add an ISP</h2>
        <label>
          Name <input value={name} onChange={(event) => setName(event.target.value)} required />
        </label>
        <label>
          ASNs <input value={asns} onChange={(event) => setAsns(event.target.value)} placeholder="64500, 64501" />
        </label>
        <label>
          Country <input value={country} onChange={(event) => setCountry(event.target.value)} placeholder="NL" maxLength={2} />
        </label>
        <button type="submit">Add</button>
        {error && <ErrorLine error={error} />}
      </form>
    </section>
  );
}

const PAGE_SIZE = 1000;

/**
 * One of the preview's lists: its first page comes with the preview; every other page is read
 * from the preview's spool, so a million-line diff is browsable without a million DOM rows.
 */
function Excerpt<T extends string | RangeOverlap>({
  title,
  list,
  spool,
  excerpt,
  show,
}: {
  title: string;
  list: PreviewList;
  spool: string | null;
  excerpt: { total: number; items: readonly T[] };
  show: (item: T) => string;
}) {
  const api = useApi();
  const [page, setPage] = useState(0);
  const [loaded, setLoaded] = useState<{ page: number; items: readonly T[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const pages = Math.ceil(excerpt.total / PAGE_SIZE);
  useEffect(() => {
    if (page === 0 || spool === null) return;
    let isCurrent = true;
    void api['dul.previewItems']({ spool, list, offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then((result) => {
      if (!isCurrent) return;
      if (result.ok) {
        setError(null);
        setLoaded({ page, items: result.value.items as readonly T[] });
      } else setError(result.error);
    });
    return () => {
      isCurrent = false;
    };
  }, [api, list, page, spool]);
  if (excerpt.total === 0) return null;
  const items = page === 0 ? excerpt.items : loaded?.page === page ? loaded.items : [];
  const first = page * PAGE_SIZE;
  return (
    <details>
      <summary>
        {title}: {formatCount(excerpt.total)}
      </summary>
      {pages > 1 && (
        <p className="pager" aria-label={`${title} pages`}>
          <button type="button" onClick={() => setPage(page - 1)} disabled={page === 0}>
            Previous
          </button>
          <span>
            {formatCount(first + 1)}–{formatCount(Math.min(first + PAGE_SIZE, excerpt.total))} of {formatCount(excerpt.total)}
          </span>
          <button type="button" onClick={() => setPage(page + 1)} disabled={page + 1 >= pages || spool === null}>
            Next
          </button>
        </p>
      )}
      {error && <ErrorLine error={error} />}
      <ul>
        {items.map((item, index) => (
          <li key={first + index}>{show(item)}</li>
        ))}
      </ul>
    </details>
  );
}

function PreviewReport({ preview }: { preview: SubmissionPreview }) {
  const text = (item: string) => item;
  const overlap = (item: RangeOverlap) =>
    `line ${item.line}: ${item.range} meets ${item.list} #${item.listingId} ${item.otherRange}${item.isp ? ` (${item.isp})` : ''}`;
  return (
    <div className="dul-preview" aria-label="Submission preview">
      <p>
        {preview.source}: {formatCount(preview.lines)} lines, {formatCount(preview.ranges)} ranges ({formatCount(preview.ipv4)} IPv4, {formatCount(preview.ipv6)} IPv6).
        Against the current set: <strong>{formatCount(preview.diff.added.total)} added</strong>, <strong>{formatCount(preview.diff.removed.total)} removed</strong>,{' '}
        {formatCount(preview.diff.unchanged)} unchanged.
      </p>
      {preview.exclusions.length > 0 && <p>Exclusions (never listed): {preview.exclusions.join(', ')}</p>}
      <Excerpt title="Added" list="added" spool={preview.spool} excerpt={preview.diff.added} show={text} />
      <Excerpt title="Removed" list="removed" spool={preview.spool} excerpt={preview.diff.removed} show={text} />
      <Excerpt title="Normalised" list="normalisations" spool={preview.spool} excerpt={preview.normalisations} show={text} />
      <Excerpt title="Duplicates merged" list="duplicates" spool={preview.spool} excerpt={preview.duplicates} show={text} />
      <Excerpt title="Overlapping another ISP's DUL ranges" list="otherIspOverlaps" spool={preview.spool} excerpt={preview.otherIspOverlaps} show={overlap} />
      <Excerpt title="Meeting a GAL entry" list="galOverlaps" spool={preview.spool} excerpt={preview.galOverlaps} show={overlap} />
      <Excerpt title="Meeting an active RBL listing" list="rblOverlaps" spool={preview.spool} excerpt={preview.rblOverlaps} show={overlap} />
      {preview.rejected.length > 0 && (
        <div className="error" role="alert">
          <p>{formatCount(preview.rejected.length)} rejected lines:</p>
          <ul>
            {preview.rejected.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function ImportForm({ isp, onCommitted }: { isp: string; onCommitted: () => void }) {
  const [path, setPath] = useState('');
  const [mode, setMode] = useState<'replace' | 'add'>('replace');
  const [received, setReceived] = useState('');
  const [effective, setEffective] = useState('');
  const [validUntil, setValidUntil] = useState('');
  const [submittedBy, setSubmittedBy] = useState('');
  const [policyNotes, setPolicyNotes] = useState('');
  const [exclusions, setExclusions] = useState('');
  const [preview, setPreview] = useState<SubmissionPreview | null>(null);
  const [acceptsRejected, setAcceptsRejected] = useState(false);
  const [outcome, setOutcome] = useState<{ error: ApiError | null; committed: SubmissionResult | null }>({ error: null, committed: null });
  // A file chosen in the desktop's File menu or dropped on the window: one file per submission.
  const waitingFiles = useWaitingFiles('dul');
  const [leftOutFiles, setLeftOutFiles] = useState<readonly string[]>([]);
  useEffect(() => {
    if (!waitingFiles) return;
    setPath(waitingFiles[0]);
    setLeftOutFiles(waitingFiles.slice(1));
    setPreview(null);
    takeWaitingFiles('dul');
  }, [waitingFiles]);

  const input = () => ({
    path,
    isp,
    mode,
    received: received || undefined,
    effective: effective || undefined,
    validUntil: validUntil || undefined,
    submittedBy: submittedBy.trim() || undefined,
    policyNotes: policyNotes.trim() || undefined,
    exclude: exclusions.split(/[\s,]+/).filter(Boolean),
  });
  const finishedWith = (job: JobView) => (job.state === 'done' ? null : (job.error ?? { code: 'internal' as const, message: `the job ended ${job.state}` }));
  const previewJob = useJob('dul.preview', (job) => {
    const error = finishedWith(job);
    setPreview(error ? null : (job.result as SubmissionPreview));
    setAcceptsRejected(false);
    setOutcome({ error, committed: null });
  });
  const commitJob = useJob('dul.commit', (job) => {
    const error = finishedWith(job);
    setOutcome({ error, committed: error ? null : (job.result as SubmissionResult) });
    if (!error) {
      setPreview(null);
      onCommitted();
    }
  });
  const startError = previewJob.tracked.state === 'failed' ? previewJob.tracked.error : commitJob.tracked.state === 'failed' ? commitJob.tracked.error : null;
  const hasRejected = preview !== null && preview.rejected.length > 0;

  return (
    <form
      aria-label="Import a submission"
      onSubmit={(event) => {
        event.preventDefault();
        setPreview(null);
        previewJob.start(input());
      }}
    >
      <h2>Import a submission</h2>
      <label>
        File on this computer <input value={path} onChange={(event) => setPath(event.target.value)} required placeholder="/home/me/isp-dul.csv" />
      </label>
      {leftOutFiles.length > 0 && <p className="muted">One file per submission: {leftOutFiles.join(', ')} left out.</p>}
      <label>
        Mode{' '}
        <select value={mode} onChange={(event) => setMode(event.target.value === 'add' ? 'add' : 'replace')}>
          <option value="replace">Replace the ISP's set</option>
          <option value="add">Add to it</option>
        </select>
      </label>
      <label>
        Received <input type="date" value={received} onChange={(event) => setReceived(event.target.value)} />
      </label>
      <label>
        Submitted by <input value={submittedBy} onChange={(event) => setSubmittedBy(event.target.value)} placeholder="noc@isp.example" />
      </label>
      <label>
        Effective <input type="date" value={effective} onChange={(event) => setEffective(event.target.value)} />
      </label>
      <label>
        Valid until <input type="date" value={validUntil} onChange={(event) => setValidUntil(event.target.value)} />
      </label>
      <label>
        Policy notes <input value={policyNotes} onChange={(event) => setPolicyNotes(event.target.value)} />
      </label>
      <label>
        Exclusions <input value={exclusions} onChange={(event) => setExclusions(event.target.value)} placeholder="45.10.7.0/24, 45.10.200.16/28" />
      </label>
      <button type="submit" disabled={previewJob.isBusy || commitJob.isBusy}>
        Preview
      </button>
      {previewJob.tracked.state === 'running' && (
        <JobProgress job={previewJob.tracked.job} label="Preview" unit="lines" isCancelling={previewJob.tracked.isCancelling} cancelError={previewJob.cancelError} onCancel={previewJob.cancel} />
      )}
      {preview && <PreviewReport preview={preview} />}
      {preview && hasRejected && (
        <label>
          <input type="checkbox" checked={acceptsRejected} onChange={(event) => setAcceptsRejected(event.target.checked)} /> Leave out the {preview.rejected.length} rejected lines
          above and commit the rest
        </label>
      )}
      {preview && (
        <button
          type="button"
          disabled={commitJob.isBusy || (hasRejected && !acceptsRejected)}
          onClick={() => commitJob.start({ ...input(), ...(hasRejected ? { confirmRejected: preview.rejectedLines } : {}) })}
        >
          Commit
        </button>
      )}
      {commitJob.tracked.state === 'running' && (
        <JobProgress job={commitJob.tracked.job} label="Import" unit="ranges" isCancelling={commitJob.tracked.isCancelling} cancelError={commitJob.cancelError} onCancel={commitJob.cancel} />
      )}
      {outcome.committed && (
        <p role="status">
          Submission #{outcome.committed.submission.id} committed: {formatCount(outcome.committed.submission.added)} added, {formatCount(outcome.committed.submission.removed)} removed.
        </p>
      )}
      {(outcome.error ?? startError) && <ErrorLine error={(outcome.error ?? startError) as ApiError} />}
    </form>
  );
}

function IspPage({ name }: { name: string }) {
  const api = useApi();
  const detail = useReloadable(() => api['isps.get']({ name }));
  const [revertError, setRevertError] = useState<ApiError | null>(null);
  if (detail.loaded.state === 'loading') return <p aria-live="polite">Loading…</p>;
  if (detail.loaded.state === 'failed') return <ErrorLine error={detail.loaded.error} />;
  const { isp, submissions, ranges }: IspDetail = detail.loaded.value;
  const latest = submissions.find((submission) => submission.revertedAt === null);
  const revert = (id: number) => {
    setRevertError(null);
    api['dul.revert']({ id }).then((result) => {
      if (!result.ok) setRevertError(result.error);
      detail.reload();
    });
  };
  return (
    <section aria-labelledby="view-title">
      <p>
        <a href={routeHref('dul')} onClick={() => navigate('dul')}>
          All ISPs
        </a>
      </p>
      <h1 id="view-title">{isp.name}</h1>
      <dl>
        <dt>Country</dt>
        <dd>{isp.country ?? '-'}</dd>
        <dt>ASNs</dt>
        <dd>{isp.asns.map((asn) => `AS${asn}`).join(', ') || '-'}</dd>
        <dt>Contacts</dt>
        <dd>{[...isp.liaisonContacts, ...isp.ispContacts].join('; ') || '-'}</dd>
        <dt>Notes</dt>
        <dd>{isp.notes ?? '-'}</dd>
        <dt>Active DUL ranges</dt>
        <dd>{formatCount(isp.activeRanges)}</dd>
      </dl>
      <ImportForm isp={isp.name} onCommitted={detail.reload} />
      <h2>Submissions</h2>
      {revertError && <ErrorLine error={revertError} />}
      <table aria-label="Submissions">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">File</th>
            <th scope="col">Received</th>
            <th scope="col">Limits</th>
            <th scope="col">Change</th>
            <th scope="col">Active</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {submissions.map((submission) => (
            <tr key={submission.id}>
              <td>{submission.id}</td>
              <td>
                {submission.source} ({submission.mode}) by {submission.investigator}
              </td>
              <td>{formatTime(submission.receivedAt)}</td>
              <td>
                {submission.effectiveAt ? `from ${formatTime(submission.effectiveAt)} ` : ''}
                {submission.validUntil ? `until ${formatTime(submission.validUntil)}` : ''}
                {submission.exclusions.length > 0 ? ` excluding ${submission.exclusions.join(', ')}` : ''}
              </td>
              <td>
                +{formatCount(submission.added)} −{formatCount(submission.removed)}
              </td>
              <td>{submission.revertedAt ? `reverted ${formatTime(submission.revertedAt)}` : formatCount(submission.activeRanges)}</td>
              <td>
                {submission === latest && (
                  <button type="button" className="secondary" onClick={() => revert(submission.id)}>
                    Revert
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Active ranges</h2>
      {isp.activeRanges > ranges.length && <p className="muted">The first {ranges.length} of {formatCount(isp.activeRanges)}.</p>}
      <table aria-label="Active ranges">
        <thead>
          <tr>
            <th scope="col">Range</th>
            <th scope="col">Submission</th>
            <th scope="col">Valid until</th>
            <th scope="col">Policy note</th>
          </tr>
        </thead>
        <tbody>
          {ranges.map((range) => (
            <tr key={range.listingId}>
              <td>
                <a href={routeHref('lookup', range.range.split(/[/-]/)[0])}>{range.range}</a>
              </td>
              <td>#{range.submissionId}</td>
              <td>{range.validUntil ? formatTime(range.validUntil) : ''}</td>
              <td>{range.policyNote ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <CorrespondencePanel isp={isp.name} />
    </section>
  );
}

/** The DUL section: the registry, or one ISP's page when the route names it. */
export function DulView({ ispName }: { ispName: string | null }) {
  return ispName === null ? <IspList /> : <IspPage key={ispName} name={ispName} />;
}
