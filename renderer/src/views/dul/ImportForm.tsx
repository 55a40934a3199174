/** An ISP's DUL submission import: the file and the ISP's terms, a preview, then the commit (both background jobs with progress and Cancel). */
import { useEffect, useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { JobView } from '../../../../shared/jobs.js';
import type { SubmissionPreview, SubmissionResult } from '../../../../shared/dul.js';
import type { UploadReceipt } from '../../../../shared/files.js';
import { takeWaitingFiles, useWaitingFiles } from '../../desktop.js';
import { formatCount } from '../../format.js';
import { useJob } from '../../useJob.js';
import { fileRef, useFileSender } from '../../uploads.js';
import { ErrorLine } from '../ErrorLine.js';
import { JobProgress } from '../JobProgress.js';
import { ChosenFiles, FileInput, UploadProgressLine } from '../UploadProgress.js';
import { PreviewReport } from './DulPreview.js';
import '../forms.css';

export function ImportForm({ isp, onCommitted }: { isp: string; onCommitted: () => void }) {
  // The submission's file, sent to the server (an upload) as soon as it is chosen: preview and commit read it there.
  const [file, setFile] = useState<UploadReceipt | null>(null);
  const sender = useFileSender();
  const [sendError, setSendError] = useState<ApiError | null>(null);
  const [mode, setMode] = useState<'replace' | 'add'>('replace');
  const [received, setReceived] = useState('');
  const [effective, setEffective] = useState('');
  const [validUntil, setValidUntil] = useState('');
  const [submittedBy, setSubmittedBy] = useState('');
  const [policyNotes, setPolicyNotes] = useState('');
  const [exclusions, setExclusions] = useState('');
  const [preview, setPreview] = useState<SubmissionPreview | null>(null);
  const [acceptsRejected, setAcceptsRejected] = useState(false);
  const [outcome, setOutcome] = useState<{ error: ApiError | null; committed: SubmissionResult | null }>({ error: null, committed: null });
  // A file chosen in the desktop's File menu or dropped on the window: one file per submission.
  const waitingFiles = useWaitingFiles('dul');
  const [leftOutFiles, setLeftOutFiles] = useState<readonly string[]>([]);
  useEffect(() => {
    if (!waitingFiles) return;
    setFile(waitingFiles[0]);
    setLeftOutFiles(waitingFiles.slice(1).map((receipt) => receipt.name));
    setPreview(null);
    takeWaitingFiles('dul');
  }, [waitingFiles]);
  const choose = async (files: readonly File[]) => {
    setFile(null);
    setPreview(null);
    setSendError(null);
    setLeftOutFiles(files.slice(1).map((chosen) => chosen.name));
    const sent = await sender.send(files.slice(0, 1));
    if (sent.ok) setFile(sent.value[0]);
    else setSendError(sent.error);
  };

  const input = () => ({
    file: file === null ? null : fileRef(file),
    isp,
    mode,
    received: received || undefined,
    effective: effective || undefined,
    validUntil: validUntil || undefined,
    submittedBy: submittedBy.trim() || undefined,
    policyNotes: policyNotes.trim() || undefined,
    exclude: exclusions.split(/[\s,]+/).filter(Boolean),
  });
  const finishedWith = (job: JobView) => (job.state === 'done' ? null : (job.error ?? { code: 'internal' as const, message: `the job ended ${job.state}` }));
  const previewJob = useJob('dul.preview', (job) => {
    const error = finishedWith(job);
    setPreview(error ? null : (job.result as SubmissionPreview));
    setAcceptsRejected(false);
    setOutcome({ error, committed: null });
  });
  const commitJob = useJob('dul.commit', (job) => {
    const error = finishedWith(job);
    setOutcome({ error, committed: error ? null : (job.result as SubmissionResult) });
    if (!error) {
      // The commit used the upload up: another submission is a file chosen again.
      setPreview(null);
      setFile(null);
      onCommitted();
    }
  });
  const startError = previewJob.tracked.state === 'failed' ? previewJob.tracked.error : commitJob.tracked.state === 'failed' ? commitJob.tracked.error : null;
  const hasRejected = preview !== null && preview.rejected.length > 0;

  return (
    <form
      aria-label="Import a submission"
      onSubmit={(event) => {
        event.preventDefault();
        setPreview(null);
        previewJob.start(input());
      }}
    >
      <h2>Import a submission</h2>
      <div className="form-grid">
        <label htmlFor="dul-file">File</label>
        <div className="form-field">
          <FileInput id="dul-file" accept=".csv,.txt,text/csv,text/plain" onChoose={(files) => void choose(files)} />
          <ChosenFiles files={file ? [file] : []} />
          <UploadProgressLine progress={sender.progress} />
          {sendError && <ErrorLine error={sendError} />}
          <p className="form-hint">Plain text, one range per line, or CSV range[,policy note][,valid-until].</p>
          {leftOutFiles.length > 0 && <p className="form-hint">One file per submission: {leftOutFiles.join(', ')} left out.</p>}
        </div>
        <label htmlFor="dul-mode">Mode</label>
        <div className="form-field">
          <select id="dul-mode" value={mode} onChange={(event) => setMode(event.target.value === 'add' ? 'add' : 'replace')}>
            <option value="replace">Replace the ISP's set</option>
            <option value="add">Add to it</option>
          </select>
        </div>
        <label htmlFor="dul-received">Received</label>
        <div className="form-field">
          <input id="dul-received" type="date" value={received} onChange={(event) => setReceived(event.target.value)} />
          <p className="form-hint">Empty: today.</p>
        </div>
        <label htmlFor="dul-submitted-by">Submitted by</label>
        <div className="form-field">
          <input id="dul-submitted-by" type="text" value={submittedBy} onChange={(event) => setSubmittedBy(event.target.value)} placeholder="noc@isp.example" />
        </div>
        <label htmlFor="dul-effective">Effective</label>
        <div className="form-field">
          <input id="dul-effective" type="date" value={effective} onChange={(event) => setEffective(event.target.value)} />
          <p className="form-hint">A later day holds the new ranges out of the zone until then.</p>
        </div>
        <label htmlFor="dul-valid-until">Valid until</label>
        <div className="form-field">
          <input id="dul-valid-until" type="date" value={validUntil} onChange={(event) => setValidUntil(event.target.value)} />
          <p className="form-hint">{validUntil ? `Until ${validUntil}, end of day UTC; then the ranges leave the zone.` : 'Empty: no limit.'}</p>
        </div>
        <label htmlFor="dul-policy">Policy notes</label>
        <div className="form-field">
          <input id="dul-policy" type="text" value={policyNotes} onChange={(event) => setPolicyNotes(event.target.value)} />
        </div>
        <label htmlFor="dul-exclusions">Exclusions</label>
        <div className="form-field">
          <input id="dul-exclusions" type="text" value={exclusions} onChange={(event) => setExclusions(event.target.value)} placeholder="45.10.7.0/24, 45.10.200.16/28" />
          <p className="form-hint">Ranges inside the submission that are never published.</p>
        </div>
        <div className="form-actions">
          <button type="submit" disabled={file === null || sender.progress !== null || previewJob.isBusy || commitJob.isBusy}>
            Preview
          </button>
        </div>
      </div>
      {previewJob.tracked.state === 'running' && (
        <JobProgress job={previewJob.tracked.job} label="Preview" unit="lines" isCancelling={previewJob.tracked.isCancelling} cancelError={previewJob.cancelError} onCancel={previewJob.cancel} />
      )}
      {preview && <PreviewReport preview={preview} />}
      {preview && hasRejected && (
        <label>
          <input type="checkbox" checked={acceptsRejected} onChange={(event) => setAcceptsRejected(event.target.checked)} /> Leave out the {preview.rejected.length} rejected lines
          above and commit the rest
        </label>
      )}
      {preview && (
        <button
          type="button"
          disabled={commitJob.isBusy || (hasRejected && !acceptsRejected)}
          onClick={() => commitJob.start({ ...input(), ...(hasRejected ? { confirmRejected: preview.rejectedLines } : {}) })}
        >
          Commit
        </button>
      )}
      {commitJob.tracked.state === 'running' && (
        <JobProgress job={commitJob.tracked.job} label="Import" unit="ranges" isCancelling={commitJob.tracked.isCancelling} cancelError={commitJob.cancelError} onCancel={commitJob.cancel} />
      )}
      {outcome.committed && (
        <p role="status">
          Submission #{outcome.committed.submission.id} committed: {formatCount(outcome.committed.submission.added)} added, {formatCount(outcome.committed.submission.removed)} removed.
        </p>
      )}
      {(outcome.error ?? startError) && <ErrorLine error={(outcome.error ?? startError) as ApiError} />}
    </form>
  );
}

