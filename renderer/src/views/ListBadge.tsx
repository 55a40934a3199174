import { LIST_DESCRIPTIONS, type ListName, type ListingStatus } from '../../../shared/domain.js';

export function ListBadge({ list }: { list: ListName }) {
  return (
    <span className={`badge list-${list}`} title={LIST_DESCRIPTIONS[list]}>
      {list}
    </span>
  );
}

export function StatusBadge({ status }: { status: ListingStatus }) {
  return <span className={`status status-${status}`}>{status}</span>;
}
