/**
 * Background jobs as the desktop sees them: their progress pushed to the page while they run,
 * and a desktop notification when one ends (the user may be in another window by then).
 */
import type { JobView } from '../../shared/contract.js';
import type { ImportSummary } from '../../shared/contract.js';
import type { PublishResult } from '../../shared/publishing.js';
import type { BulkResult, CsvExport } from '../../shared/workbench.js';
import type { SampleImportResult } from '../../shared/evidence.js';

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

function resultSummary(job: JobView): string {
  if (job.operation === 'listings.importFile') {
    const summary = job.result as ImportSummary | null;
    return summary
      ? `${summary.imported.toLocaleString('en')} entries imported into ${summary.list}${summary.merged > 0 ? `; ${summary.merged.toLocaleString('en')} repeated lines merged` : ''}.`
      : 'The import is complete.';
  }
  if (job.operation === 'listings.bulk') {
    const bulk = job.result as BulkResult | null;
    return bulk ? `${bulk.changed.toLocaleString('en')} listings changed (${bulk.action}), ${bulk.skipped.toLocaleString('en')} left as they were.` : 'The bulk change is complete.';
  }
  if (job.operation === 'listings.export') {
    const exported = job.result as CsvExport | null;
    return exported ? `${exported.rows.toLocaleString('en')} rows exported.` : 'The export is complete.';
  }
  if (job.operation === 'samples.import') {
    const summary = job.result as SampleImportResult | null;
    if (!summary) return 'The sample import is complete.';
    return summary.committed
      ? `${summary.imported.toLocaleString('en')} samples stored, ${summary.duplicates.toLocaleString('en')} already stored, ${summary.failed.toLocaleString('en')} refused.`
      : `Nothing was stored: ${summary.failed.toLocaleString('en')} messages were refused.`;
  }
  if (job.operation === 'delisting.import') {
    const imported = job.result as { created: readonly number[]; closed: number } | null;
    return imported ? `${imported.created.length.toLocaleString('en')} delisting requests imported (${imported.closed.toLocaleString('en')} closed: not listed).` : 'The import is complete.';
  }
  const result = job.result as PublishResult | null;
  if (!result) return 'Publishing is complete.';
  if (!result.published) return result.needsApproval ? 'Nothing was published: the change is large and needs a second publisher’s approval.' : 'Nothing was published: a safety check failed.';
  return `Snapshot ${result.serial} of ${result.zone} is published.`;
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
  readonly list: () => readonly JobView[];
  readonly onProgress: (job: JobView) => void;
  readonly onFinished: (job: JobView) => void;
  readonly intervalMilliseconds: number;
}

/** Look at the job list at an interval and report what changed; returns the function that stops it. */
export function watchJobs(options: JobWatchOptions): () => void {
  let seen = new Map<number, JobView>();
  const look = () => {
    const current = options.list();
    const { progressed, finished } = jobChanges(seen, current);
    for (const job of progressed) options.onProgress(job);
    for (const job of finished) options.onFinished(job);
    seen = new Map(current.map((job) => [job.id, job]));
  };
  const timer = setInterval(look, options.intervalMilliseconds);
  timer.unref();
  return () => clearInterval(timer);
}
