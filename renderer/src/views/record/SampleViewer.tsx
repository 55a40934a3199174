/**
 * The viewer of one spam sample: what was wrong with it as received (its notes), a warning when
 * its source is outside the record it is attached to (with the listings of its source, and one to
 * create), the Received chain hop by hop with the chosen source marked, headers, the text body,
 * the HTML body only inside a sandboxed frame (no script, no remote load) whose links open only
 * after a confirmation that shows where they really go, and the original for download.
 */
import { useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import { sampleFrameDocument, type SampleDetail, type SampleLink } from '../../../../shared/evidence.js';
import { useApi } from '../../api.js';
import { formatBytes, formatTime } from '../../format.js';
import { useReloadable } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { downloadBase64 } from './files.js';
import './record.css';

/** The confirmation a link from a sample needs: the real target in full, then Open or Cancel. */
function LinkConfirmation({ link, onClose }: { link: SampleLink; onClose: () => void }) {
  return (
    <div className="link-confirmation" role="alertdialog" aria-label="Open a link from a spam sample">
      <p>
        This link from a spam sample shows <q>{link.text}</q> and really goes to:
      </p>
      <p>
        <code className="link-target">{link.target}</code>
      </p>
      <p className="muted">Spam links track who opens them and may lead to phishing or malware.</p>
      <div className="action-row">
        <button
          type="button"
          className="secondary"
          onClick={() => {
            window.open(link.target, '_blank', 'noopener,noreferrer');
            onClose();
          }}
        >
          Open the link
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** One sample: its notes, the chain, headers, bodies (the HTML sealed), links behind a confirmation, and what to attach it to. */
export function SampleViewer({ id, listingId, onChanged, onClose }: { id: number; listingId: number; onChanged: () => void; onClose: () => void }) {
  const api = useApi();
  const detail = useReloadable(() => api['samples.get']({ id }));
  const [pendingLink, setPendingLink] = useState<SampleLink | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  if (detail.loaded.state === 'loading') return <p aria-live="polite">Loading the sample…</p>;
  if (detail.loaded.state === 'failed') return <ErrorLine error={detail.loaded.error} />;
  const sample: SampleDetail = detail.loaded.value;
  const afterAction = (result: { ok: boolean; error?: ApiError }) => {
    if (!result.ok) setError(result.error ?? null);
    else {
      setError(null);
      detail.reload();
      onChanged();
    }
  };
  const record = sample.linkedListings.find((listing) => listing.id === listingId);
  const isOutside = record?.holdsSource === false;
  const download = () =>
    api['samples.raw']({ id }).then((result) => {
      if (result.ok) downloadBase64(result.value.fileName, result.value.base64);
      else setError(result.error);
    });
  return (
    <article className="panel sample-viewer" aria-label={`Sample #${sample.id}`}>
      <div className="panel-heading">
        <h3>
          Sample #{sample.id}: {sample.subject ?? '(no subject)'}
        </h3>
        <div className="action-row">
          <button type="button" className="secondary" onClick={download}>
            Download .eml
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <dl className="facts">
        <div>
          <dt>From</dt>
          <dd>{sample.from ?? '-'}</dd>
        </div>
        <div>
          <dt>Date</dt>
          <dd>{sample.sentAt ? formatTime(sample.sentAt) : '-'}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{sample.sourceIp ?? 'unknown'}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(sample.size)}</dd>
        </div>
        <div>
          <dt>SHA-256</dt>
          <dd className="hash">{sample.sha256}</dd>
        </div>
      </dl>
      {error && <ErrorLine error={error} />}
      {isOutside && record && (
        <div className="sample-warning" role="alert" aria-label="Source outside this record">
          <p>
            <strong>
              The source {sample.sourceIp} is outside this record ({record.list} {record.range}).
            </strong>{' '}
            The sample was attached by hand; it is evidence for the listing of {sample.sourceIp}, not for this one.
          </p>
          <div className="action-row">
            {sample.coveringListings.map((listing) => (
              <a key={listing.id} href={`#/record/${listing.id}`}>
                Open listing #{listing.id} ({listing.list} {listing.range})
              </a>
            ))}
          </div>
        </div>
      )}
      {sample.notes.length > 0 && (
        <section aria-label="Problems with the message">
          <h4>As received: {sample.notes.length} problem{sample.notes.length === 1 ? '' : 's'} noted</h4>
          <ul className="sample-notes">
            {sample.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
          <p className="muted">The message is stored exactly as it arrived; these notes say what is wrong or odd with it.</p>
        </section>
      )}
      <h4>Received chain</h4>
      <p className="muted">{sample.received.reason}</p>
      <table className="hops" aria-label="Received chain">
        <thead>
          <tr>
            <th scope="col">Hop</th>
            <th scope="col">Connecting address</th>
            <th scope="col">HELO / reverse name</th>
            <th scope="col">Received by</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {sample.received.hops.map((hop) => (
            <tr key={hop.index} className={hop.index === sample.received.chosen ? 'hop-chosen' : undefined} aria-current={hop.index === sample.received.chosen ? 'true' : undefined}>
              <td>{hop.index + 1}</td>
              <td>{hop.ip ?? <span className="muted">none recorded</span>}</td>
              <td>{[hop.helo, hop.reverseName].filter(Boolean).join(' / ') || '-'}</td>
              <td>{hop.by ?? '-'}</td>
              <td>{hop.index === sample.received.chosen ? <strong>source</strong> : hop.isTrusted ? 'trusted relay' : (hop.special ?? hop.passedOver ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {(sample.coveringListings.length > 0 || (sample.sourceIp && (sample.linkedListings.length === 0 || isOutside))) && (
        <div className="action-row" aria-label="Attach the sample">
          {sample.coveringListings.map((listing) => (
            <button key={listing.id} type="button" className="secondary" onClick={() => api['samples.link']({ sampleId: id, listingId: listing.id }).then(afterAction)}>
              Link to #{listing.id} ({listing.list} {listing.range})
            </button>
          ))}
          {sample.sourceIp && !sample.linkedListings.some((listing) => listing.list === 'RBL' && listing.range === sample.sourceIp) && (
            <button type="button" className="secondary" onClick={() => api['samples.createListing']({ sampleId: id, reason: 'spam-source' }).then(afterAction)}>
              Create an RBL listing for {sample.sourceIp}
            </button>
          )}
        </div>
      )}
      <p className="muted">
        Linked to {sample.linkedListings.map((listing) => `#${listing.id} ${listing.list} ${listing.range}`).join(', ') || 'no listing'}
        {sample.linkedListings.some((listing) => listing.id === listingId) ? '' : ' (not this record)'}.
      </p>
      <details>
        <summary>Headers ({sample.headers.length})</summary>
        <table className="headers" aria-label="Headers">
          <tbody>
            {sample.headers.map((header, index) => (
              <tr key={index}>
                <th scope="row">{header.name}</th>
                <td>{header.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {sample.html !== null && (
        <>
          <h4>HTML body</h4>
          <p className="muted">Shown in a sealed frame: no script runs and nothing is loaded from the network; links are listed below.</p>
          <iframe className="sample-html" title={`HTML body of sample #${sample.id}`} sandbox="" referrerPolicy="no-referrer" srcDoc={sampleFrameDocument(sample.html)} />
        </>
      )}
      <h4>Text body</h4>
      <pre className="sample-text">{sample.text || '(empty)'}</pre>
      {sample.links.length > 0 && (
        <>
          <h4>Links ({sample.links.length})</h4>
          <ul className="sample-links">
            {sample.links.map((link, index) => (
              <li key={index}>
                <button type="button" className="link-button" onClick={() => setPendingLink(link)}>
                  {link.text || link.target}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {pendingLink && <LinkConfirmation link={pendingLink} onClose={() => setPendingLink(null)} />}
      {sample.attachments.length > 0 && (
        <p>
          Attachments:{' '}
          {sample.attachments.map((attachment) => `${attachment.fileName ?? '(unnamed)'} (${attachment.contentType}, ${formatBytes(attachment.size)})`).join('; ')}
        </p>
      )}
    </article>
  );
}
