/**
 * Lookup: what a mail server sees for one IP on every list (the rule publishing applies), and
 * every listing whose range contains it, with its part in that answer. One address lives in the
 * route (`#/lookup/<ip>`); a pasted list of addresses is answered in one table (BulkLookup).
 */
import { useEffect, useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { ApiError } from '../../../../shared/result.js';
import type { LookupListing, LookupResult } from '../../../../shared/lookup.js';
import type { RoleAtAddress } from '../../../../shared/published.js';
import { addressEntries, MAX_BULK_LOOKUP, type BulkLookupAnswer } from '../../../../shared/lookup.js';
import { REASON_LABELS } from '../../../../shared/domain.js';
import { useApi } from '../../api.js';
import { formatCount, formatTime } from '../../format.js';
import { navigate, routeHref } from '../../routes.js';
import { ListBadge, StatusBadge } from '../ListBadge.js';
import { QilScorePanel } from '../QilScorePanel.js';
import { BulkLookup } from './BulkLookup.js';
import '../forms.css';
import './lookup.css';

type Answer =
  | { state: 'idle' }
  | { state: 'loading'; done?: number; total?: number }
  | { state: 'found'; result: LookupResult }
  | { state: 'bulk'; answers: readonly BulkLookupAnswer[] }
  | { state: 'failed'; error: ApiError };

function statusDetail(listing: LookupListing): string | null {
  if (listing.status === 'suppressed' && listing.suppressedUntil) return `until ${formatTime(listing.suppressedUntil)}`;
  if (listing.expiresAt) return `expires ${formatTime(listing.expiresAt)}`;
  return null;
}

const ROLE_TEXT: Record<RoleAtAddress, string> = {
  answers: 'answers',
  outranked: 'a more specific listing answers',
  excluded: 'excluded by its ISP',
  allowed: 'GAL wins',
  'not-in-force': 'not published',
};

const column = createColumnHelper<LookupListing>();

const COLUMNS = [
  column.accessor('id', {
    header: 'ID',
    cell: (cell) => (
      <a href={routeHref('record', String(cell.getValue()))} title="Open the record">
        #{cell.getValue()}
      </a>
    ),
  }),
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
          <StatusBadge status={cell.getValue()} standing={cell.row.original.standing} />
          {detail && <span className="muted"> {detail}</span>}
        </>
      );
    },
  }),
  column.accessor('role', { header: 'Here', cell: (cell) => <span className={`role role-${cell.getValue()}`}>{ROLE_TEXT[cell.getValue()]}</span> }),
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

/** Per list: the A record and TXT a mail server gets for the address, or why nothing. */
function MailServerSees({ result }: { result: LookupResult }) {
  return (
    <table className="mail-sees">
      <caption>
        What a mail server sees for <code>{result.ip}</code>
      </caption>
      <thead>
        <tr>
          <th scope="col">List</th>
          <th scope="col">Answer</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        {result.answers.lists.map((entry) => (
          <tr key={entry.list} data-list={entry.list}>
            <th scope="row">
              <ListBadge list={entry.list} />
            </th>
            <td className="mail-answer">
              {entry.answer ? (
                <code>
                  {entry.answer.a} “{entry.answer.txt}”
                </code>
              ) : (
                <span className="muted">not listed</span>
              )}
              {entry.answer !== null && entry.answer.level !== null && <span className="muted"> level {entry.answer.level}</span>}
            </td>
            <td>
              {entry.listingId !== null && <a href={routeHref('record', String(entry.listingId))}>#{entry.listingId}</a>}
              {entry.allowedBy !== null && (
                <span className="muted">
                  GAL entry <a href={routeHref('record', String(entry.allowedBy))}>#{entry.allowedBy}</a> wins
                </span>
              )}
              {entry.answer !== null && entry.listingId === null && <span className="muted">RFC 5782 test point</span>}
            </td>
          </tr>
        ))}
        <tr data-list="combined">
          <th scope="row">combined</th>
          <td className="mail-answer" colSpan={2}>
            {result.answers.combined.length === 0 ? (
              <span className="muted">not listed</span>
            ) : (
              result.answers.combined.map((answer) => (
                <code key={`${answer.a} ${answer.txt}`}>
                  {answer.a} “{answer.txt}”
                </code>
              ))
            )}
          </td>
        </tr>
      </tbody>
    </table>
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
      {result.listings.length === 0 && result.answers.lists.every((entry) => entry.answer === null) ? (
        <div className="not-listed lookup-miss">
          <span>Not listed on any list.</span>
          <a className="button-link" href={routeHref('new-listing', result.ip)}>
            List this address
          </a>
        </div>
      ) : (
        <>
          <MailServerSees result={result} />
          {result.listings.length > 0 && <ListingsTable result={result} />}
        </>
      )}
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
      // A bulk answer is not in the route: it stays until another lookup replaces it.
      setAnswer((current) => (current.state === 'bulk' || current.state === 'loading' ? current : { state: 'idle' }));
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

  const lookUpMany = async (ips: readonly string[]) => {
    setAnswer({ state: 'loading', done: 0, total: ips.length });
    if (routeIp !== null) {
      // Leave the single address's route, keeping the pasted list in the field.
      setShownRouteIp(null);
      navigate('lookup');
    }
    const answers: BulkLookupAnswer[] = [];
    // In calls of at most MAX_BULK_LOOKUP, each answered by the core's one index.
    for (let start = 0; start < ips.length; start += MAX_BULK_LOOKUP) {
      const result = await api['lookup.bulk']({ ips: ips.slice(start, start + MAX_BULK_LOOKUP) });
      if (!result.ok) {
        setAnswer({ state: 'failed', error: result.error });
        return;
      }
      answers.push(...result.value.answers);
      setAnswer({ state: 'loading', done: answers.length, total: ips.length });
    }
    setAnswer({ state: 'bulk', answers });
  };

  const submit = (event?: FormEvent<HTMLFormElement>) => {
    event?.preventDefault();
    const entries = addressEntries(text);
    if (entries.length > 1) {
      void lookUpMany(entries.map((entry) => entry.text));
      return;
    }
    const ip = entries[0]?.text ?? text.trim();
    if (ip === '') return;
    // The same IP again does not change the route, so ask again explicitly.
    if (ip === routeIp) setAttempt((count) => count + 1);
    else navigate('lookup', ip);
  };

  // Enter looks up (as in a one-line field); Shift+Enter starts a new line of a list.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };
  const lineCount = text.split('\n').length;

  const errorId = 'lookup-error';
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Lookup</h1>
      <form className="lookup-form" onSubmit={submit} role="search">
        <label htmlFor="lookup-ip">IP address or list</label>
        <textarea
          id="lookup-ip"
          name="ip"
          className="lookup-field"
          required
          autoFocus
          spellCheck={false}
          autoComplete="off"
          rows={Math.min(Math.max(lineCount, 1), 8)}
          placeholder="11.0.0.1 or 2a01::1; paste a list for many (one per line)"
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
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
          {answer.total !== undefined ? `Looking up ${formatCount(answer.done ?? 0)} of ${formatCount(answer.total)} addresses…` : 'Looking up…'}
        </p>
      )}
      {answer.state === 'found' && <LookupAnswer result={answer.result} />}
      {answer.state === 'bulk' && <BulkLookup answers={answer.answers} />}
    </section>
  );
}
