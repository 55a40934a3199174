/** A running job: its stage, a progress bar with done / total, the rate and time left, and Cancel. */
import type { ApiError } from '../../../shared/result.js';
import type { JobView } from '../../../shared/jobs.js';
import { formatCount, formatDuration, formatRate } from '../format.js';

export function JobProgress({
  job,
  label,
  unit,
  isCancelling,
  cancelError,
  onCancel,
}: {
  job: JobView;
  /** What the bar measures, for screen readers: "Publishing". */
  label: string;
  /** What done and total count: "steps", "lines". */
  unit: string;
  isCancelling: boolean;
  cancelError: ApiError | null;
  onCancel: () => void;
}) {
  const hasTotal = job.total > 0;
  return (
    <div className="job-progress">
      <div className="job-progress-line">
        <span className="job-stage" aria-live="polite">
          {job.stage}
        </span>
        {hasTotal && (
          <span className="job-count">
            {formatCount(job.done)} / {formatCount(job.total)} {unit}
          </span>
        )}
      </div>
      {/* Without a total the bar is indeterminate rather than pretending to be at zero. */}
      <progress aria-label={label} max={hasTotal ? job.total : undefined} value={hasTotal ? job.done : undefined} />
      <div className="job-progress-line">
        <span className="muted">
          {job.rate === null ? 'measuring rate…' : formatRate(job.rate, unit)}
          {job.etaSeconds !== null && ` · about ${formatDuration(job.etaSeconds)} left`}
        </span>
        <button type="button" className="secondary" onClick={onCancel} disabled={isCancelling}>
          {isCancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      {cancelError && (
        <p className="error" role="alert">
          {cancelError.message}
        </p>
      )}
    </div>
  );
}
