/**
 * A review queue's list screen, the one both queues use (`#/nominations/<filters>`,
 * `#/delisting/<filters>`): the title, the dashboard's queue panel, the queue's own intake form,
 * the filter bar, and the table of items with what every queue shows (number, status and its
 * tags, age, due time, assignee) around the columns the queue passes in.
 */
import type { ReactNode } from 'react';
import type { ChangeTopic } from '../../../../shared/changes.js';
import type { QueueFilter, QueuePage } from '../../../../shared/queues.js';
import type { ApiResult } from '../../../../shared/result.js';
import { useChangeRevision } from '../../changes.js';
import { formatTime } from '../../format.js';
import { useOperation } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { QueuesPanel } from '../dashboard/QueuesPanel.js';
import { formatAge, parseQueueParams, QueueFilters, queueHref, type QueueSection } from './queueParts.js';
import './queues.css';

/** What every queue's item has (the core's queue engine computes the timing). */
export interface QueueItem {
  readonly id: number;
  readonly status: string;
  readonly assignee: string | null;
  readonly dueAt: string;
  readonly ageHours: number;
  readonly isOverdue: boolean;
}

/** A column of a queue's own, shown between the status and the age. */
export interface QueueColumn<Item> {
  readonly header: string;
  readonly cell: (item: Item) => ReactNode;
}

export interface QueueListProps<Item extends QueueItem> {
  /** The route's argument: the filters. */
  readonly argument: string | null;
  readonly title: string;
  readonly section: QueueSection;
  /** The table's accessible name, and what one item is called in its caption. */
  readonly tableLabel: string;
  readonly noun: string;
  readonly statuses: readonly string[];
  /** Change notices that make the list reload. */
  readonly topics: readonly ChangeTopic[];
  readonly load: (filter: QueueFilter) => Promise<ApiResult<QueuePage<Item>>>;
  /** The queue's intake (a form and a file import). */
  readonly intake: ReactNode;
  readonly columns: ReadonlyArray<QueueColumn<Item>>;
  /** Tags after the status besides "overdue" (a repeat offender). */
  readonly tags?: (item: Item) => ReactNode;
}

export function QueueList<Item extends QueueItem>({ argument, title, section, tableLabel, noun, statuses, topics, load, intake, columns, tags }: QueueListProps<Item>) {
  const params = parseQueueParams(argument);
  const revision = useChangeRevision(topics);
  const queue = useOperation(() => load({ status: params.status, assignee: params.assignee, age: params.age as QueueFilter['age'], afterId: 0, limit: 500 }), `${argument ?? ''}:${revision}`);
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">{title}</h1>
      <QueuesPanel />
      {intake}
      <QueueFilters section={section} params={params} statuses={statuses} />
      {queue.state === 'loading' && <p aria-live="polite">Loading…</p>}
      {queue.state === 'failed' && <ErrorLine error={queue.error} />}
      {queue.state === 'done' && (
        <div className="table-scroll">
          <table aria-label={tableLabel} className="queue-table">
            <caption>
              {queue.value.total} {noun}
              {queue.value.total === 1 ? '' : 's'}
              {queue.value.total > queue.value.items.length ? ` (first ${queue.value.items.length})` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Status</th>
                {columns.map((column) => (
                  <th key={column.header} scope="col">
                    {column.header}
                  </th>
                ))}
                <th scope="col">Age</th>
                <th scope="col">Due</th>
                <th scope="col">Assignee</th>
              </tr>
            </thead>
            <tbody>
              {queue.value.items.map((item) => (
                <tr key={item.id} className={item.isOverdue ? 'is-overdue' : undefined}>
                  <td>
                    <a href={queueHref(section, { id: item.id })}>#{item.id}</a>
                  </td>
                  <td>
                    {item.status}
                    {item.isOverdue && <span className="tag tag-overdue">overdue</span>}
                    {tags?.(item)}
                  </td>
                  {columns.map((column) => (
                    <td key={column.header}>{column.cell(item)}</td>
                  ))}
                  <td>{formatAge(item.ageHours)}</td>
                  <td>{formatTime(item.dueAt)}</td>
                  <td>{item.assignee ?? <span className="muted">unassigned</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
