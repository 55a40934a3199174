/**
 * Choosing files to send, and the bytes of a file being sent to the server (an upload before an
 * import) as a progress bar.
 */
import { formatBytes } from '../format.js';
import type { UploadProgress } from '../uploads.js';

/**
 * A file input that hands over the chosen files and clears itself: choosing the same file again
 * (edited since) is then seen as a new choice, and the browser reads its new content.
 */
export function FileInput({ id, accept, multiple = false, onChoose }: { id?: string; accept: string; multiple?: boolean; onChoose: (files: File[]) => void }) {
  return (
    <input
      id={id}
      type="file"
      accept={accept}
      multiple={multiple}
      onChange={(event) => {
        const files = [...(event.target.files ?? [])];
        event.target.value = '';
        if (files.length > 0) onChoose(files);
      }}
    />
  );
}

/** What was chosen: names and sizes. */
export function ChosenFiles({ files }: { files: ReadonlyArray<{ readonly name: string; readonly size: number }> }) {
  if (files.length === 0) return null;
  return (
    <p className="muted" aria-label="Chosen file">
      {files.map((file) => `${file.name}, ${formatBytes(file.size)}`).join('; ')}
    </p>
  );
}

export function UploadProgressLine({ progress }: { progress: UploadProgress | null }) {
  if (progress === null) return null;
  return (
    <div className="job-progress">
      <div className="job-progress-line">
        <span className="job-stage" aria-live="polite">
          Sending {progress.name}
        </span>
        <span className="job-count">
          {formatBytes(progress.sent)} / {formatBytes(progress.total)}
        </span>
      </div>
      <progress aria-label="Sending the file" max={progress.total} value={progress.sent} />
    </div>
  );
}
