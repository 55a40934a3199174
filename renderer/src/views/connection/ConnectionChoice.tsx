/**
 * How the desktop app works: on this computer (its own database, for one person) or with a team
 * server (an address, then signing in). Shown at the first start, and when the person switches
 * later. A server whose certificate this computer does not trust (a self-signed trial one) is
 * shown with its fingerprint, to compare with what the server's admin gives, and is used only
 * once the person trusts it.
 */
import { useState, type FormEvent } from 'react';
import type { ConnectionState, DesktopBridge } from '../../../../shared/desktop.js';
import type { ServerCertificateView } from '../../../../shared/remote.js';
import { serverName } from '../../connection.js';
import './connection.css';
import '../forms.css';

function describeCurrent(state: ConnectionState): string | null {
  if (state.kind === 'embedded') return `Now: on this computer (${state.database})`;
  if (state.kind === 'team') return `Now: the team server ${serverName(state.server)}${state.person ? `, as ${state.person}` : ''}`;
  return null;
}

function CertificatePanel({ certificate, problem, onTrust, onCancel, isBusy }: { certificate: ServerCertificateView; problem: string; onTrust(): void; onCancel(): void; isBusy: boolean }) {
  return (
    <section className="certificate" aria-labelledby="certificate-title">
      <h2 id="certificate-title">Trust this server’s certificate?</h2>
      <p role="alert">{problem}</p>
      <dl>
        <dt>SHA-256 fingerprint</dt>
        <dd className="fingerprint" data-testid="certificate-fingerprint">
          {certificate.fingerprint}
        </dd>
        <dt>Issued to</dt>
        <dd>{certificate.subject}</dd>
        <dt>Issued by</dt>
        <dd>{certificate.issuer}</dd>
        <dt>Names</dt>
        <dd>{certificate.names || 'none'}</dd>
        <dt>Valid</dt>
        <dd>
          {certificate.validFrom.slice(0, 10)} to {certificate.validTo.slice(0, 10)}
        </dd>
      </dl>
      <p>
        Compare the fingerprint, every pair, with the one the server’s admin gave you (the server prints it when it starts). If they differ, someone may be between you and
        the server: do not trust it.
      </p>
      <div className="form-actions">
        <button type="button" onClick={onTrust} disabled={isBusy}>
          The fingerprints match: trust it and connect
        </button>
        <button type="button" onClick={onCancel} disabled={isBusy}>
          Cancel
        </button>
      </div>
    </section>
  );
}

export function ConnectionChoice({ bridge, state, onCancel }: { bridge: DesktopBridge; state: ConnectionState; onCancel: (() => void) | null }) {
  const [address, setAddress] = useState(state.kind === 'team' ? state.server : '');
  const [problem, setProblem] = useState<string | null>(state.kind === 'choosing' ? state.problem : null);
  const [certificate, setCertificate] = useState<ServerCertificateView | null>(null);
  const [isBusy, setBusy] = useState(false);
  const current = describeCurrent(state);

  const choose = async (request: Parameters<DesktopBridge['chooseConnection']>[0]) => {
    setBusy(true);
    setProblem(null);
    try {
      const answer = await bridge.chooseConnection(request);
      if (answer.ok) {
        setCertificate(null);
        onCancel?.();
        return;
      }
      setProblem(answer.problem);
      setCertificate(answer.certificate);
    } finally {
      setBusy(false);
    }
  };

  const connect = (event: FormEvent) => {
    event.preventDefault();
    setCertificate(null);
    void choose({ mode: 'team', server: address });
  };

  return (
    <main className="connection-screen" aria-labelledby="connection-title">
      <h1 id="connection-title">{state.kind === 'choosing' ? 'Welcome to RepDesk' : 'Where RepDesk works'}</h1>
      <p>Work on this computer alone, or with your team on a RepDesk team server. You can change this later.</p>
      {current && <p className="connection-note">{current}</p>}
      <div className="connection-options">
        <section className="connection-option card" aria-labelledby="embedded-title">
          <h2 id="embedded-title">Work on this computer</h2>
          <p>The records are kept in a database on this computer, for one person. Nobody signs in.</p>
          <button type="button" onClick={() => void choose({ mode: 'embedded' })} disabled={isBusy || state.kind === 'embedded'}>
            Work on this computer
          </button>
        </section>
        <section className="connection-option card" aria-labelledby="team-title">
          <h2 id="team-title">Connect to a team server</h2>
          <form aria-label="Connect to a team server" onSubmit={connect}>
            <label htmlFor="server-address">Server address</label>
            <input
              id="server-address"
              type="text"
              inputMode="url"
              autoComplete="url"
              spellCheck={false}
              placeholder="https://repdesk.example.net"
              value={address}
              onChange={(event) => setAddress(event.target.value)}
              required
            />
            <p className="form-hint">Your team’s admin gives you the address. You sign in next.</p>
            <button type="submit" disabled={isBusy || address.trim() === ''}>
              {isBusy ? 'Connecting…' : 'Connect'}
            </button>
          </form>
        </section>
      </div>
      {certificate && problem ? (
        <CertificatePanel
          certificate={certificate}
          problem={problem}
          isBusy={isBusy}
          onTrust={() => void choose({ mode: 'team', server: address, trustFingerprint: certificate.fingerprint })}
          onCancel={() => {
            setCertificate(null);
            setProblem(null);
          }}
        />
      ) : (
        problem && (
          <div className="error" role="alert">
            <p>{problem}</p>
          </div>
        )
      )}
      {onCancel && (
        <p>
          <button type="button" onClick={onCancel} disabled={isBusy}>
            Cancel: keep working as before
          </button>
        </p>
      )}
    </main>
  );
}
