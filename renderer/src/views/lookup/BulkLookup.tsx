/**
 * Bulk lookup: the answers for a pasted list of addresses as one table (address, what a mail
 * server sees, lists with links to the records, status), a summary, and the whole set as CSV.
 */
import { useMemo, useState } from 'react';
import { bulkLookupCsv, isListed, mailServerSees, type BulkLookupAnswer } from '../../../../shared/lookup.js';
import { formatCount } from '../../format.js';
import { routeHref } from '../../routes.js';
import { ListBadge, StatusBadge } from '../ListBadge.js';
import { downloadText } from '../record/files.js';

/** Rows shown before "Show all": a long list stays quick to render; the CSV always has every row. */
const FIRST_ROWS = 500;

/** The answers of the zones (the rule publishing applies): what decides a mail server's 550 or 450. */
function SeesCell({ answer }: { answer: BulkLookupAnswer }) {
  const seen = answer.result ? mailServerSees(answer.result) : [];
  if (seen.length === 0) return <td className="column-sees muted">nothing (not listed)</td>;
  return (
    <td className="column-sees">
      <ul className="bulk-listings">
        {seen.map((text) => (
          <li key={text}>
            <code>{text}</code>
          </li>
        ))}
      </ul>
    </td>
  );
}

function AnswerCells({ answer }: { answer: BulkLookupAnswer }) {
  if (answer.error !== null) {
    return (
      <td className="column-lists bulk-problem" colSpan={3}>
        {answer.error}
      </td>
    );
  }
  const listings = answer.result?.listings ?? [];
  if (listings.length === 0) {
    return (
      <td className="column-lists muted" colSpan={3}>
        not listed
      </td>
    );
  }
  return (
    <>
      <SeesCell answer={answer} />
      <td className="column-lists">
        <ul className="bulk-listings">
          {listings.map((listing) => (
            <li key={listing.id}>
              <a href={routeHref('record', String(listing.id))} title={`Open the record of #${listing.id}`}>
                <ListBadge list={listing.list} /> #{listing.id}
              </a>{' '}
              <code className="muted">{listing.range}</code>
            </li>
          ))}
        </ul>
      </td>
      <td className="column-status">
        <ul className="bulk-listings">
          {listings.map((listing) => (
            <li key={listing.id}>
              <StatusBadge status={listing.status} standing={listing.standing} />
              {listing.level !== null && <span className="muted"> level {listing.level}</span>}
            </li>
          ))}
        </ul>
      </td>
    </>
  );
}

export function BulkLookup({ answers }: { answers: readonly BulkLookupAnswer[] }) {
  const [showOnlyListed, setShowOnlyListed] = useState(false);
  const [showAll, setShowAll] = useState(false);
  const counts = useMemo(() => {
    let listed = 0;
    let problems = 0;
    for (const answer of answers) {
      if (answer.error !== null) problems += 1;
      else if (answer.result && isListed(answer.result)) listed += 1;
    }
    return { listed, problems, unlisted: answers.length - listed - problems };
  }, [answers]);
  const shown = showOnlyListed ? answers.filter((answer) => answer.result !== null && isListed(answer.result)) : answers;
  const rows = showAll ? shown : shown.slice(0, FIRST_ROWS);
  return (
    <section className="bulk-lookup" aria-labelledby="bulk-title">
      <h2 id="bulk-title">
        {formatCount(answers.length)} addresses: {formatCount(counts.listed)} listed, {formatCount(counts.unlisted)} not listed
        {counts.problems > 0 && `, ${formatCount(counts.problems)} not ${counts.problems === 1 ? 'an address' : 'addresses'}`}
      </h2>
      <div className="bulk-toolbar">
        <label>
          <input type="checkbox" checked={showOnlyListed} onChange={(event) => setShowOnlyListed(event.target.checked)} /> Listed addresses only
        </label>
        <button type="button" className="secondary" onClick={() => downloadText('lookup.csv', bulkLookupCsv(answers), 'text/csv')}>
          Download CSV ({formatCount(answers.length)} rows)
        </button>
      </div>
      <div className="table-scroll">
        <table className="bulk-lookup-table">
          <thead>
            <tr>
              <th scope="col" className="column-address">
                Address
              </th>
              <th scope="col" className="column-sees">
                A mail server sees
              </th>
              <th scope="col" className="column-lists">
                Listings
              </th>
              <th scope="col" className="column-status">
                Status
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((answer, position) => (
              <tr key={position} className={answer.error !== null ? 'bulk-row-problem' : undefined}>
                <td className="column-address">
                  {answer.result ? <a href={routeHref('lookup', answer.result.ip)}>{answer.result.ip}</a> : <code>{answer.input}</code>}
                </td>
                <AnswerCells answer={answer} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length < shown.length && (
        <p>
          Showing the first {formatCount(rows.length)} of {formatCount(shown.length)}.{' '}
          <button type="button" className="secondary" onClick={() => setShowAll(true)}>
            Show all {formatCount(shown.length)}
          </button>
        </p>
      )}
    </section>
  );
}
