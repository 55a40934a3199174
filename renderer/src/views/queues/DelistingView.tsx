/**
 * The delisting queue (`#/delisting/<filters>`): requests with their age against the SLA,
 * assignee and repeat-offender flag; intake (the form and a file of requests); and one request
 * (`#/delisting/id=N`) with everything a decision needs on one screen: the listings it concerns
 * (and whether each is in the zone now), the samples, the history, prior requests and the relist
 * count; then the decision: what goes out (the reply the core drafts, editable) apart from what
 * stays in the history (the reason); and the correspondence thread with the requester, where the
 * reply is saved as mail to export or send.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { JobView } from '../../../../shared/jobs.js';
import {
  DELISTING_STATUSES,
  type ConcernedListing,
  type DelistingDecision,
  type DelistingSummaryView as RequestSummary,
  type DelistingView as Request,
  type ImportResult,
} from '../../../../shared/queues.js';
import { describeOrigin } from '../../../../shared/team.js';
import { useApi } from '../../api.js';
import { describeHistoryEvent } from '../../../../shared/history-sentences.js';
import { formatCount, formatTime } from '../../format.js';
import { fileRef, useFileSender } from '../../uploads.js';
import { ChosenFiles, FileInput, UploadProgressLine } from '../UploadProgress.js';
import { useJob } from '../../useJob.js';
import { JobProgress } from '../JobProgress.js';
import { useReloadable } from '../../useOperation.js';
import { useChanges } from '../../changes.js';
import { ErrorLine } from '../ErrorLine.js';
import { ListBadge, StatusBadge } from '../ListBadge.js';
import { ThreadView } from '../record/CorrespondenceTab.js';
import { ReplyFields, useDecisionDraft } from './DecisionReply.js';
import { Facts, formatAge, parseQueueParams, queueHref } from './queueParts.js';
import { QueueList } from './QueueList.js';
import './queues.css';

const DECISION_LABELS: Record<DelistingDecision, string> = {
  'remove-temporarily': 'Remove temporarily',
  delist: 'Delist permanently',
  deny: 'Deny',
  'needs-information': 'Needs information',
};

/** The job's result crosses the boundary untyped; check the shape this view reads. */
function isImportResult(value: unknown): value is ImportResult {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Array.isArray(record.created) && typeof record.closed === 'number' && Array.isArray(record.notes);
}

function ImportOutcome({ job }: { job: JobView }) {
  if (job.state === 'failed' && job.error) return <ErrorLine error={job.error} />;
  if (job.state === 'cancelled') return <p role="status">The import was cancelled; nothing was imported.</p>;
  if (job.state !== 'done' || !isImportResult(job.result)) return null;
  return (
    <p role="status">
      {formatCount(job.result.created.length)} requests imported; {formatCount(job.result.closed)} closed themselves (not listed).{' '}
      <a href={queueHref('delisting', { status: 'open' })}>Open requests</a>
    </p>
  );
}

function RequestForm() {
  const api = useApi();
  const [request, setRequest] = useState({ ip: '', requester: '', reason: '', received: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [importError, setImportError] = useState<ApiError | null>(null);
  const sender = useFileSender();
  const job = useJob('delisting.import', () => undefined);
  const { tracked } = job;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    api['delisting.add']({ ...request, received: request.received || undefined }).then((result) => {
      if (!result.ok) setError(result.error);
      else window.location.hash = queueHref('delisting', { id: result.value.id });
    });
  };
  const importFile = async (event: FormEvent) => {
    event.preventDefault();
    if (file === null) return;
    setImportError(null);
    const sent = await sender.send([file]);
    if (!sent.ok) setImportError(sent.error);
    else job.start({ file: fileRef(sent.value[0]) });
  };
  return (
    <details className="panel queue-intake">
      <summary>New delisting request</summary>
      <form onSubmit={submit} aria-label="New delisting request" className="queue-form-row">
        <label>
          IP <input type="text" name="ip" value={request.ip} onChange={(event) => setRequest({ ...request, ip: event.target.value })} required />
        </label>
        <label>
          Requester contact <input type="text" value={request.requester} onChange={(event) => setRequest({ ...request, requester: event.target.value })} required />
        </label>
        <label>
          Received <input type="date" value={request.received} onChange={(event) => setRequest({ ...request, received: event.target.value })} />
        </label>
        <label className="queue-block">
          Reason given
          <textarea rows={2} value={request.reason} onChange={(event) => setRequest({ ...request, reason: event.target.value })} required />
        </label>
        <button type="submit">Add request</button>
        {error && <ErrorLine error={error} />}
      </form>
      <form onSubmit={importFile} aria-label="Import delisting requests" className="queue-form-row">
        <label>
          File <FileInput accept=".csv,.json,text/csv,application/json" onChoose={(files) => setFile(files[0])} />
        </label>
        <ChosenFiles files={file ? [file] : []} />
        <button type="submit" disabled={job.isBusy || file === null || sender.progress !== null}>
          {job.isBusy ? 'Importing…' : 'Import'}
        </button>
        <UploadProgressLine progress={sender.progress} />
        <p className="muted queue-hint">
          CSV with the header <code>ip,requester,reason,received</code>, or JSON: a list of objects with those keys.
        </p>
      </form>
      {importError && <ErrorLine error={importError} />}
      {tracked.state === 'failed' && <ErrorLine error={tracked.error} />}
      {tracked.state === 'running' && (
        <JobProgress job={tracked.job} label="Delisting request import" unit="requests" isCancelling={tracked.isCancelling} cancelError={job.cancelError} onCancel={job.cancel} />
      )}
      {tracked.state === 'finished' && <ImportOutcome job={tracked.job} />}
    </details>
  );
}

function DelistingQueue({ argument }: { argument: string | null }) {
  const api = useApi();
  return (
    <QueueList<RequestSummary>
      argument={argument}
      title="Delisting requests"
      section="delisting"
      tableLabel="Delisting queue"
      noun="request"
      statuses={DELISTING_STATUSES}
      topics={['delisting-requests']}
      load={(filter) => api['delisting.list'](filter)}
      intake={<RequestForm />}
      columns={[
        { header: 'IP', cell: (item) => item.ip },
        { header: 'Requester', cell: (item) => item.requester },
        {
          header: 'Listings',
          cell: (item) =>
            item.listingIds.map((id) => (
              <a key={id} href={`#/record/${id}`} className="queue-listing-link">
                #{id}
              </a>
            )),
        },
      ]}
      tags={(item) => item.isRepeatOffender && <span className="tag tag-repeat">repeat offender</span>}
    />
  );
}

/** Whether the listing answers in the zone now, in words. */
function zoneState(listing: ConcernedListing): string {
  if (listing.status === 'suppressed' && listing.suppressedUntil) {
    return listing.isInZone ? `back in the zone (removal ended ${formatTime(listing.suppressedUntil)})` : `out of the zone until ${formatTime(listing.suppressedUntil)}`;
  }
  return listing.isInZone ? 'in the zone' : 'not in the zone';
}

function RequestDecision({ request, onDecided }: { request: Request; onDecided: () => void }) {
  const api = useApi();
  const [decision, setDecision] = useState<DelistingDecision>('remove-temporarily');
  const [why, setWhy] = useState('');
  const [until, setUntil] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const untilValue = decision === 'remove-temporarily' && until !== '' ? until : undefined;
  const reply = useDecisionDraft(() => api['delisting.draft']({ id: request.id, decision, until: untilValue }), `${decision}|${untilValue ?? ''}`);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    // The reply sent is the one shown: stored as previewed.
    api['delisting.decide']({ id: request.id, decision, why, until: untilValue, reply: reply.text, replySubject: reply.subject }).then((result) =>
      result.ok ? onDecided() : setError(result.error),
    );
  };
  return (
    <form className="panel queue-decision" onSubmit={submit} aria-label="Decision">
      <h2>Decision</h2>
      <fieldset className="queue-form-row">
        <legend>Decide</legend>
        {(Object.keys(DECISION_LABELS) as DelistingDecision[]).map((kind) => (
          <label key={kind}>
            <input type="radio" name="decision" value={kind} checked={decision === kind} onChange={() => setDecision(kind)} /> {DECISION_LABELS[kind]}
          </label>
        ))}
      </fieldset>
      {decision === 'remove-temporarily' && (
        <label className="queue-block">
          Removed until (at most {request.allowedRemovalDays} days{request.isRepeatOffender ? ', shortened: repeat offender' : ''}; empty: the longest)
          <input type="date" value={until} max={request.latestUntil.slice(0, 10)} onChange={(event) => setUntil(event.target.value)} />
        </label>
      )}
      <ReplyFields reply={reply} recipient={request.requester} why={why} onWhy={setWhy} />
      <button type="submit" disabled={why.trim() === '' || reply.draft === null || reply.text.trim() === ''}>
        {DECISION_LABELS[decision]}
      </button>
      {error && <ErrorLine error={error} />}
    </form>
  );
}

function RequestDetail({ id }: { id: number }) {
  const api = useApi();
  const loaded = useReloadable(() => api['delisting.get']({ id }));
  useChanges(['delisting-requests', 'listings', 'threads'], loaded.reload);
  if (loaded.loaded.state === 'loading') return <p aria-live="polite">Loading request #{id}…</p>;
  if (loaded.loaded.state === 'failed') return <ErrorLine error={loaded.loaded.error} />;
  const request = loaded.loaded.value;
  if (request.id !== id) return <p aria-live="polite">Loading request #{id}…</p>;
  const isOpen = request.status === 'new' || request.status === 'needs-information';
  return (
    <section aria-labelledby="view-title">
      <p>
        <a href={queueHref('delisting', {})}>← Delisting queue</a>
      </p>
      <h1 id="view-title">
        Delisting request #{request.id}: {request.ip} <span className={`queue-status queue-status-${request.status}`}>{request.status}</span>
        {request.isOverdue && <span className="tag tag-overdue">overdue</span>}
        {request.isRepeatOffender && <span className="tag tag-repeat">repeat offender</span>}
      </h1>
      <Facts
        items={[
          ['Requester', request.requester],
          ['Reason given', request.reason],
          ['Received', `${formatTime(request.receivedAt)} (${formatAge(request.ageHours)} ago)`],
          ['Due', formatTime(request.dueAt)],
          ['Assignee', request.assignee ?? 'unassigned'],
          ['Routing', request.routing],
          ['Relisted after removal', `${request.relistCount} time${request.relistCount === 1 ? '' : 's'}`],
          ['Source', request.source],
        ]}
      />
      <h2>Listings concerned</h2>
      <div className="table-scroll">
        <table aria-label="Listings concerned">
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">List</th>
              <th scope="col">Range</th>
              <th scope="col">Status</th>
              <th scope="col">Zone now</th>
              <th scope="col">Assigned by</th>
            </tr>
          </thead>
          <tbody>
            {request.listings.map((listing) => (
              <tr key={listing.id}>
                <td>
                  <a href={`#/record/${listing.id}`}>#{listing.id}</a>
                </td>
                <td>
                  <ListBadge list={listing.list} />
                </td>
                <td>{listing.range}</td>
                <td>
                  <StatusBadge status={listing.status} />
                </td>
                <td className={listing.isInZone ? 'queue-in-zone' : 'queue-out-of-zone'}>{zoneState(listing)}</td>
                <td>{listing.investigator}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="queue-columns">
        <div>
          <h2>Spam samples ({request.samples.length})</h2>
          {request.samples.length === 0 ? (
            <p className="muted">No samples from this IP or linked to its listings.</p>
          ) : (
            <ul aria-label="Samples">
              {request.samples.map((sample) => (
                <li key={sample.id}>
                  #{sample.id} {sample.sentAt ? formatTime(sample.sentAt) : ''} {sample.from ?? ''} — {sample.subject ?? '(no subject)'}
                </li>
              ))}
            </ul>
          )}
          <h2>Prior requests ({request.priorRequests.length})</h2>
          {request.priorRequests.length === 0 ? (
            <p className="muted">None for this IP.</p>
          ) : (
            <ul aria-label="Prior requests">
              {request.priorRequests.map((prior) => (
                <li key={prior.id}>
                  <a href={queueHref('delisting', { id: prior.id })}>#{prior.id}</a> {formatTime(prior.receivedAt)} {prior.status}
                  {prior.until ? ` until ${formatTime(prior.until)}` : ''}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h2>History</h2>
          <ul className="queue-history" aria-label="History">
            {[...request.history.map((event) => ({ ...event, listingId: null as number | null })), ...request.listingHistory]
              .sort((a, b) => b.id - a.id)
              .map((event) => (
                <li key={event.id}>
                  {formatTime(event.at)} · {event.actor} · {event.listingId !== null ? `#${event.listingId} ` : ''}
                  {describeHistoryEvent(event, formatTime)}
                  {event.reason ? ` “${event.reason}”` : ''}
                  {describeOrigin(event) ? ` · ${describeOrigin(event)}` : ''}
                </li>
              ))}
          </ul>
        </div>
      </div>
      {isOpen && <RequestDecision key={request.status} request={request} onDecided={loaded.reload} />}
      {request.decision && (
        <div className="panel queue-decided" role="status">
          <h2>
            {request.decision.kind === 'closed-unlisted' ? 'Closed: not listed' : `Decided: ${request.decision.kind}`} by {request.decision.by}, {formatTime(request.decision.at)}
            {request.until ? `, until ${formatTime(request.until)}` : ''}
          </h2>
          {request.decision.why && <p>Reason (in the history, not sent): {request.decision.why}</p>}
          <pre className="queue-reply">{request.decision.reply}</pre>
        </div>
      )}
      {request.threadId !== null && (
        <section aria-label="Correspondence with the requester">
          <h2>Correspondence with the requester</h2>
          <ThreadView key={`${request.threadId}-${request.status}`} id={request.threadId} onChanged={loaded.reload} />
        </section>
      )}
    </section>
  );
}

export function DelistingView({ argument }: { argument: string | null }) {
  const params = parseQueueParams(argument);
  return params.id !== undefined ? <RequestDetail key={params.id} id={params.id} /> : <DelistingQueue argument={argument} />;
}
