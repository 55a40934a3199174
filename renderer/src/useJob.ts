/**
 * Follow one kind of background job: start it, follow its progress, cancel it. A job of that kind
 * already running when the view opens (started before the user navigated away) is picked up.
 * The desktop shell pushes progress; browser mode polls for it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../shared/result.js';
import type { JobOperation, JobView } from '../../shared/jobs.js';
import { jobProgressSubscription, useApi } from './api.js';

const POLL_MILLISECONDS = 200;

export type TrackedJob =
  | { readonly state: 'idle' }
  | { readonly state: 'starting' }
  | { readonly state: 'running'; readonly job: JobView; readonly isCancelling: boolean }
  | { readonly state: 'finished'; readonly job: JobView }
  /** The job could not be started, or its progress could no longer be read. */
  | { readonly state: 'failed'; readonly error: ApiError };

export interface JobControl {
  readonly tracked: TrackedJob;
  readonly isBusy: boolean;
  /** Why the last cancel request was refused, shown beside the Cancel button. */
  readonly cancelError: ApiError | null;
  start(input: Record<string, unknown>): void;
  cancel(): void;
}

export function useJob(operation: JobOperation, onFinished: (job: JobView) => void): JobControl {
  const api = useApi();
  const [tracked, setTracked] = useState<TrackedJob>({ state: 'idle' });
  const [cancelError, setCancelError] = useState<ApiError | null>(null);
  // The latest callback, so a poll that ends the job calls what the view renders now.
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  });
  const onJobProgress = jobProgressSubscription(api);
  // Every push for this operation since the view opened, by job id: a job's last push may come before its start's answer.
  const pushed = useRef(new Map<number, JobView>());
  const [pushCount, setPushCount] = useState(0);
  useEffect(() => {
    if (!onJobProgress) return;
    return onJobProgress((job) => {
      if (job.operation !== operation) return;
      pushed.current.set(job.id, job);
      setPushCount((count) => count + 1);
    });
  }, [onJobProgress, operation]);

  useEffect(() => {
    let isCurrent = true;
    api['jobs.list']({}).then((result) => {
      const running = result.ok ? result.value.find((job) => job.operation === operation && job.state === 'running') : undefined;
      if (isCurrent && running) setTracked((current) => (current.state === 'idle' ? { state: 'running', job: running, isCancelling: false } : current));
    });
    return () => {
      isCurrent = false;
    };
  }, [api, operation]);

  useEffect(() => {
    if (tracked.state !== 'running') return;
    const id = tracked.job.id;
    if (onJobProgress) {
      const latest = pushed.current.get(id);
      if (!latest || latest === tracked.job) return;
      if (latest.state === 'running') {
        setTracked((current) => (current.state === 'running' && current.job.id === id ? { ...current, job: latest } : current));
        return;
      }
      setTracked({ state: 'finished', job: latest });
      finished.current(latest);
      return;
    }
    let isCurrent = true;
    const timer = window.setTimeout(() => {
      api['jobs.get']({ id }).then((result) => {
        if (!isCurrent) return;
        if (!result.ok) {
          setTracked({ state: 'failed', error: result.error });
          return;
        }
        if (result.value.state === 'running') {
          setTracked((current) => ({ state: 'running', job: result.value, isCancelling: current.state === 'running' && current.isCancelling }));
          return;
        }
        setTracked({ state: 'finished', job: result.value });
        finished.current(result.value);
      });
    }, POLL_MILLISECONDS);
    return () => {
      isCurrent = false;
      window.clearTimeout(timer);
    };
  }, [api, tracked, onJobProgress, pushCount]);

  const start = useCallback(
    (input: Record<string, unknown>) => {
      setTracked({ state: 'starting' });
      setCancelError(null);
      api['jobs.start']({ operation, input }).then((result) => {
        setTracked(result.ok ? { state: 'running', job: result.value, isCancelling: false } : { state: 'failed', error: result.error });
      });
    },
    [api, operation],
  );

  const cancel = useCallback(() => {
    if (tracked.state !== 'running') return;
    setTracked({ ...tracked, isCancelling: true });
    setCancelError(null);
    api['jobs.cancel']({ id: tracked.job.id }).then((result) => {
      if (result.ok) return;
      setCancelError(result.error);
      setTracked((current) => (current.state === 'running' ? { ...current, isCancelling: false } : current));
    });
  }, [api, tracked]);

  return { tracked, isBusy: tracked.state === 'starting' || tracked.state === 'running', cancelError, start, cancel };
}
