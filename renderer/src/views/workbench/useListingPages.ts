/**
 * The listings table's rows: the first page when the filter or sort changes, then the next
 * keyset page whenever the view asks (the virtualiser reached the end). Answers to an older
 * filter are dropped, so typing fast never shows a stale page.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { ListingFilter, ListingSort, ListingTableRow, PageCursor } from '../../../../shared/workbench.js';
import { useApi } from '../../api.js';

const PAGE_SIZE = 200;

export interface ListingPages {
  readonly rows: readonly ListingTableRow[];
  readonly hasMore: boolean;
  readonly isLoading: boolean;
  readonly error: ApiError | null;
  readonly total: number | null;
  readonly isCountCapped: boolean;
  /** Core time of the first page, and the time from asking to having it (milliseconds). */
  readonly coreMs: number | null;
  readonly roundTripMs: number | null;
  readonly notes: readonly string[];
  loadMore(): void;
  reload(): void;
}

interface State {
  readonly key: string;
  readonly rows: readonly ListingTableRow[];
  readonly next: PageCursor | null;
  readonly isLoading: boolean;
  readonly error: ApiError | null;
  readonly total: number | null;
  readonly isCountCapped: boolean;
  readonly coreMs: number | null;
  readonly roundTripMs: number | null;
  readonly notes: readonly string[];
}

export function useListingPages(filter: ListingFilter, sort: ListingSort): ListingPages {
  const api = useApi();
  const [revision, setRevision] = useState(0);
  const key = `${JSON.stringify(filter)}|${JSON.stringify(sort)}|${revision}`;
  const empty = (isLoading: boolean): State => ({
    key,
    rows: [],
    next: null,
    isLoading,
    error: null,
    total: null,
    isCountCapped: false,
    coreMs: null,
    roundTripMs: null,
    notes: [],
  });
  const [state, setState] = useState<State>(() => empty(true));
  const current = useRef(key);
  current.current = key;
  const loadingMore = useRef(false);

  useEffect(() => {
    const asked = performance.now();
    setState(empty(true));
    api['listings.query']({ filter, sort, after: null, limit: PAGE_SIZE, withCount: true }).then((result) => {
      if (current.current !== key) return;
      if (!result.ok) {
        setState({ ...empty(false), error: result.error });
        return;
      }
      const page = result.value;
      setState({
        key,
        rows: page.rows,
        next: page.next,
        isLoading: false,
        error: null,
        total: page.total,
        isCountCapped: page.isCountCapped,
        coreMs: page.elapsedMs,
        roundTripMs: performance.now() - asked,
        notes: page.notes,
      });
    });
    // The key names filter, sort and revision; the objects are fresh each render.
  }, [key, api]);

  const loadMore = useCallback(() => {
    if (loadingMore.current || state.key !== key || state.isLoading || !state.next) return;
    loadingMore.current = true;
    const after = state.next;
    api['listings.query']({ filter, sort, after, limit: PAGE_SIZE, withCount: false }).then((result) => {
      loadingMore.current = false;
      if (current.current !== key) return;
      setState((previous) => {
        if (previous.key !== key || previous.next !== after) return previous;
        if (!result.ok) return { ...previous, error: result.error };
        return { ...previous, rows: [...previous.rows, ...result.value.rows], next: result.value.next };
      });
    });
  }, [api, filter, sort, key, state]);

  const reload = useCallback(() => setRevision((count) => count + 1), []);
  const shown = state.key === key ? state : empty(true);
  return {
    rows: shown.rows,
    hasMore: shown.next !== null,
    isLoading: shown.isLoading,
    error: shown.error,
    total: shown.total,
    isCountCapped: shown.isCountCapped,
    coreMs: shown.coreMs,
    roundTripMs: shown.roundTripMs,
    notes: shown.notes,
    loadMore,
    reload,
  };
}
