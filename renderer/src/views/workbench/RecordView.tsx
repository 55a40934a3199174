/**
 * The reputation record (`#/record/<id>`): the header (range with its CIDR decomposition and
 * size, what a mail server is answered), the edit actions, and the tabs (one array): History,
 * Spam samples, Correspondence, Related and, for DUL records, the DUL submission.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import { describeHistoryEvent } from '../../../../shared/history-sentences.js';
import { describeOrigin } from '../../../../shared/team.js';
import { LISTS, REASON_LABELS, REASONS_BY_LIST, type ListName, type Reason } from '../../../../shared/domain.js';
import { recordActionsFor, type RecordAction } from '../../../../shared/record-actions.js';
import type { RecordView as RecordData } from '../../../../shared/workbench.js';
import { useApi } from '../../api.js';
import { formatCount, formatTime, formatUntil } from '../../format.js';
import { routeHref } from '../../routes.js';
import { useOperation, useReloadable } from '../../useOperation.js';
import { useChanges } from '../../changes.js';
import { ErrorLine } from '../ErrorLine.js';
import { InvestigatorSuggestions } from '../NameSuggestions.js';
import { ListBadge, StatusBadge } from '../ListBadge.js';
import { Tabs } from '../Tabs.js';
import { useWaitingFiles } from '../../desktop.js';
import { CorrespondenceTab } from '../record/CorrespondenceTab.js';
import { SamplesTab } from '../record/SamplesTab.js';
import { lastListingsHash } from './listingsRoute.js';
import './workbench.css';

/** One tab of the record: what it shows for a listing. */
export interface RecordTab {
  readonly id: string;
  readonly label: (record: RecordData) => ReactNode;
  /** Whether the tab applies to this record (DUL submission: DUL records only). */
  readonly appliesTo?: (record: RecordData) => boolean;
  /** `onChanged`: the tab added evidence, so the record (tab counts, evidence line, history) is read again. */
  readonly render: (props: { listingId: number; record: RecordData; revision: number; onChanged: () => void }) => ReactNode;
}

function HistoryTab({ listingId, revision }: { listingId: number; revision: number }) {
  const api = useApi();
  const history = useOperation(() => api['listings.history']({ id: listingId }), `${listingId}:${revision}`);
  if (history.state === 'loading') return <p className="muted">Loading history…</p>;
  if (history.state === 'failed') return <ErrorLine error={history.error} />;
  return (
    <ol className="timeline" aria-label="History, newest first">
      {history.value.map((event) => (
        <li key={event.id} className="timeline-event">
          <div className="timeline-when">
            <time dateTime={event.at}>{formatTime(event.at)}</time> · <strong>{event.actor}</strong>
            {describeOrigin(event) && <span className="timeline-origin"> · {describeOrigin(event)}</span>}
          </div>
          <div className="timeline-what">{describeHistoryEvent(event, formatTime)}</div>
          {event.reason && <div className="timeline-why">“{event.reason}”</div>}
        </li>
      ))}
    </ol>
  );
}

function RelatedTab({ listingId, revision }: { listingId: number; revision: number }) {
  const api = useApi();
  const related = useOperation(() => api['listings.related']({ id: listingId }), `${listingId}:${revision}`);
  if (related.state === 'loading') return <p className="muted">Loading related listings…</p>;
  if (related.state === 'failed') return <ErrorLine error={related.error} />;
  const { overlapping, galInside, isTruncated } = related.value;
  const table = (title: string, rows: typeof overlapping) => (
    <div className="table-scroll">
      <table className="listings">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th>ID</th>
            <th>List</th>
            <th>Range</th>
            <th>Relation</th>
            <th>Status</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td>
                <a href={routeHref('record', String(row.id))}>#{row.id}</a>
              </td>
              <td>
                <ListBadge list={row.list} />
              </td>
              <td>
                <code>{row.range}</code>
              </td>
              <td>{row.relation === 'contains' ? 'contains this range' : row.relation === 'inside' ? 'inside this range' : row.relation === 'same' ? 'same range' : 'overlaps'}</td>
              <td>
                <StatusBadge status={row.status} />
              </td>
              <td>{REASON_LABELS[row.reason]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <div>
      {overlapping.length === 0 ? <p className="muted">No other listing overlaps this range.</p> : table('Overlapping listings on any list', overlapping)}
      {isTruncated && <p className="muted">Showing the first {overlapping.length}.</p>}
      {galInside.length > 0 && table('GAL entries inside this range', galInside)}
    </div>
  );
}

function DulTab({ record }: { record: RecordData }) {
  const api = useApi();
  const submissionId = record.submissionId;
  const submission = useOperation(
    () => (submissionId === null ? Promise.resolve({ ok: true as const, value: null }) : api['dul.submission']({ id: submissionId })),
    String(submissionId),
  );
  if (submissionId === null) return <p className="muted">This DUL listing was not made from an ISP submission.</p>;
  if (submission.state === 'loading') return <p className="muted">Loading the submission…</p>;
  if (submission.state === 'failed') return <ErrorLine error={submission.error} />;
  const value = submission.value;
  if (!value) return null;
  return (
    <dl className="facts">
      <dt>ISP</dt>
      <dd>
        <a href={routeHref('dul', value.isp)}>{value.isp}</a>
      </dd>
      <dt>Submission</dt>
      <dd>
        #{value.id} ({value.mode}) from {value.source}
        {value.submittedBy && ` by ${value.submittedBy}`}
      </dd>
      <dt>Received</dt>
      <dd>{formatTime(value.receivedAt)}</dd>
      <dt>Effective</dt>
      <dd>{value.effectiveAt ? formatTime(value.effectiveAt) : '—'}</dd>
      <dt>Valid until</dt>
      <dd>{value.validUntil ? formatUntil(value.validUntil) : 'no limit'}</dd>
      <dt>Exclusions</dt>
      <dd>{value.exclusions.length > 0 ? value.exclusions.join(', ') : 'none'}</dd>
      <dt>ISP's policy</dt>
      <dd>{value.policyNotes ?? '—'}</dd>
      <dt>State</dt>
      <dd>{value.revertedAt ? `reverted ${formatTime(value.revertedAt)} by ${value.revertedBy}` : `${formatCount(value.activeRanges)} ranges active`}</dd>
    </dl>
  );
}

/** The record's tabs, in order. */
export const RECORD_TABS: readonly RecordTab[] = [
  { id: 'history', label: () => 'History', render: ({ listingId, revision }) => <HistoryTab listingId={listingId} revision={revision} /> },
  { id: 'samples', label: (record) => `Spam samples (${formatCount(record.samples)})`, render: ({ listingId, onChanged }) => <SamplesTab listingId={listingId} onChanged={onChanged} /> },
  { id: 'correspondence', label: (record) => `Correspondence (${formatCount(record.threads)})`, render: ({ listingId, onChanged }) => <CorrespondenceTab listingId={listingId} onChanged={onChanged} /> },
  { id: 'related', label: () => 'Related', render: ({ listingId, revision }) => <RelatedTab listingId={listingId} revision={revision} /> },
  { id: 'dul', label: () => 'DUL submission', appliesTo: (record) => record.list === 'DUL', render: ({ record }) => <DulTab record={record} /> },
];

const EDIT_LABELS: Record<RecordAction, string> = {
  delist: 'Delist',
  suppress: 'Suppress until',
  relist: 'Relist',
  reassign: 'Reassign',
  reason: 'Change reason',
  txt: 'Change TXT',
  'change-list': 'Move to another list',
};

function EditForm({ record, onDone }: { record: RecordData; onDone: (newId: number | null) => void }) {
  const api = useApi();
  const actions = recordActionsFor(record);
  const [action, setActionState] = useState<RecordAction>(actions[0]);
  const [why, setWhy] = useState('');
  const [until, setUntil] = useState('');
  const [investigator, setInvestigator] = useState('');
  const [reason, setReason] = useState<Reason>(record.reason);
  const [txt, setTxt] = useState(record.txt ?? '');
  const [list, setList] = useState<ListName>(record.list === 'RBL' ? 'MML' : 'RBL');
  const [listReason, setListReason] = useState<Reason>(REASONS_BY_LIST[record.list === 'RBL' ? 'MML' : 'RBL'][0]);
  const [error, setError] = useState<ApiError | null>(null);
  const [isBusy, setBusy] = useState(false);
  // An error belongs to the action it answered: choosing another one clears it.
  const setAction = (next: RecordAction) => {
    setError(null);
    setActionState(next);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    const id = record.id;
    const input =
      action === 'suppress'
        ? { action, id, why, until }
        : action === 'reassign'
          ? { action, id, why, investigator }
          : action === 'reason'
            ? { action, id, why, reason }
            : action === 'txt'
              ? { action, id, why, txt }
              : action === 'change-list'
                ? { action, id, why, list, reason: listReason }
                : { action, id, why };
    api['listings.edit'](input).then((result) => {
      setBusy(false);
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setWhy('');
      onDone(result.value.replaced === null ? null : result.value.id);
    });
  };

  return (
    <form className="edit-form panel" aria-label="Change this record" onSubmit={submit}>
      <div className="bulk-fields">
        <label className="filter-field">
          <span>Action</span>
          <select name="edit-action" value={action} onChange={(event) => setAction(event.target.value as RecordAction)}>
            {actions.map((value) => (
              <option key={value} value={value}>
                {EDIT_LABELS[value]}
              </option>
            ))}
          </select>
        </label>
        {action === 'suppress' && (
          <label className="filter-field">
            <span>Until</span>
            <input type="date" name="until" value={until} onChange={(event) => setUntil(event.target.value)} />
          </label>
        )}
        {action === 'reassign' && (
          <label className="filter-field">
            <span>Investigator</span>
            <input name="investigator" list="record-investigators" autoComplete="off" value={investigator} onChange={(event) => setInvestigator(event.target.value)} />
            <InvestigatorSuggestions id="record-investigators" />
          </label>
        )}
        {action === 'reason' && (
          <label className="filter-field">
            <span>New reason</span>
            <select name="reason" value={reason} onChange={(event) => setReason(event.target.value as Reason)}>
              {REASONS_BY_LIST[record.list].map((value) => (
                <option key={value} value={value}>
                  {REASON_LABELS[value]}
                </option>
              ))}
            </select>
          </label>
        )}
        {action === 'txt' && (
          <label className="filter-field edit-txt">
            <span>New TXT</span>
            <input name="txt" value={txt} onChange={(event) => setTxt(event.target.value)} />
          </label>
        )}
        {action === 'change-list' && (
          <>
            <label className="filter-field">
              <span>To list</span>
              <select
                name="list"
                value={list}
                onChange={(event) => {
                  const next = event.target.value as ListName;
                  setList(next);
                  setListReason(REASONS_BY_LIST[next][0]);
                }}
              >
                {LISTS.filter((value) => value !== record.list).map((value) => (
                  <option key={value} value={value}>
                    {value}
                  </option>
                ))}
              </select>
            </label>
            <label className="filter-field">
              <span>Reason there</span>
              <select name="list-reason" value={listReason} onChange={(event) => setListReason(event.target.value as Reason)}>
                {REASONS_BY_LIST[list].map((value) => (
                  <option key={value} value={value}>
                    {REASON_LABELS[value]}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        <label className="filter-field bulk-why">
          <span>Reason for the change (required)</span>
          <input name="why" value={why} onChange={(event) => setWhy(event.target.value)} placeholder="why, for the history" />
        </label>
        <button type="submit" disabled={isBusy}>
          {EDIT_LABELS[action]}
        </button>
      </div>
      {error && <ErrorLine error={error} />}
    </form>
  );
}

/** Why the next snapshot leaves the record out, in words. */
function notPublishedText(record: RecordData): string {
  switch (record.notPublished) {
    case 'expired':
      return record.expiresAt ? `expired ${formatTime(record.expiresAt)}` : 'expired';
    case 'removed':
      return record.notPublishedUntil ? `removed until ${formatTime(record.notPublishedUntil)}` : 'removed until further notice';
    case 'pending':
      return record.notPublishedUntil ? `its DUL submission takes effect ${formatTime(record.notPublishedUntil)}` : 'its DUL submission takes effect later';
    case 'excluded':
      return 'the ISP excludes the whole range';
    case 'delisted':
    case null:
      return 'delisted';
    default: {
      const unknown: never = record.notPublished;
      return unknown;
    }
  }
}

/** Whose answer the mail server gets at the queried address, when it is not this record's. */
function answerSource(record: RecordData): string | null {
  if (record.role === 'allowed') return `GAL entry #${record.atAddress.allowedBy} wins here`;
  if (record.role === 'outranked' && record.atAddress.listingId !== null) return `the answer of #${record.atAddress.listingId}, which takes precedence here`;
  if (record.role === 'excluded') return 'the ISP excludes this address';
  return null;
}

function Header({ record }: { record: RecordData }) {
  return (
    <div className="record-header">
      <h1>
        <code>{record.range}</code> <ListBadge list={record.list} /> <StatusBadge status={record.status} standing={record.standing} />
        <span className="muted"> #{record.id}</span>
      </h1>
      <dl className="facts">
        <dt>Addresses</dt>
        <dd>
          {BigInt(record.addressCount).toLocaleString('en-US')}
          {record.cidrs.length > 1 || record.cidrs[0] !== record.range ? (
            <span className="muted">
              {' '}
              as {record.cidrs.length + record.cidrsOmitted} CIDR block{record.cidrs.length + record.cidrsOmitted === 1 ? '' : 's'}: {record.cidrs.join(', ')}
              {record.cidrsOmitted > 0 && ` and ${record.cidrsOmitted} more`}
            </span>
          ) : null}
        </dd>
        <dt>Reason</dt>
        <dd>{REASON_LABELS[record.reason]}</dd>
        <dt>Investigator</dt>
        <dd>{record.investigator}</dd>
        {record.status === 'suppressed' && record.suppressedUntil && (
          <>
            <dt>Suppressed until</dt>
            <dd>{formatTime(record.suppressedUntil)}</dd>
          </>
        )}
        {record.list === 'QIL' && (
          <>
            <dt>Level / expiry</dt>
            <dd>
              {record.level} · {record.expiresAt ? formatTime(record.expiresAt) : '—'}
            </dd>
          </>
        )}
        {record.isp && (
          <>
            <dt>ISP</dt>
            <dd>{record.isp}</dd>
          </>
        )}
        <dt>A mail server sees</dt>
        <dd className="mail-answer">
          <code>
            {record.queriedAddress} → {record.atAddress.answer ? `${record.atAddress.answer.a} “${record.atAddress.answer.txt}”` : 'not listed'}
          </code>
          {answerSource(record) !== null && <span className="muted"> ({answerSource(record)})</span>}
          {record.notPublished !== null && <span className="muted"> (not in the next zone: {notPublishedText(record)})</span>}
        </dd>
        {record.role !== 'answers' && (
          <>
            <dt>Its own answer</dt>
            <dd className="mail-answer">
              <code>
                {record.ownAnswer.a} “{record.ownAnswer.txt}”
              </code>
            </dd>
          </>
        )}
        {record.excluded.length > 0 && (
          <>
            <dt>Excluded by the ISP</dt>
            <dd>
              {record.excluded.join(', ')} <span className="muted">(never published)</span>
            </dd>
          </>
        )}
        <dt>Evidence</dt>
        <dd>
          {formatCount(record.samples)} spam sample{record.samples === 1 ? '' : 's'} · {formatCount(record.threads)} correspondence thread{record.threads === 1 ? '' : 's'}
        </dd>
        <dt>Created / last change</dt>
        <dd>
          {formatTime(record.createdAt)} / {formatTime(record.updatedAt)}
        </dd>
      </dl>
    </div>
  );
}

export function RecordView({ idText }: { idText: string | null }) {
  const api = useApi();
  const id = idText !== null && /^\d+$/.test(idText) ? Number(idText) : null;
  const record = useReloadable(() => (id === null ? Promise.resolve({ ok: false as const, error: { code: 'invalid-input' as const, message: `"${idText ?? ''}" is not a record id` } }) : api['listings.record']({ id })));
  const [tab, setTab] = useState('history');
  const [revision, setRevision] = useState(0);
  // Another person's change to this record (or its samples and mail) shows without a reload.
  useChanges(['listings', 'samples', 'threads'], () => {
    record.reload();
    setRevision((count) => count + 1);
  });
  // Spam samples dropped on the desktop window (or chosen in its File menu) go to the Samples tab.
  const waitingSamples = useWaitingFiles('samples');
  useEffect(() => {
    if (waitingSamples) setTab('samples');
  }, [waitingSamples]);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
      window.location.hash = lastListingsHash();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (record.loaded.state === 'loading') return <p className="muted">Loading record…</p>;
  if (record.loaded.state === 'failed') return <ErrorLine error={record.loaded.error} />;
  const value = record.loaded.value;
  const tabs = RECORD_TABS.filter((entry) => entry.appliesTo?.(value) ?? true);
  const selected = tabs.some((entry) => entry.id === tab) ? tab : tabs[0].id;
  const current = tabs.find((entry) => entry.id === selected) ?? tabs[0];
  return (
    <section className="record-view" aria-label={`Record #${value.id}`}>
      <p className="back-link">
        <a href={lastListingsHash()}>← Listings</a> <span className="muted">(Esc)</span>
      </p>
      <Header record={value} />
      <EditForm
        key={`${value.id}:${value.updatedAt}`}
        record={value}
        onDone={(newId) => {
          if (newId !== null) window.location.hash = routeHref('record', String(newId));
          record.reload();
          setRevision((count) => count + 1);
        }}
      />
      <Tabs name="record" label="Record" items={tabs.map((entry) => ({ id: entry.id, label: entry.label(value) }))} selected={selected} onSelect={setTab}>
        {current.render({
          listingId: value.id,
          record: value,
          revision,
          onChanged: () => {
            record.reload();
            setRevision((count) => count + 1);
          },
        })}
      </Tabs>
    </section>
  );
}
