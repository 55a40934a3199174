/** The ISP registry: every ISP with its active DUL ranges, and a form to add one. */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import { useApi } from '../../api.js';
import { useWaitingFiles } from '../../desktop.js';
import { formatCount } from '../../format.js';
import { routeHref } from '../../routes.js';
import { useReloadable } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';

export function IspList() {
  const api = useApi();
  const isps = useReloadable(() => api['isps.list']({}));
  const waitingFiles = useWaitingFiles('dul');
  const [name, setName] = useState('');
  const [asns, setAsns] = useState('');
  const [country, setCountry] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  const add = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const numbers = asns
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((text) => Number(text.replace(/^AS/i, '')));
    api['isps.add']({ name, asns: numbers, country: country || undefined, liaisonContacts: [], ispContacts: [] }).then((result) => {
      if (!result.ok) setError(result.error);
      else {
        setName('');
        setAsns('');
        setCountry('');
        isps.reload();
      }
    });
  };

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">DUL: ISPs</h1>
      {waitingFiles && <p role="status">Open the ISP that sent {waitingFiles.map((file) => file.name).join(', ')}: its import form will have the file.</p>}
      {isps.loaded.state === 'loading' && <p aria-live="polite">Loading…</p>}
      {isps.loaded.state === 'failed' && <ErrorLine error={isps.loaded.error} />}
      {isps.loaded.state === 'done' && (
        <table>
          <thead>
            <tr>
              <th scope="col">ISP</th>
              <th scope="col">Country</th>
              <th scope="col">ASNs</th>
              <th scope="col">Active DUL ranges</th>
            </tr>
          </thead>
          <tbody>
            {isps.loaded.value.map((isp) => (
              <tr key={isp.id}>
                <td>
                  <a href={routeHref('dul', isp.name)}>{isp.name}</a>
                </td>
                <td>{isp.country ?? ''}</td>
                <td>{isp.asns.map((asn) => `AS${asn}`).join(', ')}</td>
                <td>{formatCount(isp.activeRanges)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={add} aria-label="Add an ISP">
        <h2>Add an ISP</h2>
        <label>
          Name <input value={name} onChange={(event) => setName(event.target.value)} required />
        </label>
        <label>
          ASNs <input value={asns} onChange={(event) => setAsns(event.target.value)} placeholder="64500, 64501" />
        </label>
        <label>
          Country <input value={country} onChange={(event) => setCountry(event.target.value)} placeholder="NL" maxLength={2} />
        </label>
        <button type="submit">Add</button>
        {error && <ErrorLine error={error} />}
      </form>
    </section>
  );
}

