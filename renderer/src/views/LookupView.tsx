/** Lookup: every listing on every list whose range contains one IP. The IP lives in the route. */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { ApiError, ListingView, LookupResult } from '../../../shared/contract.js';
import { REASON_LABELS } from '../../../shared/domain.js';
import { useApi } from '../api.js';
import { formatTime } from '../format.js';
import { navigate } from '../routes.js';
import { ListBadge, StatusBadge } from './ListBadge.js';
import { QilScorePanel } from './QilScorePanel.js';

type Answer = { state: 'idle' } | { state: 'loading' } | { state: 'found'; result: LookupResult } | { state: 'failed'; error: ApiError };

function statusDetail(listing: ListingView): string | null {
  if (listing.status === 'suppressed' && listing.suppressedUntil) return `until ${formatTime(listing.suppressedUntil)}`;
  if (listing.expiresAt) return `expires ${formatTime(listing.expiresAt)}`;
  return null;
}

const column = createColumnHelper<ListingView>();

const COLUMNS = [
  column.accessor('id', { header: 'ID', cell: (cell) => `#${cell.getValue()}` }),
  column.accessor('list', {
    header: 'List',
    cell: (cell) => (
      <>
        <ListBadge list={cell.getValue()} />
        {cell.row.original.level !== null && <span className="muted"> level {cell.row.original.level}</span>}
      </>
    ),
  }),
  column.accessor('range', { header: 'Range', cell: (cell) => <code>{cell.getValue()}</code> }),
  column.accessor('status', {
    header: 'Status',
    cell: (cell) => {
      const detail = statusDetail(cell.row.original);
      return (
        <>
          <StatusBadge status={cell.getValue()} />
          {detail && <span className="muted"> {detail}</span>}
        </>
      );
    },
  }),
  column.accessor('reason', { header: 'Reason', cell: (cell) => REASON_LABELS[cell.getValue()] }),
  column.accessor('investigator', { header: 'Investigator' }),
  column.accessor('txt', { header: 'TXT', cell: (cell) => cell.getValue() ?? <span className="muted">—</span> }),
  column.accessor('createdAt', {
    header: 'Created',
    cell: (cell) => <time dateTime={cell.getValue()}>{formatTime(cell.getValue())}</time>,
  }),
];

function ListingsTable({ result }: { result: LookupResult }) {
  const data = useMemo(() => [...result.listings], [result]);
  const table = useReactTable({ data, columns: COLUMNS, getCoreRowModel: getCoreRowModel() });
  return (
    <div className="table-scroll">
      <table className="listings">
        <caption>
          {result.listings.length === 1 ? '1 listing contains ' : `${result.listings.length} listings contain `}
          <code>{result.ip}</code>
        </caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className={`column-${header.column.id}`}>
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className={`column-${cell.column.id}`}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LookupAnswer({ result }: { result: LookupResult }) {
  return (
    <section className="lookup-answer" aria-labelledby="answer-title">
      <h2 id="answer-title">
        <code>{result.ip}</code> <span className="muted">IPv{result.family}</span>
      </h2>
      {result.notes.length > 0 && (
        <ul className="notes">
          {result.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      {result.listings.length === 0 ? <p className="not-listed">Not listed on any list.</p> : <ListingsTable result={result} />}
      {result.listings.some((listing) => listing.list === 'QIL') && <QilScorePanel ip={result.ip} />}
    </section>
  );
}

export function LookupView({ routeIp }: { routeIp: string | null }) {
  const api = useApi();
  const [text, setText] = useState(routeIp ?? '');
  const [shownRouteIp, setShownRouteIp] = useState(routeIp);
  const [attempt, setAttempt] = useState(0);
  const [answer, setAnswer] = useState<Answer>({ state: 'idle' });

  // Back, forward or an edited address bar change the route: the field follows it.
  if (routeIp !== shownRouteIp) {
    setShownRouteIp(routeIp);
    setText(routeIp ?? '');
  }

  useEffect(() => {
    if (routeIp === null) {
      setAnswer({ state: 'idle' });
      return;
    }
    let isCurrent = true;
    setAnswer({ state: 'loading' });
    api.lookup({ ip: routeIp }).then((result) => {
      if (isCurrent) setAnswer(result.ok ? { state: 'found', result: result.value } : { state: 'failed', error: result.error });
    });
    return () => {
      isCurrent = false;
    };
  }, [api, routeIp, attempt]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const ip = text.trim();
    // The same IP again does not change the route, so ask again explicitly.
    if (ip === routeIp) setAttempt((count) => count + 1);
    else navigate('lookup', ip);
  };

  const errorId = 'lookup-error';
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Lookup</h1>
      <form className="lookup-form" onSubmit={submit} role="search">
        <label htmlFor="lookup-ip">IP address</label>
        <input
          id="lookup-ip"
          name="ip"
          type="text"
          required
          autoFocus
          spellCheck={false}
          autoComplete="off"
          placeholder="192.0.2.1 or 2001:db8::1"
          value={text}
          onChange={(event) => setText(event.target.value)}
          aria-invalid={answer.state === 'failed'}
          aria-describedby={answer.state === 'failed' ? errorId : undefined}
        />
        <button type="submit">Look up</button>
        {answer.state === 'failed' && (
          <p id={errorId} className="error" role="alert">
            {answer.error.message}
          </p>
        )}
      </form>
      {answer.state === 'loading' && (
        <p className="muted" aria-live="polite">
          Looking up…
        </p>
      )}
      {answer.state === 'found' && <LookupAnswer result={answer.result} />}
    </section>
  );
}
