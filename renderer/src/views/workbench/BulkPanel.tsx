/**
 * Bulk actions on the chosen rows or on every row matching the filter: delist, suppress until a
 * date, extend QIL expiry, reassign, export CSV. Each runs as a background job with progress and
 * Cancel; the core commits all of it or nothing.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { JobView } from '../../../../shared/jobs.js';
import type { BulkResult, CsvExport, ListingFilter, ListingSort } from '../../../../shared/workbench.js';
import { formatCount } from '../../format.js';
import { useJob } from '../../useJob.js';
import { ConfirmDialog } from '../ConfirmDialog.js';
import { ErrorLine } from '../ErrorLine.js';
import { InvestigatorSuggestions } from '../NameSuggestions.js';
import { JobProgress } from '../JobProgress.js';
import './workbench.css';

type Action = 'delist' | 'suppress' | 'extend' | 'reassign' | 'export';

const ACTION_LABELS: Record<Action, string> = {
  delist: 'Delist',
  suppress: 'Suppress until',
  extend: 'Extend QIL expiry',
  reassign: 'Reassign',
  export: 'Export CSV',
};

/** The verb the confirmation of a change to every matching listing uses. */
const ACTION_VERBS: Record<Exclude<Action, 'export'>, string> = {
  delist: 'Delist',
  suppress: 'Suppress',
  extend: 'Extend the QIL expiry of',
  reassign: 'Reassign',
};

export function BulkPanel({
  filter,
  selected,
  sort,
  total,
  isTotalCapped = false,
  onDone,
}: {
  filter: ListingFilter | null;
  selected: readonly number[];
  sort: ListingSort;
  total: number | null;
  /** The core stopped counting at `total`: there are more. */
  isTotalCapped?: boolean;
  onDone: () => void;
}) {
  const [action, setAction] = useState<Action>('delist');
  const [scope, setScope] = useState<'selected' | 'filter'>('selected');
  const [why, setWhy] = useState('');
  const [date, setDate] = useState('');
  const [investigator, setInvestigator] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const [download, setDownload] = useState<{ url: string; rows: number } | null>(null);
  const downloadLink = useRef<HTMLAnchorElement>(null);
  /** A change to every listing matching the filter waits here for the person's confirmation. */
  const [confirming, setConfirming] = useState<Record<string, unknown> | null>(null);

  const finished = (job: JobView) => {
    if (job.state === 'done') {
      if (job.operation === 'listings.export') {
        const exported = job.result as CsvExport;
        setDownload((previous) => {
          if (previous) URL.revokeObjectURL(previous.url);
          return { url: URL.createObjectURL(new Blob([exported.csv], { type: 'text/csv;charset=utf-8' })), rows: exported.rows };
        });
        setOutcome(`${formatCount(exported.rows)} rows exported.`);
      } else {
        const result = job.result as BulkResult;
        setOutcome(
          `${formatCount(result.changed)} listing${result.changed === 1 ? '' : 's'} changed; ${formatCount(result.skipped)} left as they were${result.skippedReasons.length > 0 ? ` (${result.skippedReasons.slice(0, 3).join('; ')})` : ''}.`,
        );
        onDone();
      }
    } else if (job.state === 'cancelled') {
      setOutcome('Cancelled: nothing was changed.');
    }
  };
  const bulk = useJob('listings.bulk', finished);
  const exporter = useJob('listings.export', finished);
  const job = action === 'export' ? exporter : bulk;

  useEffect(() => {
    if (download) downloadLink.current?.click();
  }, [download]);
  useEffect(() => {
    if (selected.length === 0 && scope === 'selected') setScope('filter');
  }, [selected.length]);

  const target = scope === 'selected' ? { ids: selected } : { filter: filter ?? {} };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOutcome(null);
    if (action === 'export') {
      exporter.start({ target, sort });
      return;
    }
    const input: Record<string, unknown> = { action, target, why };
    if (action === 'suppress') input.until = date;
    if (action === 'extend') input.expires = date;
    if (action === 'reassign') input.investigator = investigator;
    if (scope === 'filter') setConfirming(input);
    else bulk.start(input);
  };

  const changeText =
    action === 'delist'
      ? 'delisted'
      : action === 'suppress'
        ? `removed from the zone until ${date || '(no date)'}`
        : action === 'extend'
          ? `given a QIL expiry of ${date || '(no date)'} (QIL entries only)`
          : `reassigned to ${investigator || '(no one)'}`;
  const filterText = Object.entries(filter ?? {})
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([name, value]) => `${name} ${Array.isArray(value) ? value.join(', ') : String(value)}`);

  const failedError = job.tracked.state === 'failed' ? job.tracked.error : job.tracked.state === 'finished' && job.tracked.job.error ? job.tracked.job.error : null;
  const needsDate = action === 'suppress' || action === 'extend';
  return (
    <form className="bulk-panel panel" aria-label="Bulk action" onSubmit={submit}>
      <h2>Bulk action</h2>
      <div className="bulk-fields">
        <label className="filter-field">
          <span>Action</span>
          <select name="action" value={action} onChange={(event) => setAction(event.target.value as Action)}>
            {(Object.keys(ACTION_LABELS) as Action[]).map((value) => (
              <option key={value} value={value}>
                {ACTION_LABELS[value]}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="bulk-scope">
          <legend>Apply to</legend>
          <label>
            <input type="radio" name="scope" checked={scope === 'selected'} disabled={selected.length === 0} onChange={() => setScope('selected')} /> the{' '}
            {formatCount(selected.length)} selected
          </label>
          <label>
            <input type="radio" name="scope" checked={scope === 'filter'} onChange={() => setScope('filter')} /> all rows matching this filter
            {total !== null && <span className="muted"> ({formatCount(total)})</span>}
          </label>
        </fieldset>
        {action !== 'export' && (
          <label className="filter-field bulk-why">
            <span>Reason (required)</span>
            <input name="why" value={why} onChange={(event) => setWhy(event.target.value)} placeholder="why, for the history" />
          </label>
        )}
        {needsDate && (
          <label className="filter-field">
            <span>{action === 'suppress' ? 'Until' : 'New expiry'}</span>
            <input type="date" name="date" value={date} onChange={(event) => setDate(event.target.value)} />
          </label>
        )}
        {action === 'reassign' && (
          <label className="filter-field">
            <span>To investigator</span>
            <input name="investigator" list="bulk-investigators" autoComplete="off" value={investigator} onChange={(event) => setInvestigator(event.target.value)} />
            <InvestigatorSuggestions id="bulk-investigators" />
          </label>
        )}
        <button type="submit" disabled={bulk.isBusy || exporter.isBusy}>
          {ACTION_LABELS[action]}
        </button>
      </div>
      {job.tracked.state === 'running' && (
        <JobProgress
          job={job.tracked.job}
          label={action === 'export' ? 'Exporting' : 'Bulk change'}
          unit="listings"
          isCancelling={job.tracked.isCancelling}
          cancelError={job.cancelError}
          onCancel={job.cancel}
        />
      )}
      {failedError && failedError.code !== 'cancelled' && <ErrorLine error={failedError} />}
      {outcome && (
        <p className="outcome" role="status">
          {outcome}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title={`${ACTION_VERBS[action === 'export' ? 'delist' : action]} every listing matching this filter?`}
          confirmLabel={`${ACTION_VERBS[action === 'export' ? 'delist' : action]} ${total === null || isTotalCapped ? 'all matching' : `${formatCount(total)} listing${total === 1 ? '' : 's'}`}`}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            bulk.start(confirming);
            setConfirming(null);
          }}
        >
          <p>
            Every listing matching the filter{total !== null && <> ({isTotalCapped ? 'more than ' : ''}{formatCount(total)})</>} will be {changeText}, in one change with one history event each; listings
            the action does not fit are left as they were and reported.
          </p>
          <ul aria-label="Filter">{filterText.length === 0 ? <li>no filter: every listing</li> : filterText.map((text) => <li key={text}>{text}</li>)}</ul>
          <p>Reason: “{why}”</p>
        </ConfirmDialog>
      )}
      {download && (
        <a ref={downloadLink} href={download.url} download="listings.csv">
          Download listings.csv ({formatCount(download.rows)} rows)
        </a>
      )}
    </form>
  );
}
