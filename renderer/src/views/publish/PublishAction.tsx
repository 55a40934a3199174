/** "Sign and publish": runs publish.run as a background job and shows its progress and outcome. */
import type { JobView } from '../../../../shared/contract.js';
import type { PublishResult } from '../../../../shared/publishing.js';
import { formatBytes, formatCount } from '../../format.js';
import { useJob } from '../../useJob.js';
import { JobProgress } from '../JobProgress.js';
import { SafetyChecks } from './SafetyReport.js';

/** The job's result crosses the boundary untyped; check the shape this view reads before using it. */
function isPublishResult(value: unknown): value is PublishResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    'published' in value &&
    typeof value.published === 'boolean' &&
    'safety' in value &&
    Array.isArray(value.safety) &&
    'files' in value &&
    Array.isArray(value.files)
  );
}

function PublishedSnapshot({ result }: { result: PublishResult }) {
  return (
    <div className="outcome outcome-published" role="status">
      <p className="outcome-title">
        Published snapshot <strong className="published-serial">{result.serial}</strong> of <code>{result.zone}</code>
      </p>
      <dl className="facts">
        <div>
          <dt>Folder</dt>
          <dd>
            <code>{result.path}</code>
          </dd>
        </div>
        <div>
          <dt>Signing key</dt>
          <dd>
            <code>{result.keyId}</code>
          </dd>
        </div>
        <div>
          <dt>Prepared by</dt>
          <dd>{result.preparedBy}</dd>
        </div>
        <div>
          <dt>Approved by</dt>
          <dd>{result.approvedBy ?? <span className="muted">no second approval needed</span>}</dd>
        </div>
      </dl>
      <div className="table-scroll">
        <table className="files">
          <caption>{result.files.length === 1 ? '1 file' : `${result.files.length} files`}, listed and hashed in the signed manifest</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Format</th>
              <th scope="col">Origin</th>
              <th scope="col" className="number">
                Entries
              </th>
              <th scope="col" className="number">
                Size
              </th>
            </tr>
          </thead>
          <tbody>
            {result.files.map((file) => (
              <tr key={file.path}>
                <td>
                  <code>{file.path}</code>
                </td>
                <td>{file.format === 'rbldnsd' ? `rbldnsd ${file.dataset ?? ''}` : 'BIND master'}</td>
                <td>
                  <code>{file.origin}</code>
                </td>
                <td className="number">{formatCount(file.entries)}</td>
                <td className="number">{formatBytes(file.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function RefusedSnapshot({ result }: { result: PublishResult }) {
  const blocking = result.safety.filter((check) => check.status === 'fail' || check.status === 'needs-approval');
  return (
    <div className="outcome outcome-refused" role="alert">
      <p className="outcome-title">
        {result.needsApproval && blocking.every((check) => check.status === 'needs-approval')
          ? 'Not published: this change needs a second publisher. Your request is recorded under "Second approval"; once another publisher approves it, publish again.'
          : 'Not published: the safety checks below failed. Nothing was written.'}
      </p>
      <SafetyChecks checks={blocking} isExpanded />
    </div>
  );
}

function JobOutcome({ job }: { job: JobView }) {
  switch (job.state) {
    case 'running':
      return null;
    case 'cancelled':
      return (
        <p className="outcome" role="status">
          Cancelled: nothing was published.
        </p>
      );
    case 'failed':
      return (
        <p className="error" role="alert">
          {job.error?.message ?? 'The publish failed without a message.'}
        </p>
      );
    case 'done': {
      if (!isPublishResult(job.result)) {
        return (
          <p className="error" role="alert">
            The publish ended, but its result could not be read.
          </p>
        );
      }
      return job.result.published ? <PublishedSnapshot result={job.result} /> : <RefusedSnapshot result={job.result} />;
    }
    default: {
      const unreachable: never = job.state;
      return unreachable;
    }
  }
}

export function PublishAction({ actor, isPublisher, onFinished }: { actor: string | null; isPublisher: boolean; onFinished: () => void }) {
  const job = useJob('publish.run', onFinished);
  const { tracked } = job;
  return (
    <section className="panel" aria-labelledby="publish-title">
      <div className="panel-heading">
        <h2 id="publish-title">Sign and publish</h2>
      </div>
      <p className="prepared-by">
        {actor === null ? (
          'No one is signed in: publishing needs a person with the publisher role.'
        ) : (
          <>
            Prepared by <strong>{actor}</strong>
            {!isPublisher && ', who does not have the publisher role: the publish will be refused'}
          </>
        )}
      </p>
      <div className="action-row">
        <button type="button" onClick={() => job.start({})} disabled={job.isBusy}>
          {job.isBusy ? 'Publishing…' : 'Sign and publish'}
        </button>
        <span className="muted">Runs the safety checks again, then writes, signs and switches to the new snapshot.</span>
      </div>
      {tracked.state === 'failed' && (
        <p className="error" role="alert">
          {tracked.error.message}
        </p>
      )}
      {tracked.state === 'running' && (
        <JobProgress job={tracked.job} label="Publishing" unit="steps" isCancelling={tracked.isCancelling} cancelError={job.cancelError} onCancel={job.cancel} />
      )}
      {tracked.state === 'finished' && <JobOutcome job={tracked.job} />}
    </section>
  );
}
