/** An error from the core beside what caused it: its message and, when it has them, the per-item problems (import lines). */
import type { ApiError } from '../../../shared/result.js';

export function ErrorLine({ error }: { error: ApiError }) {
  return (
    <div className="error" role="alert">
      <p>{error.message}</p>
      {error.details && error.details.length > 0 && (
        <ul>
          {error.details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** An error as a row of a `form-grid` form, under its fields (nothing when there is none). */
export function FormErrorRow({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <div className="form-actions">
      <ErrorLine error={error} />
    </div>
  );
}
