/**
 * Background jobs as the desktop sees them: their progress pushed to the page while they run,
 * and a desktop notification when one ends (the user may be in another window by then).
 */
import type { JobView } from '../../shared/jobs.js';

/** What changed between two looks at the job list: jobs whose progress moved, and jobs that ended. */
export function jobChanges(previous: ReadonlyMap<number, JobView>, current: readonly JobView[]): { progressed: JobView[]; finished: JobView[] } {
  const progressed: JobView[] = [];
  const finished: JobView[] = [];
  for (const job of current) {
    const before = previous.get(job.id);
    const hasMoved = !before || before.state !== job.state || before.stage !== job.stage || before.done !== job.done || before.total !== job.total;
    if (hasMoved) progressed.push(job);
    if (job.state !== 'running' && (!before || before.state === 'running')) finished.push(job);
  }
  return { progressed, finished };
}

const OPERATION_TITLES: Record<JobView['operation'], string> = {
  'listings.importFile': 'Import',
  'listings.importPreview': 'Import preview',
  'publish.run': 'Publishing',
  'dul.preview': 'DUL preview',
  'dul.commit': 'DUL import',
  'qil.ingest': 'Trap-hit ingest',
  'listings.bulk': 'Bulk change',
  'listings.export': 'CSV export',
  'samples.import': 'Spam sample import',
  'delisting.import': 'Delisting request import',
};

function count(value: number): string {
  return value.toLocaleString('en');
}

function plural(value: number, one: string, many = `${one}s`): string {
  return `${count(value)} ${value === 1 ? one : many}`;
}

/**
 * What a finished job did, in one sentence. The job's result is typed by its operation, so each
 * case reads its own result, and a job operation without a summary does not compile.
 */
export function resultSummary(job: JobView): string {
  switch (job.operation) {
    case 'listings.importFile': {
      const summary = job.result;
      if (!summary) return 'The import is complete.';
      return `${plural(summary.imported, 'entry', 'entries')} imported into ${summary.list}${summary.merged > 0 ? `; ${count(summary.merged)} repeated lines merged` : ''}.`;
    }
    case 'listings.importPreview': {
      const preview = job.result;
      if (!preview) return 'The preview is ready.';
      const rejected = preview.rejected.total > 0 ? `; ${plural(preview.rejected.total, 'line')} rejected` : '';
      return `${preview.source}: ${plural(preview.willImport, 'entry', 'entries')} would be imported into ${preview.list} (${count(preview.alreadyListed.total)} already listed)${rejected}.`;
    }
    case 'publish.run': {
      const result = job.result;
      if (!result) return 'Publishing is complete.';
      if (result.published) return `Snapshot ${result.serial} of ${result.zone} is published.`;
      if (result.needsApproval) return 'Nothing was published: the change is large and needs a second publisher’s approval.';
      const failed = result.safety.filter((check) => check.status === 'fail').map((check) => check.name);
      return failed.length > 0 ? `Nothing was published: the safety check${failed.length === 1 ? '' : 's'} ${failed.join(', ')} failed.` : 'Nothing was published.';
    }
    case 'dul.preview': {
      const preview = job.result;
      if (!preview) return 'The preview is ready.';
      const rejected = preview.rejected.length > 0 ? ` ${plural(preview.rejected.length, 'line')} rejected.` : '';
      return `${preview.source} for ${preview.isp}: ${plural(preview.ranges, 'range')}, ${count(preview.diff.added.total)} added and ${count(preview.diff.removed.total)} removed against the current set.${rejected}`;
    }
    case 'dul.commit': {
      const committed = job.result;
      if (!committed) return 'The DUL submission is committed.';
      const { submission } = committed;
      return `DUL submission #${submission.id} of ${submission.isp} committed: ${count(submission.added)} ranges added, ${count(submission.removed)} removed, ${count(submission.unchanged)} unchanged.`;
    }
    case 'qil.ingest': {
      const summary = job.result;
      if (!summary) return 'The trap hits are ingested.';
      return `${plural(summary.observations, 'new trap hit')} (${count(summary.repeated)} seen before) from ${plural(summary.sources, 'source')}: ${plural(summary.created, 'QIL listing')} created, ${count(summary.extended)} extended.`;
    }
    case 'listings.bulk': {
      const bulk = job.result;
      return bulk ? `${plural(bulk.changed, 'listing')} changed (${bulk.action}), ${count(bulk.skipped)} left as they were.` : 'The bulk change is complete.';
    }
    case 'listings.export': {
      const exported = job.result;
      return exported ? `${plural(exported.rows, 'row')} exported.` : 'The export is complete.';
    }
    case 'samples.import': {
      const summary = job.result;
      if (!summary) return 'The sample import is complete.';
      return summary.committed
        ? `${plural(summary.imported, 'sample')} stored, ${count(summary.duplicates)} already stored, ${count(summary.failed)} refused.`
        : `Nothing was stored: ${plural(summary.failed, 'message was', 'messages were')} refused.`;
    }
    case 'delisting.import': {
      const imported = job.result;
      return imported ? `${plural(imported.created.length, 'delisting request')} imported (${count(imported.closed)} closed: not listed).` : 'The import is complete.';
    }
    default: {
      const unknown: never = job;
      throw new Error(`no summary for the job ${JSON.stringify(unknown)}`);
    }
  }
}

/** The notification for a job that ended. */
export function jobNotification(job: JobView): { title: string; body: string } {
  const title = OPERATION_TITLES[job.operation];
  switch (job.state) {
    case 'done':
      return { title: `${title} finished`, body: resultSummary(job) };
    case 'failed':
      return { title: `${title} failed`, body: job.error?.message ?? 'The job stopped with an error.' };
    case 'cancelled':
      return { title: `${title} cancelled`, body: 'Nothing was changed.' };
    case 'running':
      return { title: `${title} running`, body: job.stage };
    default: {
      const unexpected: never = job.state;
      throw new Error(`unknown job state ${String(unexpected)}`);
    }
  }
}

export interface JobWatchOptions {
  /** This computer's jobs, or the team server's (asked over the network: a promise). */
  readonly list: () => readonly JobView[] | Promise<readonly JobView[]>;
  readonly onProgress: (job: JobView) => void;
  readonly onFinished: (job: JobView) => void;
  readonly intervalMilliseconds: number;
}

/** Look at the job list at an interval and report what changed; returns the function that stops it. */
export function watchJobs(options: JobWatchOptions): () => void {
  let seen = new Map<number, JobView>();
  let isLooking = false;
  const look = async () => {
    // A slow answer from a server is not asked for again until it has come.
    if (isLooking) return;
    isLooking = true;
    try {
      const current = await options.list();
      const { progressed, finished } = jobChanges(seen, current);
      for (const job of progressed) options.onProgress(job);
      for (const job of finished) options.onFinished(job);
      seen = new Map(current.map((job) => [job.id, job]));
    } finally {
      isLooking = false;
    }
  };
  const timer = setInterval(() => void look(), options.intervalMilliseconds);
  timer.unref();
  return () => clearInterval(timer);
}
