/** A DUL submission's preview: counts, the diff and every list of it, each paged through in full from the preview's spool. */
import { useEffect, useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { PreviewList, RangeOverlap, SubmissionPreview } from '../../../../shared/dul.js';
import { useApi } from '../../api.js';
import { formatCount } from '../../format.js';
import { ErrorLine } from '../ErrorLine.js';

const PAGE_SIZE = 1000;

/**
 * One of the preview's lists: its first page comes with the preview; every other page is read
 * from the preview's spool, so a million-line diff is browsable without a million DOM rows.
 */
function Excerpt<T extends string | RangeOverlap>({
  title,
  list,
  spool,
  excerpt,
  show,
}: {
  title: string;
  list: PreviewList;
  spool: string | null;
  excerpt: { total: number; items: readonly T[] };
  show: (item: T) => string;
}) {
  const api = useApi();
  const [page, setPage] = useState(0);
  const [loaded, setLoaded] = useState<{ page: number; items: readonly T[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const pages = Math.ceil(excerpt.total / PAGE_SIZE);
  useEffect(() => {
    if (page === 0 || spool === null) return;
    let isCurrent = true;
    void api['dul.previewItems']({ spool, list, offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then((result) => {
      if (!isCurrent) return;
      if (result.ok) {
        setError(null);
        setLoaded({ page, items: result.value.items as readonly T[] });
      } else setError(result.error);
    });
    return () => {
      isCurrent = false;
    };
  }, [api, list, page, spool]);
  if (excerpt.total === 0) return null;
  const items = page === 0 ? excerpt.items : loaded?.page === page ? loaded.items : [];
  const first = page * PAGE_SIZE;
  return (
    <details>
      <summary>
        {title}: {formatCount(excerpt.total)}
      </summary>
      {pages > 1 && (
        <p className="pager" aria-label={`${title} pages`}>
          <button type="button" onClick={() => setPage(page - 1)} disabled={page === 0}>
            Previous
          </button>
          <span>
            {formatCount(first + 1)}–{formatCount(Math.min(first + PAGE_SIZE, excerpt.total))} of {formatCount(excerpt.total)}
          </span>
          <button type="button" onClick={() => setPage(page + 1)} disabled={page + 1 >= pages || spool === null}>
            Next
          </button>
        </p>
      )}
      {error && <ErrorLine error={error} />}
      <ul>
        {items.map((item, index) => (
          <li key={first + index}>{show(item)}</li>
        ))}
      </ul>
    </details>
  );
}

export function PreviewReport({ preview }: { preview: SubmissionPreview }) {
  const text = (item: string) => item;
  const overlap = (item: RangeOverlap) =>
    `line ${item.line}: ${item.range} meets ${item.list} #${item.listingId} ${item.otherRange}${item.isp ? ` (${item.isp})` : ''}`;
  return (
    <div className="dul-preview" aria-label="Submission preview">
      <p>
        {preview.source}: {formatCount(preview.lines)} lines, {formatCount(preview.ranges)} ranges ({formatCount(preview.ipv4)} IPv4, {formatCount(preview.ipv6)} IPv6).
        Against the current set: <strong>{formatCount(preview.diff.added.total)} added</strong>, <strong>{formatCount(preview.diff.removed.total)} removed</strong>,{' '}
        {formatCount(preview.diff.unchanged)} unchanged.
      </p>
      {preview.exclusions.length > 0 && <p>Exclusions (never listed): {preview.exclusions.join(', ')}</p>}
      <Excerpt title="Added" list="added" spool={preview.spool} excerpt={preview.diff.added} show={text} />
      <Excerpt title="Removed" list="removed" spool={preview.spool} excerpt={preview.diff.removed} show={text} />
      <Excerpt title="Normalised" list="normalisations" spool={preview.spool} excerpt={preview.normalisations} show={text} />
      <Excerpt title="Duplicates merged" list="duplicates" spool={preview.spool} excerpt={preview.duplicates} show={text} />
      <Excerpt title="Overlapping another ISP's DUL ranges" list="otherIspOverlaps" spool={preview.spool} excerpt={preview.otherIspOverlaps} show={overlap} />
      <Excerpt title="Meeting a GAL entry" list="galOverlaps" spool={preview.spool} excerpt={preview.galOverlaps} show={overlap} />
      <Excerpt title="Meeting an active RBL listing" list="rblOverlaps" spool={preview.spool} excerpt={preview.rblOverlaps} show={overlap} />
      {preview.rejected.length > 0 && (
        <div className="error" role="alert">
          <p>{formatCount(preview.rejected.length)} rejected lines:</p>
          <ul>
            {preview.rejected.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

