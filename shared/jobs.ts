/** Background jobs (long work on a worker thread, with progress and cancel): which operations run as one, and a job as the UI polls it. */
import type { ApiError } from './result.js';
import type { ImportSummary } from './listings.js';
import type { ListingsImportPreview } from './listing-check.js';
import type { PublishResult } from './publishing.js';
import type { SubmissionPreview, SubmissionResult } from './dul.js';
import type { QilIngestSummary } from './qil.js';
import type { BulkResult, CsvExport } from './workbench.js';
import type { SampleImportResult } from './evidence.js';
import type { ImportResult } from './queues.js';

/** Operations that can run as a background job (worker thread) with progress and cancel. */
export const JOB_OPERATIONS = ['listings.importFile', 'listings.importPreview', 'publish.run', 'dul.preview', 'dul.commit', 'qil.ingest', 'listings.bulk', 'listings.export', 'samples.import', 'delisting.import'] as const;

export type JobOperation = (typeof JOB_OPERATIONS)[number];

/**
 * What each background job's operation returns: the operation's own result type in the contract
 * (`jobResultsMatchContract` in contract.ts refuses to compile when the two differ or a job operation is
 * missing), so a job's result is typed by its operation.
 */
export interface JobResults {
  readonly 'listings.importFile': ImportSummary;
  readonly 'listings.importPreview': ListingsImportPreview;
  readonly 'publish.run': PublishResult;
  readonly 'dul.preview': SubmissionPreview;
  readonly 'dul.commit': SubmissionResult;
  readonly 'qil.ingest': QilIngestSummary;
  readonly 'listings.bulk': BulkResult;
  readonly 'listings.export': CsvExport;
  readonly 'samples.import': SampleImportResult;
  readonly 'delisting.import': ImportResult;
}

/** A background job of one operation, as the UI polls it: `result` is that operation's result once it is done. */
export interface JobViewOf<Operation extends JobOperation> {
  readonly id: number;
  readonly operation: Operation;
  readonly state: 'running' | 'done' | 'failed' | 'cancelled';
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  /** Units per second since the job started, and the estimated seconds left (null when unknown). */
  readonly rate: number | null;
  readonly etaSeconds: number | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly result: JobResults[Operation] | null;
  readonly error: ApiError | null;
}

/** A background job as the UI polls it: a union over the operations, narrowed by `operation`. */
export type JobView = { [Operation in JobOperation]: JobViewOf<Operation> }[JobOperation];
