/** "Sign and publish": runs publish.run as a background job and shows its progress and outcome. */
import { useState } from 'react';
import type { JobView } from '../../../../shared/jobs.js';
import type { Role } from '../../../../shared/domain.js';
import type { PublishPreview, PublishResult } from '../../../../shared/publishing.js';
import { ConfirmDialog } from '../ConfirmDialog.js';
import { formatBytes, formatCount } from '../../format.js';
import { useJob } from '../../useJob.js';
import { JobProgress } from '../JobProgress.js';
import { SafetyChecks } from './SafetyReport.js';
import './publish.css';

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

export function PublishedSnapshot({ result }: { result: PublishResult }) {
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

export function RefusedSnapshot({ result }: { result: PublishResult }) {
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

/** What going live will change, in the confirmation: the zone, the snapshot it replaces, the changes per list. */
function GoingLive({ preview }: { preview: PublishPreview | null }) {
  if (!preview) return <p>The changes since the last snapshot could not be read; the safety checks run again before anything is written.</p>;
  const changed = preview.changes ? Object.entries(preview.changes).filter(([, change]) => change.added > 0 || change.removed > 0) : [];
  return (
    <>
      <p>
        A new signed snapshot of <code>{preview.zone}</code> becomes the one DNS hosts install
        {preview.lastSerial === null ? ' (the first snapshot)' : <>, replacing serial {preview.lastSerial}</>}.
      </p>
      {preview.changes === null ? (
        <p>Everything in force is published: {Object.entries(preview.listingsInForce).map(([list, count]) => `${list} ${formatCount(count)}`).join(', ')}.</p>
      ) : changed.length === 0 ? (
        <p>No listing changed since the last snapshot: only its dates and serial are new.</p>
      ) : (
        <ul aria-label="Changes">
          {changed.map(([list, change]) => (
            <li key={list}>
              {list}: {formatCount(change.added)} added, {formatCount(change.removed)} removed
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Why this person may not publish (a person who may not sees why, rather than a button that fails), or null. */
export function whyNotPublisher(actor: string | null, roles: readonly Role[], howToAdd: string): string | null {
  if (actor === null) return 'No one is signed in: publishing needs a person with the publisher role.';
  if (roles.includes('publisher')) return null;
  return `Publishing needs the publisher role; ${actor} has ${roles.length === 0 ? 'no role' : `the role${roles.length === 1 ? '' : 's'} ${roles.join(', ')}`}. An admin can add it (${howToAdd}).`;
}

export function PublishAction({
  actor,
  roles,
  preview,
  onFinished,
}: {
  actor: string | null;
  roles: readonly Role[];
  preview: PublishPreview | null;
  onFinished: () => void;
}) {
  const job = useJob('publish.run', onFinished);
  const [isConfirming, setConfirming] = useState(false);
  const { tracked } = job;
  const whyNot = whyNotPublisher(actor, roles, `repdesk investigator update ${actor} --roles ...`);
  return (
    <section className="panel" aria-labelledby="publish-title">
      <div className="panel-heading">
        <h2 id="publish-title">Sign and publish</h2>
      </div>
      {whyNot === null ? (
        <p className="prepared-by">
          Prepared by <strong>{actor}</strong>
        </p>
      ) : (
        <p className="prepared-by publish-not-allowed" id="publish-not-allowed">
          {whyNot}
        </p>
      )}
      <div className="action-row">
        <button type="button" onClick={() => setConfirming(true)} disabled={job.isBusy || whyNot !== null} aria-describedby={whyNot === null ? undefined : 'publish-not-allowed'}>
          {job.isBusy ? 'Publishing…' : 'Sign and publish'}
        </button>
        <span className="muted">Runs the safety checks again, then writes, signs and switches to the new snapshot.</span>
      </div>
      {isConfirming && (
        <ConfirmDialog
          title="Go live with a new snapshot?"
          confirmLabel="Sign and publish"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            job.start({});
          }}
        >
          <GoingLive preview={preview} />
        </ConfirmDialog>
      )}
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
