/** How long work (imports, publishing, exports) reports how far it is: a background job shows it and may cancel there. */

/** Progress of long work: the stage it is in and how much of it is done. */
export interface Progress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

/** Where long work reports its progress; it may throw AppError('cancelled') to stop the work (all-or-nothing). */
export type ProgressReporter = (progress: Progress) => void;
