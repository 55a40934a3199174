/** An error from the core beside what caused it: its message and, when it has them, the per-item problems (import lines). */
import type { ApiError } from '../../../shared/contract.js';

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
