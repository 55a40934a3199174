/** What one snapshot added and removed, per list, a page of 100 listings at a time (keyset paging). */
import { useState } from 'react';
import { LISTS, REASON_LABELS, type ListName } from '../../../../shared/domain.js';
import type { SnapshotView } from '../../../../shared/publishing.js';
import { useApi } from '../../api.js';
import { formatCount } from '../../format.js';
import { useOperation } from '../../useOperation.js';
import { ListBadge, StatusBadge } from '../ListBadge.js';
import { Tabs } from '../Tabs.js';
import './publish.css';

const PAGE_SIZE = 100;

type ChangeKind = 'added' | 'removed';

function changeCount(snapshot: SnapshotView, list: ListName, kind: ChangeKind): number {
  if (snapshot.changes) return snapshot.changes[list][kind];
  return kind === 'added' ? snapshot.listingsInForce[list] : 0;
}

function ChangedListings({ serial, list, kind }: { serial: number; list: ListName; kind: ChangeKind }) {
  const api = useApi();
  // Each entry is the id a page starts after; the last is the page shown. Going back pops one.
  const [pageStarts, setPageStarts] = useState<number[]>([0]);
  const afterId = pageStarts[pageStarts.length - 1];
  const page = useOperation(() => api['snapshots.changes']({ serial, list, kind, afterId, limit: PAGE_SIZE }), `${serial}/${list}/${kind}/${afterId}`);

  if (page.state === 'loading') return <p className="muted">Loading the listings…</p>;
  if (page.state === 'failed') {
    return (
      <p className="error" role="alert">
        {page.error.message}
      </p>
    );
  }
  const { total, listings } = page.value;
  if (total === 0) return <p className="muted">This snapshot {kind} nothing on {list}.</p>;
  const first = (pageStarts.length - 1) * PAGE_SIZE + 1;
  const last = first + listings.length - 1;
  const hasNext = last < total && listings.length > 0;
  return (
    <>
      <div className="table-scroll table-scroll-tall">
        <table className="listings changed-listings">
          <caption>
            {kind === 'added' ? 'Added' : 'Removed'} on {list}: {formatCount(first)}–{formatCount(last)} of {formatCount(total)}
          </caption>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Range</th>
              <th scope="col">List</th>
              <th scope="col">Reason</th>
              <th scope="col">Status</th>
              <th scope="col">Investigator</th>
            </tr>
          </thead>
          <tbody>
            {listings.map((listing) => (
              <tr key={listing.id}>
                <td className="column-id">#{listing.id}</td>
                <td className="column-range">
                  <code>{listing.range}</code>
                </td>
                <td className="column-list">
                  <ListBadge list={listing.list} />
                </td>
                <td className="column-reason">{REASON_LABELS[listing.reason]}</td>
                <td className="column-status">
                  <StatusBadge status={listing.status} />
                </td>
                <td className="column-investigator">{listing.investigator}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <button type="button" className="secondary" disabled={pageStarts.length === 1} onClick={() => setPageStarts((starts) => starts.slice(0, -1))}>
          Previous {PAGE_SIZE}
        </button>
        <button type="button" className="secondary" disabled={!hasNext} onClick={() => setPageStarts((starts) => [...starts, listings[listings.length - 1].id])}>
          Next {PAGE_SIZE}
        </button>
      </div>
    </>
  );
}

export function SnapshotChanges({ snapshot, onClose }: { snapshot: SnapshotView; onClose: () => void }) {
  const firstChanged = LISTS.find((list) => changeCount(snapshot, list, 'added') + changeCount(snapshot, list, 'removed') > 0) ?? LISTS[0];
  const [list, setList] = useState<ListName>(firstChanged);
  const [kind, setKind] = useState<ChangeKind>(changeCount(snapshot, firstChanged, 'added') > 0 || changeCount(snapshot, firstChanged, 'removed') === 0 ? 'added' : 'removed');
  return (
    <section className="panel" aria-labelledby="snapshot-changes-title">
      <div className="panel-heading">
        <h2 id="snapshot-changes-title">
          Changes in snapshot {snapshot.serial}
          {snapshot.changes === null && <span className="muted"> (first snapshot: everything in it was added)</span>}
        </h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <Tabs
        name="snapshot-list"
        label="List"
        selected={list}
        onSelect={setList}
        items={LISTS.map((name) => ({
          id: name,
          label: (
            <>
              {name} <span className="tab-count">+{formatCount(changeCount(snapshot, name, 'added'))} −{formatCount(changeCount(snapshot, name, 'removed'))}</span>
            </>
          ),
        }))}
      >
        <Tabs
          name="snapshot-kind"
          label="Change"
          selected={kind}
          onSelect={setKind}
          items={[
            { id: 'added', label: `Added (${formatCount(changeCount(snapshot, list, 'added'))})` },
            { id: 'removed', label: `Removed (${formatCount(changeCount(snapshot, list, 'removed'))})` },
          ]}
        >
          {/* Keyed so paging starts over on another snapshot, list or kind. */}
          <ChangedListings key={`${snapshot.serial}/${list}/${kind}`} serial={snapshot.serial} list={list} kind={kind} />
        </Tabs>
      </Tabs>
    </section>
  );
}
