/**
 * The listings table itself: its columns (chosen and sized by the user, kept in local storage),
 * the virtualised rows with keyboard selection, and sorting by a column header.
 */
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { createColumnHelper, flexRender, type Column, type ColumnSizingState, type VisibilityState, type useReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { REASON_LABELS } from '../../../../shared/domain.js';
import type { ListingSort, ListingTableRow, SortColumn } from '../../../../shared/workbench.js';
import { formatCount, formatTime } from '../../format.js';
import './listings-grid.css';
import { routeHref } from '../../routes.js';
import '../forms.css';
import { ListBadge, StatusBadge } from '../ListBadge.js';
import './workbench.css';

/** A time in a grid cell: the header says UTC, so the cell does not. */
function formatGridTime(iso: string): string {
  return formatTime(iso).replace(/ UTC$/, '');
}

const ROW_HEIGHT = 30;

export const COLUMNS_KEY = 'repdesk.listings.columns';

const column = createColumnHelper<ListingTableRow>();

/** Which table column sorts by which core sort (columns without one are not sortable). */
export const SORT_OF: Record<string, SortColumn | undefined> = {
  id: 'id',
  range: 'range',
  createdAt: 'created',
  updatedAt: 'changed',
  expiresAt: 'expires',
};

/** The status filter is the standing now (the rule publishing applies): what each value selects. */
export const STANDING_LABELS: Record<string, string> = {
  active: 'active (in force)',
  suppressed: 'suppressed (removed until a date)',
  delisted: 'delisted',
  expired: 'expired (past its expiry)',
  pending: 'pending (DUL, not yet effective)',
};

export const COLUMNS = [
  column.accessor('id', { header: 'ID', size: 80, cell: (cell) => `#${cell.getValue()}` }),
  // A long IPv6 range does not fit its column: the whole range is its tooltip (and the record's title).
  column.accessor('range', { header: 'Range', size: 220, cell: (cell) => <code title={cell.getValue()}>{cell.getValue()}</code> }),
  column.accessor('list', { header: 'List', size: 56, cell: (cell) => <ListBadge list={cell.getValue()} /> }),
  column.accessor('status', {
    header: 'Status',
    size: 120,
    cell: (cell) => <StatusBadge status={cell.getValue()} standing={cell.row.original.standing} />,
  }),
  column.accessor('reason', { header: 'Reason', size: 130, cell: (cell) => REASON_LABELS[cell.getValue()] }),
  column.accessor('investigator', { header: 'Investigator', size: 110 }),
  column.accessor('createdAt', { header: 'Created (UTC)', size: 145, cell: (cell) => formatGridTime(cell.getValue()) }),
  column.accessor('updatedAt', { header: 'Changed (UTC)', size: 145, cell: (cell) => formatGridTime(cell.getValue()) }),
  column.accessor('expiresAt', {
    header: 'Expires (UTC) / level',
    size: 170,
    cell: (cell) => {
      const row = cell.row.original;
      if (row.expiresAt === null && row.level === null) return <span className="muted">—</span>;
      return `${row.expiresAt ? formatGridTime(row.expiresAt) : ''}${row.level !== null ? ` · L${row.level}` : ''}`;
    },
  }),
  column.accessor('isp', { header: 'ISP', size: 90, cell: (cell) => cell.getValue() ?? <span className="muted">—</span> }),
  column.accessor('samples', { header: 'Samples', size: 85, cell: (cell) => formatCount(cell.getValue()) }),
  column.accessor('txt', { header: 'TXT', size: 260, cell: (cell) => cell.getValue() ?? <span className="muted">—</span> }),
];

export interface ColumnPreferences {
  readonly visibility: VisibilityState;
  readonly sizing: ColumnSizingState;
}

export function loadPreferences(): ColumnPreferences {
  try {
    const stored = JSON.parse(window.localStorage.getItem(COLUMNS_KEY) ?? 'null') as ColumnPreferences | null;
    if (stored && typeof stored.visibility === 'object' && typeof stored.sizing === 'object') return stored;
  } catch {
    // A damaged preference falls back to the defaults.
  }
  // The default columns fit a 1400 px window beside the navigation; TXT, Created and ISP are a click away.
  return { visibility: { txt: false, createdAt: false, isp: false }, sizing: {} };
}

export function ColumnChooser({ table }: { table: ReturnType<typeof useReactTable<ListingTableRow>> }) {
  return (
    <details className="column-chooser">
      <summary>Columns</summary>
      <fieldset>
        <legend>Shown columns</legend>
        {table.getAllLeafColumns().map((leaf) => (
          <label key={leaf.id}>
            <input type="checkbox" checked={leaf.getIsVisible()} onChange={leaf.getToggleVisibilityHandler()} /> {String(leaf.columnDef.header)}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

/** One row of the grid. `layout` names the column visibility and widths the cells were drawn with. */
/**
 * One row of the grid, drawn from the listing itself rather than a table row model (which is
 * rebuilt for every loaded row each time a page arrives): a row re-renders only when its listing,
 * state or the columns change, not on every scroll frame or page load.
 */
const GridRow = memo(function GridRow({
  listing,
  columns,
  index,
  start,
  isActive,
  isSelected,
  onToggle,
  onActivate,
}: {
  listing: ListingTableRow;
  columns: readonly Column<ListingTableRow, unknown>[];
  index: number;
  start: number;
  isActive: boolean;
  isSelected: boolean;
  onToggle: (id: number) => void;
  onActivate: (index: number) => void;
}) {
  return (
    <div
      id={`listing-row-${listing.id}`}
      className={`grid-row${isActive ? ' grid-row-active' : ''}${isSelected ? ' grid-row-selected' : ''}`}
      role="row"
      aria-rowindex={index + 1}
      aria-selected={isSelected}
      style={{ transform: `translateY(${start}px)` }}
      onClick={() => onActivate(index)}
      onDoubleClick={() => (window.location.hash = routeHref('record', String(listing.id)))}
    >
      <div className="grid-cell grid-check" role="gridcell">
        <input type="checkbox" aria-label={`Select #${listing.id}`} checked={isSelected} onChange={() => onToggle(listing.id)} tabIndex={-1} />
      </div>
      {columns.map((column) => (
        <div key={column.id} className={`grid-cell column-${column.id}`} role="gridcell" style={{ width: column.getSize() }}>
          {column.id === 'id' ? (
            <a href={routeHref('record', String(listing.id))} tabIndex={-1}>
              #{listing.id}
            </a>
          ) : (
            renderCell(column, listing)
          )}
        </div>
      ))}
    </div>
  );
});

/** A column's cell for one listing: the column's own renderer, given the value and the listing. */
function renderCell(column: Column<ListingTableRow, unknown>, listing: ListingTableRow): ReactNode {
  const value = listing[column.id as keyof ListingTableRow];
  const cell = column.columnDef.cell;
  if (typeof cell !== 'function') return value === null ? '' : String(value);
  // The part of tanstack's cell context the renderers here (and its default renderer) read.
  return (cell as (context: { getValue: () => unknown; renderValue: () => unknown; row: { original: ListingTableRow } }) => ReactNode)({
    getValue: () => value,
    renderValue: () => value,
    row: { original: listing },
  });
}

/** The virtualised grid: only it re-renders while scrolling. Arrows move, Enter opens, Space selects, Esc clears the selection. */
export function ListingsGrid({
  table,
  rows,
  hasMore,
  loadMore,
  isEmpty,
  total,
  sort: currentSort,
  onSort,
  selected,
  setSelected,
  toggle,
  layout,
}: {
  table: ReturnType<typeof useReactTable<ListingTableRow>>;
  rows: readonly ListingTableRow[];
  hasMore: boolean;
  loadMore: () => void;
  isEmpty: boolean;
  total: number | null;
  sort: ListingSort;
  onSort: (columnId: string) => void;
  selected: ReadonlySet<number>;
  setSelected: (selected: ReadonlySet<number>) => void;
  toggle: (id: number) => void;
  /** The column visibility and widths, as text: when it changes, the rows redraw. */
  layout: string;
}) {
  const [active, setActive] = useState(0);
  const viewport = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length + (hasMore ? 1 : 0),
    getScrollElement: () => viewport.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastItem = items[items.length - 1];
  useEffect(() => {
    if (lastItem && lastItem.index >= rows.length - 40 && hasMore) loadMore();
  }, [lastItem?.index, rows.length, hasMore]);

  const move = (index: number) => {
    const bounded = Math.max(0, Math.min(rows.length - 1, index));
    setActive(bounded);
    virtualizer.scrollToIndex(bounded);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((viewport.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: active + 1, ArrowUp: active - 1, PageDown: active + page, PageUp: active - page, Home: 0, End: rows.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      move(moves[event.key]);
      return;
    }
    const row = rows[active];
    if (!row) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      window.location.hash = routeHref('record', String(row.id));
    } else if (event.key === ' ') {
      event.preventDefault();
      toggle(row.id);
    } else if (event.key === 'Escape' && selected.size > 0) {
      event.preventDefault();
      setSelected(new Set());
    }
  };

  const totalWidth = table.getTotalSize() + 36;
  // A new array whenever visibility or widths change (the table's state), so memoised rows redraw then only.
  const visibleColumns = useMemo(() => table.getVisibleLeafColumns(), [layout, table]);
  const allLoadedSelected = rows.length > 0 && rows.every((row) => selected.has(row.id));
  return (
      <div
        className="grid-viewport"
        ref={viewport}
        role="grid"
        aria-label="Listings"
        aria-rowcount={total ?? rows.length}
        aria-multiselectable="true"
        aria-activedescendant={rows[active] ? `listing-row-${rows[active].id}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        <div className="grid-header" role="row" style={{ width: totalWidth }}>
          <div className="grid-cell grid-check" role="columnheader">
            <input
              type="checkbox"
              aria-label="Select all loaded rows"
              checked={allLoadedSelected}
              onChange={() => setSelected(allLoadedSelected ? new Set() : new Set(rows.map((row) => row.id)))}
            />
          </div>
          {table.getHeaderGroups()[0].headers.map((header) => {
            const sort = SORT_OF[header.column.id];
            const isSorted = sort !== undefined && currentSort.column === sort;
            return (
              <div
                key={header.id}
                className="grid-cell"
                role="columnheader"
                style={{ width: header.getSize() }}
                aria-sort={isSorted ? (currentSort.descending ? 'descending' : 'ascending') : undefined}
              >
                {sort ? (
                  <button type="button" className="sort-button" onClick={() => onSort(header.column.id)}>
                    {flexRender(header.column.columnDef.header, header.getContext())}
                    {isSorted && <span aria-hidden="true">{currentSort.descending ? ' ▼' : ' ▲'}</span>}
                  </button>
                ) : (
                  flexRender(header.column.columnDef.header, header.getContext())
                )}
                <span
                  className="column-resizer"
                  role="separator"
                  aria-orientation="vertical"
                  aria-label={`Resize ${String(header.column.columnDef.header)}`}
                  onMouseDown={header.getResizeHandler()}
                  onDoubleClick={() => header.column.resetSize()}
                />
              </div>
            );
          })}
        </div>
        <div className="grid-body" style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) {
              return (
                <div key="loading" className="grid-row grid-loading" role="row" style={{ transform: `translateY(${item.start}px)` }}>
                  <div className="grid-cell" role="gridcell">
                    Loading more…
                  </div>
                </div>
              );
            }
            return (
              <GridRow
                key={row.id}
                listing={row}
                columns={visibleColumns}
                index={item.index}
                start={item.start}
                isActive={item.index === active}
                isSelected={selected.has(row.id)}
                onToggle={toggle}
                onActivate={setActive}
              />
            );
          })}
        </div>
        {isEmpty && <p className="grid-empty">No listings match this filter.</p>}
      </div>
  );
}
