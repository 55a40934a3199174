/** Run one read operation when a view mounts (or its input changes) and track its answer. */
import { useEffect, useState } from 'react';
import type { ApiError, ApiResult } from '../../shared/contract.js';

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
