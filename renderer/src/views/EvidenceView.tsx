/**
 * `#/evidence/<listing id>`: one record's spam samples and correspondence. The record view
 * (`#/record/<id>`) hosts the same two tabs; this route shows them on their own.
 */
import { useApi } from '../api.js';
import { useOperation } from '../useOperation.js';
import { ErrorLine } from './ErrorLine.js';
import { ListBadge, StatusBadge } from './ListBadge.js';
import { CorrespondenceTab } from './record/CorrespondenceTab.js';
import { SamplesTab } from './record/SamplesTab.js';

export function EvidenceView({ argument }: { argument: string | null }) {
  const api = useApi();
  const listingId = argument !== null && /^\d+$/.test(argument) ? Number(argument) : null;
  const listing = useOperation(
    () => (listingId === null ? Promise.resolve({ ok: false as const, error: { code: 'invalid-input' as const, message: 'Open a record: #/evidence/<listing number>.' } }) : api['listings.get']({ id: listingId })),
    `evidence ${argument}`,
  );
  if (listing.state === 'loading') return <p aria-live="polite">Loading…</p>;
  if (listing.state === 'failed' || listingId === null) return <ErrorLine error={listing.state === 'failed' ? listing.error : { code: 'invalid-input', message: 'no record' }} />;
  const record = listing.value;
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">
        Record #{record.id}: <ListBadge list={record.list} /> {record.range} <StatusBadge status={record.status} />
      </h1>
      <SamplesTab listingId={record.id} />
      <CorrespondenceTab listingId={record.id} />
    </section>
  );
}
