/**
 * The review queues at a glance, for the dashboard (self-contained: no props). For GAL
 * nominations and delisting requests: open and overdue counts, open ones by age and by
 * assignee (the signed-in person first); every number links to the queue filtered to it.
 */
import { AGE_BUCKET_LABELS, type QueueSummary } from '../../../../shared/queues.js';
import { useApi } from '../../api.js';
import { formatCount } from '../../format.js';
import { useOperation } from '../../useOperation.js';
import { useChangeRevision } from '../../changes.js';
import { ErrorLine } from '../ErrorLine.js';
import './dashboard.css';

type Section = 'nominations' | 'delisting';

function href(section: Section, params: Record<string, string>): string {
  return `#/${section}/${new URLSearchParams(params).toString()}`;
}

function QueueCard({ section, title, summary }: { section: Section; title: string; summary: QueueSummary }) {
  return (
    <section className="queues-card" aria-label={title}>
      <h3>{title}</h3>
      <p className="queues-headline">
        <a href={href(section, { status: 'open' })} aria-label={`${title}: ${summary.open} open`}>
          <strong>{formatCount(summary.open)}</strong> open
        </a>
        {' · '}
        <a href={href(section, { age: 'overdue' })} className={summary.overdue > 0 ? 'queues-overdue' : undefined} aria-label={`${title}: ${summary.overdue} overdue`}>
          <strong>{formatCount(summary.overdue)}</strong> overdue
        </a>
      </p>
      <table className="queues-buckets" aria-label={`${title} by age`}>
        <tbody>
          <tr>
            {summary.byAge.map((bucket) => (
              <td key={bucket.bucket}>
                <a href={href(section, { age: bucket.bucket })} aria-label={`${title} ${AGE_BUCKET_LABELS[bucket.bucket]} old: ${bucket.count}`}>
                  <span className="queues-count">{formatCount(bucket.count)}</span>
                  <span className="muted">{AGE_BUCKET_LABELS[bucket.bucket]}</span>
                </a>
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      {summary.byAssignee.length > 0 && (
        <ul className="queues-assignees" aria-label={`${title} by assignee`}>
          {summary.byAssignee.map((entry) => (
            <li key={entry.assignee ?? ''}>
              <a href={href(section, { status: 'open', assignee: entry.isMe ? 'me' : (entry.assignee ?? 'none') })}>
                {entry.isMe ? 'Assigned to me' : (entry.assignee ?? 'Unassigned')}: <strong>{formatCount(entry.count)}</strong>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function QueuesPanel() {
  const api = useApi();
  const revision = useChangeRevision(['delisting-requests', 'nominations']);
  const summary = useOperation(() => api['queues.summary']({}), `queues.summary:${revision}`);
  return (
    <div className="panel queues-panel" aria-label="Review queues">
      <div className="panel-heading">
        <h2>Review queues</h2>
      </div>
      {summary.state === 'loading' && <p aria-live="polite">Loading…</p>}
      {summary.state === 'failed' && <ErrorLine error={summary.error} />}
      {summary.state === 'done' && (
        <div className="queues-cards">
          <QueueCard section="nominations" title="GAL nominations" summary={summary.value.nominations} />
          <QueueCard section="delisting" title="Delisting requests" summary={summary.value.delisting} />
        </div>
      )}
    </div>
  );
}
