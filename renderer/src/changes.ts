/**
 * Open views follow what others change: a view names the topics it shows and what to do when one
 * of them changed (usually its `reload`), and `useChanges` calls that when the client's change
 * feed (api.ts, `changeFeed`) brings a notice touching one of them. Notices arriving together (an
 * import, a burst of edits) are answered with one refresh. Without a feed (browser mode for one
 * person) it does nothing.
 */
import { useEffect, useRef, useState } from 'react';
import type { ChangeTopic } from '../../shared/changes.js';
import { changeFeed, useApi } from './api.js';

/** Notices within this long of the first are answered with one refresh. */
export const CHANGE_COALESCE_MS = 250;

export function useChanges(topics: readonly ChangeTopic[], onChange: () => void): void {
  const api = useApi();
  const feed = changeFeed(api);
  const latest = useRef(onChange);
  latest.current = onChange;
  const key = [...topics].sort().join(',');
  useEffect(() => {
    if (!feed) return;
    const watched = new Set(key.split(','));
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = feed((notice) => {
      if (!notice.topics.some((topic) => watched.has(topic)) || timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        latest.current();
      }, CHANGE_COALESCE_MS);
    });
    return () => {
      // A stand-in client (tests) may answer with something else than the unsubscribe.
      if (typeof unsubscribe === 'function') unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [feed, key]);
}

/** A number that grows with every (coalesced) change to `topics`: part of a `useOperation` key, it asks again. */
export function useChangeRevision(topics: readonly ChangeTopic[]): number {
  const [revision, setRevision] = useState(0);
  useChanges(topics, () => setRevision((count) => count + 1));
  return revision;
}
