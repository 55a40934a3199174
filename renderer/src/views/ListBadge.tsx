import { LIST_DESCRIPTIONS, type ListName, type ListingStatus, type Standing } from '../../../shared/domain.js';

export function ListBadge({ list }: { list: ListName }) {
  return (
    <span className={`badge list-${list}`} title={LIST_DESCRIPTIONS[list]}>
      {list}
    </span>
  );
}

/** Where the one rule's standing differs from the stored status: a short note and what it means. */
function standingNote(status: ListingStatus, standing: Standing | undefined): { text: string; title: string } | null {
  if (standing === undefined || standing === status) return null;
  switch (standing) {
    case 'expired':
      return { text: 'expired', title: 'Its expiry has passed: no longer published' };
    case 'active':
      return status === 'suppressed'
        ? { text: 'removal ended', title: 'Its temporary removal has ended: published again' }
        : { text: 'until replaced', title: 'A DUL submission that takes effect later replaces it: published until then' };
    case 'pending':
      return { text: 'pending', title: 'Its DUL submission takes effect later: not published yet' };
    case 'suppressed':
    case 'delisted':
      return null;
    default: {
      const unknown: never = standing;
      return unknown;
    }
  }
}

/**
 * The stored status; with `standing` (what the one rule makes of it now), also where the time has
 * moved past it: an active entry whose expiry has passed is out of the zone ("expired"), a
 * suppressed one whose removal has ended is back in it ("removal ended"), a DUL range waiting for
 * its submission's effective date is not in it yet ("pending"), though no status has been written.
 */
export function StatusBadge({ status, standing }: { status: ListingStatus; standing?: Standing }) {
  const note = standingNote(status, standing);
  return (
    <>
      <span className={`status status-${status}`}>{status}</span>
      {note !== null && (
        <span className="status-note" title={note.title}>
          {' '}
          {note.text}
        </span>
      )}
    </>
  );
}
