/**
 * Publishing from the desktop app on a team server, which holds no signing key: the server
 * prepares the snapshot (`publish.prepare`, naming the key kept in this app); the screen shows
 * what would be signed; "Sign and publish…" has the app show it once more in a native dialog,
 * sign it with the key kept here and send the signature (`publish.commit`); "Drop it" has the
 * server roll it back (`publish.abandon`).
 */
import { useEffect, useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { DesktopBridge } from '../../../../shared/desktop.js';
import { LISTS, type Role } from '../../../../shared/domain.js';
import type { PreparedPublish, PublishResult } from '../../../../shared/publishing.js';
import { useApi } from '../../api.js';
import { formatCount } from '../../format.js';
import { ErrorLine } from '../ErrorLine.js';
import { PublishedSnapshot, RefusedSnapshot, whyNotPublisher } from './PublishAction.js';
import './publish.css';
import { ChangeCountHeaders } from './ChangeCountHeaders.js';

function Prepared({ prepared, server }: { prepared: PreparedPublish; server: string }) {
  return (
    <div className="outcome" role="status" aria-label="Prepared snapshot">
      <p className="outcome-title">
        Snapshot <strong data-testid="prepared-serial">{prepared.serial}</strong> of <code>{prepared.zone}</code> is prepared on {server}, waiting for your signature
        {prepared.previousSerial === null ? ' (the first snapshot)' : <>; the change against snapshot {prepared.previousSerial}:</>}
      </p>
      <div className="table-scroll">
        <table className="files" aria-label="What the snapshot publishes">
          <thead>
            <tr>
              <th scope="col">List</th>
              <ChangeCountHeaders />
            </tr>
          </thead>
          <tbody>
            {LISTS.map((list) => (
              <tr key={list}>
                <th scope="row">{list}</th>
                <td className="number">{formatCount(prepared.listingsInForce[list] ?? 0)}</td>
                <td className="number">{prepared.changes ? formatCount(prepared.changes[list].added) : '—'}</td>
                <td className="number">{prepared.changes ? formatCount(prepared.changes[list].removed) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">
        Manifest SHA-256 <code>{prepared.manifestSha256}</code>, to be signed with key <code>{prepared.keyId}</code>
        {prepared.signBefore && <> before {new Date(prepared.signBefore).toLocaleTimeString('en-GB')} (else the server rolls it back)</>}.
      </p>
    </div>
  );
}

export function TeamPublishAction({ bridge, server, actor, roles, onFinished }: { bridge: DesktopBridge; server: string; actor: string | null; roles: readonly Role[]; onFinished(): void }) {
  const api = useApi();
  const [keyId, setKeyId] = useState<string | null | undefined>(undefined);
  const [prepared, setPrepared] = useState<PreparedPublish | null>(null);
  const [outcome, setOutcome] = useState<PublishResult | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<'preparing' | 'signing' | 'dropping' | null>(null);
  useEffect(() => {
    let isCurrent = true;
    void bridge.signingKeyId().then((id) => {
      if (isCurrent) setKeyId(id);
    });
    return () => {
      isCurrent = false;
    };
  }, [bridge]);

  const whyNot =
    whyNotPublisher(actor, roles, 'the Team page') ??
    (keyId === null ? 'No signing key is kept in this app: File > Import signing key… or Generate signing key…, then have an admin register its public key for you (Team page).' : null);

  const run = async (step: 'preparing' | 'signing' | 'dropping', work: () => Promise<void>) => {
    setBusy(step);
    setError(null);
    setNote(null);
    try {
      await work();
    } finally {
      setBusy(null);
    }
  };

  const prepare = () =>
    run('preparing', async () => {
      setOutcome(null);
      const result = await api['publish.prepare']({ keyId: keyId as string });
      if (!result.ok) return setError(result.error);
      if (result.value.prepared) setPrepared(result.value);
      else setOutcome({ ...result.value, published: false, path: null });
      onFinished();
    });

  const sign = (serial: number) =>
    run('signing', async () => {
      const result = await bridge.signPreparedSnapshot(serial);
      if (result.ok) {
        setPrepared(null);
        setOutcome(result.value as PublishResult);
        onFinished();
        return;
      }
      if (result.error.code === 'cancelled' || result.error.code === 'not-found') setPrepared(null);
      if (result.error.code === 'cancelled') setNote(result.error.message);
      else setError(result.error);
      onFinished();
    });

  const drop = (serial: number) =>
    run('dropping', async () => {
      const result = await api['publish.abandon']({ serial });
      setPrepared(null);
      if (result.ok) setNote(`Snapshot ${serial} was dropped: the server rolled it back, nothing was published.`);
      else setError(result.error);
      onFinished();
    });

  return (
    <section className="panel" aria-labelledby="publish-title">
      <div className="panel-heading">
        <h2 id="publish-title">Sign and publish</h2>
      </div>
      {whyNot === null ? (
        <p className="prepared-by">
          Prepared by <strong>{actor}</strong> on the team server; signed here with key <code data-testid="signing-key">{keyId}</code>
        </p>
      ) : (
        <p className="prepared-by publish-not-allowed" id="publish-not-allowed">
          {whyNot}
        </p>
      )}
      {prepared === null ? (
        <div className="action-row">
          <button type="button" onClick={() => void prepare()} disabled={busy !== null || whyNot !== null || keyId === undefined} aria-describedby={whyNot === null ? undefined : 'publish-not-allowed'}>
            {busy === 'preparing' ? 'Preparing…' : 'Prepare the snapshot'}
          </button>
          <span className="muted">The server runs the safety checks and writes the snapshot; nothing goes live until you sign it here.</span>
        </div>
      ) : (
        <>
          <Prepared prepared={prepared} server={server} />
          <div className="action-row">
            <button type="button" onClick={() => void sign(prepared.serial as number)} disabled={busy !== null}>
              {busy === 'signing' ? 'Signing…' : 'Sign and publish…'}
            </button>
            <button type="button" onClick={() => void drop(prepared.serial as number)} disabled={busy !== null}>
              Drop it
            </button>
          </div>
        </>
      )}
      {note && (
        <p className="outcome" role="status">
          {note}
        </p>
      )}
      {error && <ErrorLine error={error} />}
      {outcome && (outcome.published ? <PublishedSnapshot result={outcome} /> : <RefusedSnapshot result={outcome} />)}
    </section>
  );
}
