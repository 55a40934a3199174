/**
 * All of an ISP's active DUL ranges, a page at a time (keyset pages of `isps.ranges`: Next asks
 * for the ranges after the last one shown, Previous goes back to a page already seen).
 */
import { useEffect, useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { IspRangeView } from '../../../../shared/dul.js';
import { useApi } from '../../api.js';
import { formatCount, formatUntil } from '../../format.js';
import { routeHref } from '../../routes.js';
import { ErrorLine } from '../ErrorLine.js';

const PAGE = 100;

export function ActiveRanges({ isp, total, first }: { isp: string; total: number; first: readonly IspRangeView[] }) {
  const api = useApi();
  // The id each page starts after: [0] is the first page (which came with the ISP's page).
  const [starts, setStarts] = useState<readonly number[]>([0]);
  const [page, setPage] = useState<{ after: number; ranges: readonly IspRangeView[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const after = starts[starts.length - 1];
  useEffect(() => {
    if (after === 0) return;
    let isCurrent = true;
    void api['isps.ranges']({ name: isp, afterId: after, limit: PAGE }).then((result) => {
      if (!isCurrent) return;
      if (result.ok) {
        setError(null);
        setPage({ after, ranges: result.value.ranges });
      } else setError(result.error);
    });
    return () => {
      isCurrent = false;
    };
  }, [api, isp, after]);
  const ranges = after === 0 ? first.slice(0, PAGE) : page?.after === after ? page.ranges : [];
  const shownBefore = (starts.length - 1) * PAGE;
  const lastId = ranges.length > 0 ? ranges[ranges.length - 1].listingId : null;
  const hasMore = shownBefore + ranges.length < total && ranges.length === PAGE;
  return (
    <section aria-labelledby="active-ranges-title">
      <h2 id="active-ranges-title">Active ranges</h2>
      {total > PAGE && (
        <p className="pager" aria-label="Active range pages">
          <button type="button" onClick={() => setStarts(starts.slice(0, -1))} disabled={starts.length === 1}>
            Previous
          </button>
          <span>
            {formatCount(ranges.length === 0 ? 0 : shownBefore + 1)}–{formatCount(shownBefore + ranges.length)} of {formatCount(total)}
          </span>
          <button type="button" onClick={() => lastId !== null && setStarts([...starts, lastId])} disabled={!hasMore}>
            Next
          </button>
        </p>
      )}
      {error && <ErrorLine error={error} />}
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
                <a href={routeHref('record', String(range.listingId))}>{range.range}</a>
              </td>
              <td>#{range.submissionId}</td>
              <td>{range.validUntil ? formatUntil(range.validUntil) : ''}</td>
              <td>{range.policyNote ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
