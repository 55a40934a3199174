/**
 * The listings table: every listing on every list, filtered, sorted and keyset-paged by the core,
 * rows virtualised so a million-row result scrolls like a short one. Filters live in the route;
 * column visibility and widths are remembered; arrows move, Enter opens the record, Space selects.
 */
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { FilterKey, ListingTableRow } from '../../../../shared/workbench.js';
import { formatCount } from '../../format.js';
import './listings-grid.css';
import { routeHref, routeQueryText, useHash } from '../../routes.js';
import '../forms.css';
import { ErrorLine } from '../ErrorLine.js';
import { BulkPanel } from './BulkPanel.js';
import { listingsHash, listingsQueryText, parseListingsQuery, rememberListingsHash } from './listingsRoute.js';
import { SavedViews } from './SavedViews.js';
import { WaitingFiles } from './WaitingFiles.js';
import { useListingPages } from './useListingPages.js';
import { useChanges } from '../../changes.js';
import './workbench.css';
import { COLUMNS, COLUMNS_KEY, ColumnChooser, ListingsGrid, SORT_OF, loadPreferences } from './ListingsGrid.js';
import { FilterForm } from './FilterForm.js';

const SavedViewsMemo = memo(SavedViews);
const NO_ROWS: ListingTableRow[] = [];

export function ListingsView() {
  const hash = useHash();
  const queryText = routeQueryText(hash, 'listings');
  const state = useMemo(() => parseListingsQuery(queryText), [queryText]);
  const filter = useMemo(() => state.filter ?? {}, [state]);
  const pages = useListingPages(filter, state.sort);
  useChanges(['listings'], pages.reload);
  const [preferences, setPreferences] = useState(loadPreferences);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());

  useEffect(() => rememberListingsHash(listingsHash(queryText)), [queryText]);
  useEffect(() => window.localStorage.setItem(COLUMNS_KEY, JSON.stringify(preferences)), [preferences]);
  useEffect(() => setSelected(new Set()), [queryText]);

  const apply = (fields: Partial<Record<FilterKey, string>>, sort = state.sort) => {
    window.location.hash = listingsHash(listingsQueryText(fields, sort));
  };

  // The table is kept for its columns, headers, visibility and widths; rows are drawn from the pages.
  const table = useReactTable({
    data: NO_ROWS,
    columns: COLUMNS,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => String(row.id),
    columnResizeMode: 'onChange',
    state: { columnVisibility: preferences.visibility, columnSizing: preferences.sizing },
    onColumnVisibilityChange: (updater) =>
      setPreferences((previous) => ({ ...previous, visibility: typeof updater === 'function' ? updater(previous.visibility) : updater })),
    onColumnSizingChange: (updater) => setPreferences((previous) => ({ ...previous, sizing: typeof updater === 'function' ? updater(previous.sizing) : updater })),
    manualSorting: true,
    manualFiltering: true,
  });
  const rows = pages.rows;
  const toggle = useCallback(
    (id: number) =>
      setSelected((previous) => {
        const next = new Set(previous);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const selectedIds = useMemo(() => [...selected], [selected]);
  // Rows re-render only when their data, state or the column layout changes, not on every scroll frame.
  const layout = JSON.stringify([preferences.visibility, preferences.sizing]);

  const sortBy = (columnId: string) => {
    const sort = SORT_OF[columnId];
    if (!sort) return;
    const descending = state.sort.column === sort ? !state.sort.descending : sort === 'changed' || sort === 'created' || sort === 'expires';
    apply(state.fields, { column: sort, descending });
  };

  const countText =
    pages.total === null ? '' : `${pages.isCountCapped ? 'more than ' : ''}${formatCount(pages.total)} listing${pages.total === 1 ? '' : 's'}`;

  return (
    <section className="listings-view" aria-labelledby="listings-title">
      <div className="view-heading">
        <h1 id="listings-title">Listings</h1>
        <a className="button-link" href={routeHref('new-listing')}>
          New listing
        </a>
        <a className="button-link secondary" href={routeHref('import-listings')}>
          Import listings
        </a>
        <SavedViewsMemo queryText={queryText} />
      </div>
      <WaitingFiles />
      <FilterForm fields={state.fields} onApply={apply} />
      {state.filterProblem && <ErrorLine error={{ code: 'invalid-input', message: state.filterProblem }} />}
      {pages.error && <ErrorLine error={pages.error} />}
      {pages.notes.length > 0 && (
        <ul className="notes">
          {pages.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <div className="table-toolbar">
        <p className="result-count" role="status" data-core-ms={pages.coreMs === null ? undefined : pages.coreMs.toFixed(1)}>
          {pages.isLoading ? 'Loading…' : countText}
          {pages.coreMs !== null && <span className="muted"> · {pages.coreMs.toFixed(0)} ms in the core</span>}
          {selected.size > 0 && <span> · {formatCount(selected.size)} selected</span>}
        </p>
        <ColumnChooser table={table} />
      </div>
      <ListingsGrid
        key={queryText}
        table={table}
        rows={rows}
        hasMore={pages.hasMore}
        loadMore={pages.loadMore}
        isEmpty={!pages.isLoading && rows.length === 0 && !pages.error}
        total={pages.total}
        sort={state.sort}
        onSort={sortBy}
        selected={selected}
        setSelected={setSelected}
        toggle={toggle}
        layout={layout}
      />
      <BulkPanel filter={state.filter} selected={selectedIds} sort={state.sort} total={pages.total} isTotalCapped={pages.isCountCapped} onDone={pages.reload} />
    </section>
  );
}
