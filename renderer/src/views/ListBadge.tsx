import { LIST_DESCRIPTIONS, type ListName, type ListingStatus } from '../../../shared/domain.js';

export function ListBadge({ list }: { list: ListName }) {
  return (
    <span className={`badge list-${list}`} title={LIST_DESCRIPTIONS[list]}>
      {list}
    </span>
  );
}

/**
 * The stored status; with `isPublished`, also where the time has moved past it: an active entry
 * whose expiry has passed is out of the zone ("expired"), a suppressed one whose removal has ended
 * is back in it ("removal ended"), though neither status has been written yet.
 */
export function StatusBadge({ status, isPublished }: { status: ListingStatus; isPublished?: boolean }) {
  const note = status === 'active' && isPublished === false ? 'expired' : status === 'suppressed' && isPublished === true ? 'removal ended' : null;
  return (
    <>
      <span className={`status status-${status}`}>{status}</span>
      {note !== null && (
        <span className="status-note" title={note === 'expired' ? 'Its expiry has passed: no longer published' : 'Its temporary removal has ended: published again'}>
          {' '}
          {note}
        </span>
      )}
    </>
  );
}
