/** Run one read operation when a view mounts (or its input changes) and track its answer. */
import { useCallback, useEffect, useState } from 'react';
import type { ApiError, ApiResult } from '../../shared/result.js';

export type Loaded<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'failed'; error: ApiError };

export function useOperation<T>(run: () => Promise<ApiResult<T>>, key: string): Loaded<T> {
  const [loaded, setLoaded] = useState<{ key: string; result: Loaded<T> }>({ key, result: { state: 'loading' } });
  useEffect(() => {
    let isCurrent = true;
    run().then((result) => {
      if (isCurrent) setLoaded({ key, result: result.ok ? { state: 'done', value: result.value } : { state: 'failed', error: result.error } });
    });
    return () => {
      isCurrent = false;
    };
    // The key names the input; `run` is a fresh closure each render, so it is not a dependency.
  }, [key]);
  return loaded.key === key ? loaded.result : { state: 'loading' };
}

export interface Reloadable<T> {
  readonly loaded: Loaded<T>;
  /** A reload is under way; `loaded` still holds the previous answer, so the view does not flicker. */
  readonly isReloading: boolean;
  reload(): void;
}

/** Like useOperation, for data the view asks for again after an action changed it. */
export function useReloadable<T>(run: () => Promise<ApiResult<T>>): Reloadable<T> {
  const [revision, setRevision] = useState(0);
  const [answer, setAnswer] = useState<{ revision: number; loaded: Loaded<T> }>({ revision: -1, loaded: { state: 'loading' } });
  useEffect(() => {
    let isCurrent = true;
    run().then((result) => {
      if (isCurrent) setAnswer({ revision, loaded: result.ok ? { state: 'done', value: result.value } : { state: 'failed', error: result.error } });
    });
    return () => {
      isCurrent = false;
    };
    // The revision is the only input; `run` is a fresh closure each render, so it is not a dependency.
  }, [revision]);
  const reload = useCallback(() => setRevision((count) => count + 1), []);
  return { loaded: answer.loaded, isReloading: answer.revision !== revision, reload };
}
