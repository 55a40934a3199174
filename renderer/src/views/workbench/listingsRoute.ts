/**
 * The listings table's state in the route: `#/listings/<URLSearchParams>` with the shared filter
 * keys (list, status, reason, investigator, isp, ip, cidr, createdFrom, createdTo, changedFrom,
 * changedTo, q) and `sort=<column>.<asc|desc>`.
 */
import { listingFilterSchema, queryToFilter, filterToQuery, SORT_COLUMNS, DEFAULT_SORT, type FilterKey, type ListingFilter, type ListingSort, type SortColumn } from '../../../../shared/workbench.js';

export interface ListingsRouteState {
  /** The filter fields as typed (strings), for the form. */
  readonly fields: Partial<Record<FilterKey, string>>;
  /** The filter as the core takes it, or the problem with it. */
  readonly filter: ListingFilter | null;
  readonly filterProblem: string | null;
  readonly sort: ListingSort;
}

export function parseListingsQuery(text: string): ListingsRouteState {
  const fields = queryToFilter(text);
  const parsed = listingFilterSchema.safeParse(fields);
  const sortText = new URLSearchParams(text).get('sort') ?? '';
  const [column, direction] = sortText.split('.');
  const sort: ListingSort = (SORT_COLUMNS as readonly string[]).includes(column)
    ? { column: column as SortColumn, descending: direction !== 'asc' }
    : DEFAULT_SORT;
  return {
    fields,
    filter: parsed.success ? parsed.data : null,
    filterProblem: parsed.success ? null : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    sort,
  };
}

export function listingsQueryText(fields: Partial<Record<FilterKey, string>>, sort: ListingSort): string {
  const filterText = filterToQuery(fields);
  const isDefaultSort = sort.column === DEFAULT_SORT.column && sort.descending === DEFAULT_SORT.descending;
  const sortText = isDefaultSort ? '' : `sort=${sort.column}.${sort.descending ? 'desc' : 'asc'}`;
  return [filterText, sortText].filter((part) => part !== '').join('&');
}

/** The hash of a listings view (no trailing slash when there is no query). */
export function listingsHash(queryText: string): string {
  return queryText === '' ? '#/listings' : `#/listings/${queryText}`;
}

const LAST_LISTINGS_KEY = 'repdesk.listings.last';

/** Where Esc in a record goes back to: the listings view the user came from. */
export function rememberListingsHash(hash: string): void {
  window.sessionStorage.setItem(LAST_LISTINGS_KEY, hash);
}

export function lastListingsHash(): string {
  return window.sessionStorage.getItem(LAST_LISTINGS_KEY) ?? '#/listings';
}
