/**
 * What the two review queues share on screen: their route parameters (`#/nominations/<params>`,
 * `#/delisting/<params>` with status, assignee, age and, for one request, id), the filter bar,
 * ages and facts. A decision's reply is in DecisionReply.tsx.
 */
import type { ReactNode } from 'react';
import { AGE_BUCKETS, AGE_BUCKET_LABELS } from '../../../../shared/queues.js';
import { useApi } from '../../api.js';
import { useOperation } from '../../useOperation.js';
import './queues.css';

export type QueueSection = 'nominations' | 'delisting';

export interface QueueParams {
  readonly status?: string;
  readonly assignee?: string;
  readonly age?: string;
  readonly id?: number;
}

/** The route argument (URLSearchParams text) as filters; unknown keys are ignored. */
export function parseQueueParams(argument: string | null): QueueParams {
  const params = new URLSearchParams(argument ?? '');
  const id = params.get('id');
  return {
    status: params.get('status') || undefined,
    assignee: params.get('assignee') || undefined,
    age: params.get('age') || undefined,
    id: id !== null && /^\d+$/.test(id) ? Number(id) : undefined,
  };
}

/** The route of a queue with these filters (or of one request with `id`). */
export function queueHref(section: QueueSection, params: QueueParams): string {
  const search = new URLSearchParams();
  for (const key of ['status', 'assignee', 'age', 'id'] as const) {
    const value = params[key];
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? `#/${section}` : `#/${section}/${text}`;
}

/** `5 h` under two days, else `3 d`. */
export function formatAge(hours: number): string {
  return hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} d`;
}

/** Status, assignee and age filters; each change is a new route, so filtered queues are linkable. */
export function QueueFilters({ section, params, statuses }: { section: QueueSection; params: QueueParams; statuses: readonly string[] }) {
  const api = useApi();
  const people = useOperation(() => api['investigators.list']({}), 'investigators');
  const go = (change: QueueParams) => {
    window.location.hash = queueHref(section, { status: params.status, assignee: params.assignee, age: params.age, ...change });
  };
  const names = people.state === 'done' ? people.value.map((person) => person.name) : [];
  return (
    <form className="queue-filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      <label>
        Status{' '}
        <select value={params.status ?? ''} onChange={(event) => go({ status: event.target.value || undefined })}>
          <option value="">any</option>
          <option value="open">open</option>
          {statuses.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </label>
      <label>
        Assignee{' '}
        <select value={params.assignee ?? ''} onChange={(event) => go({ assignee: event.target.value || undefined })}>
          <option value="">anyone</option>
          <option value="me">me</option>
          <option value="none">unassigned</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
          {params.assignee && !['me', 'none', ...names].includes(params.assignee) && <option value={params.assignee}>{params.assignee}</option>}
        </select>
      </label>
      <label>
        Age{' '}
        <select value={params.age ?? ''} onChange={(event) => go({ age: event.target.value || undefined })}>
          <option value="">any</option>
          <option value="overdue">overdue</option>
          {AGE_BUCKETS.map((bucket) => (
            <option key={bucket} value={bucket}>
              {AGE_BUCKET_LABELS[bucket]} old
            </option>
          ))}
        </select>
      </label>
      {(params.status || params.assignee || params.age) && (
        <a href={queueHref(section, {})} className="queue-clear">
          Clear filters
        </a>
      )}
    </form>
  );
}

export function Facts({ items }: { items: ReadonlyArray<readonly [string, ReactNode]> }) {
  return (
    <dl className="facts">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
