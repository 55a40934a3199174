/**
 * The publishers' registered minisign public keys: snapshot signatures are checked against the
 * keys in force. Register one (pasted, or read from a chosen .pub file in the page: the file
 * never leaves as a path), see which are in force, revoke one.
 */
import { useState, type ChangeEvent, type FormEvent } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import { useApi } from '../../api.js';
import { formatTime } from '../../format.js';
import { useOperation } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { ConfirmButton } from './Confirm.js';

export function PublisherKeys({ revision, onChanged }: { revision: number; onChanged: () => void }) {
  const api = useApi();
  const keys = useOperation(() => api['keys.list']({}), `keys:${revision}`);
  const people = useOperation(() => api['team.people']({}), `key-publishers:${revision}`);
  const [publisher, setPublisher] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const publishers = people.state === 'done' ? people.value.filter((person) => person.active && person.roles.includes('publisher')).map((person) => person.name) : [];

  const register = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    api['keys.register']({ publisher: publisher || publishers[0], publicKey }).then((result) => {
      if (!result.ok) setError(result.error);
      else {
        setPublicKey('');
        onChanged();
      }
    });
  };
  const revoke = (keyId: string) => {
    setError(null);
    api['keys.revoke']({ keyId }).then((result) => {
      if (!result.ok) setError(result.error);
      else onChanged();
    });
  };
  const readFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > 2000) {
      setError({ code: 'invalid-input', message: `${file.name} is ${file.size} bytes: a minisign public key file is about 100` });
      return;
    }
    file.text().then(setPublicKey);
  };

  return (
    <section aria-labelledby="team-keys-title">
      <h2 id="team-keys-title">Publisher keys</h2>
      <p className="muted">A publisher signs snapshot manifests on their own computer; a signature is accepted only from a key registered here and in force.</p>
      {keys.state === 'failed' && <ErrorLine error={keys.error} />}
      {keys.state === 'done' && keys.value.length === 0 && <p className="muted">No keys registered.</p>}
      {keys.state === 'done' && keys.value.length > 0 && (
        <div className="table-scroll">
          <table className="team-keys">
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">Publisher</th>
                <th scope="col">State</th>
                <th scope="col">Registered</th>
                <th scope="col">Public key</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {keys.value.map((key) => (
                <tr key={key.keyId} className={key.revokedAt ? 'team-inactive' : undefined}>
                  <th scope="row">
                    <code>{key.keyId}</code>
                  </th>
                  <td>{key.publisher}</td>
                  <td>{key.revokedAt ? `revoked ${formatTime(key.revokedAt)} by ${key.revokedBy}` : 'in force'}</td>
                  <td>
                    {formatTime(key.registeredAt)} by {key.registeredBy}
                  </td>
                  <td>
                    <code className="team-key-line">{key.publicKey}</code>
                  </td>
                  <td>
                    {!key.revokedAt && (
                      <ConfirmButton label="Revoke" question={`Revoke key ${key.keyId} of ${key.publisher}? Signatures by it are refused from now on.`} confirmLabel="Revoke it" onConfirm={() => revoke(key.keyId)} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={register} aria-label="Register a publisher key" className="team-register-key">
        <h3>Register a key</h3>
        {publishers.length === 0 ? (
          <p className="muted">Nobody has the publisher role yet.</p>
        ) : (
          <>
            <label>
              Publisher{' '}
              <select value={publisher || publishers[0]} onChange={(event) => setPublisher(event.target.value)}>
                {publishers.map((name) => (
                  <option key={name}>{name}</option>
                ))}
              </select>
            </label>
            <label>
              Public key (the .pub file minisign -G or repdesk keygen wrote)
              <textarea rows={3} value={publicKey} onChange={(event) => setPublicKey(event.target.value)} placeholder={'untrusted comment: minisign public key ...\nRWQ...'} />
            </label>
            <label>
              or read it from a file <input type="file" accept=".pub,text/plain" onChange={readFile} />
            </label>
            <button type="submit" disabled={publicKey.trim() === ''}>
              Register key
            </button>
          </>
        )}
        {error && <ErrorLine error={error} />}
      </form>
    </section>
  );
}
