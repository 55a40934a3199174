/** One ISP's page: its record (editable), the import form, its submissions with Revert on the latest, and all its active ranges, paged. */
import { useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { IspDetail } from '../../../../shared/dul.js';
import { useApi } from '../../api.js';
import { formatCount, formatTime, formatUntil } from '../../format.js';
import { navigate, routeHref } from '../../routes.js';
import { useReloadable } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { CorrespondencePanel } from '../record/CorrespondenceTab.js';
import { ImportForm } from './ImportForm.js';
import { ActiveRanges } from './ActiveRanges.js';
import { IspRecord } from './IspRecord.js';

export function IspPage({ name }: { name: string }) {
  const api = useApi();
  const detail = useReloadable(() => api['isps.get']({ name }));
  const [revertError, setRevertError] = useState<ApiError | null>(null);
  if (detail.loaded.state === 'loading') return <p aria-live="polite">Loading…</p>;
  if (detail.loaded.state === 'failed') return <ErrorLine error={detail.loaded.error} />;
  const { isp, submissions, ranges }: IspDetail = detail.loaded.value;
  const latest = submissions.find((submission) => submission.revertedAt === null);
  const revert = (id: number) => {
    setRevertError(null);
    api['dul.revert']({ id }).then((result) => {
      if (!result.ok) setRevertError(result.error);
      detail.reload();
    });
  };
  return (
    <section aria-labelledby="view-title">
      <p>
        <a href={routeHref('dul')} onClick={() => navigate('dul')}>
          All ISPs
        </a>
      </p>
      <h1 id="view-title">{isp.name}</h1>
      <IspRecord isp={isp} onSaved={(renamed) => (renamed === isp.name ? detail.reload() : navigate('dul', renamed))} />
      <ImportForm isp={isp.name} onCommitted={detail.reload} />
      <h2>Submissions</h2>
      {revertError && <ErrorLine error={revertError} />}
      <table aria-label="Submissions">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">File</th>
            <th scope="col">Received</th>
            <th scope="col">Limits</th>
            <th scope="col">Change</th>
            <th scope="col">Active</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {submissions.map((submission) => (
            <tr key={submission.id}>
              <td>{submission.id}</td>
              <td>
                {submission.source} ({submission.mode}) by {submission.investigator}
              </td>
              <td>{formatTime(submission.receivedAt)}</td>
              <td>
                {submission.effectiveAt ? `from ${formatTime(submission.effectiveAt)} ` : ''}
                {submission.validUntil ? `until ${formatUntil(submission.validUntil)}` : ''}
                {submission.exclusions.length > 0 ? ` excluding ${submission.exclusions.join(', ')}` : ''}
              </td>
              <td>
                +{formatCount(submission.added)} −{formatCount(submission.removed)}
              </td>
              <td>{submission.revertedAt ? `reverted ${formatTime(submission.revertedAt)}` : formatCount(submission.activeRanges)}</td>
              <td>
                {submission === latest && (
                  <button type="button" className="secondary" onClick={() => revert(submission.id)}>
                    Revert
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ActiveRanges isp={isp.name} total={isp.activeRanges} first={ranges} />
      <CorrespondencePanel
        isp={isp.name}
        suggestion={latest ? { label: `Acknowledge submission #${latest.id} to ${isp.name}`, subject: `DUL submission #${latest.id}`, template: 'dul-submission-received' } : undefined}
      />
    </section>
  );
}

