/**
 * An ISP's record on its page: country, ASNs, contacts (the ISP's and our liaisons'), notes and
 * active ranges; "Edit" turns it into a form (isps.update) with the same fields and the name.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { IspView } from '../../../../shared/dul.js';
import { useApi } from '../../api.js';
import { formatCount } from '../../format.js';
import { ErrorLine } from '../ErrorLine.js';
import '../forms.css';

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

function IspEditForm({ isp, onSaved, onCancel }: { isp: IspView; onSaved: (name: string) => void; onCancel: () => void }) {
  const api = useApi();
  const [name, setName] = useState(isp.name);
  const [country, setCountry] = useState(isp.country ?? '');
  const [asns, setAsns] = useState(isp.asns.map((asn) => `AS${asn}`).join(', '));
  const [ispContacts, setIspContacts] = useState(isp.ispContacts.join('\n'));
  const [liaisonContacts, setLiaisonContacts] = useState(isp.liaisonContacts.join('\n'));
  const [notes, setNotes] = useState(isp.notes ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const numbers = asns
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((text) => Number(text.replace(/^AS/i, '')));
    const result = await api['isps.update']({
      name: isp.name,
      rename: name.trim() === isp.name ? undefined : name.trim(),
      country: country.trim() === '' ? null : country.trim().toUpperCase(),
      asns: numbers,
      ispContacts: lines(ispContacts),
      liaisonContacts: lines(liaisonContacts),
      notes: notes.trim() === '' ? null : notes,
    });
    if (result.ok) onSaved(result.value.name);
    else setError(result.error);
  };
  return (
    <form className="form-grid" aria-label="Edit the ISP" onSubmit={save}>
      <label htmlFor="isp-name">Name</label>
      <div className="form-field">
        <input id="isp-name" type="text" required value={name} onChange={(event) => setName(event.target.value)} />
      </div>
      <label htmlFor="isp-country">Country</label>
      <div className="form-field">
        <input id="isp-country" type="text" maxLength={2} value={country} onChange={(event) => setCountry(event.target.value)} placeholder="NL" />
        <p className="form-hint">Two letters (ISO 3166), or empty.</p>
      </div>
      <label htmlFor="isp-asns">ASNs</label>
      <div className="form-field">
        <input id="isp-asns" type="text" value={asns} onChange={(event) => setAsns(event.target.value)} placeholder="AS64500, AS64501" />
      </div>
      <label htmlFor="isp-contacts">ISP contacts</label>
      <div className="form-field">
        <textarea id="isp-contacts" rows={3} value={ispContacts} onChange={(event) => setIspContacts(event.target.value)} />
        <p className="form-hint">One per line: the ISP's abuse desk, NOC, the people who send submissions.</p>
      </div>
      <label htmlFor="isp-liaisons">Our liaisons</label>
      <div className="form-field">
        <textarea id="isp-liaisons" rows={2} value={liaisonContacts} onChange={(event) => setLiaisonContacts(event.target.value)} />
        <p className="form-hint">One per line.</p>
      </div>
      <label htmlFor="isp-notes">Notes</label>
      <div className="form-field">
        <textarea id="isp-notes" rows={4} value={notes} onChange={(event) => setNotes(event.target.value)} />
      </div>
      <div className="form-actions">
        <button type="submit">Save</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <div className="form-actions">
          <ErrorLine error={error} />
        </div>
      )}
    </form>
  );
}

export function IspRecord({ isp, onSaved }: { isp: IspView; onSaved: (name: string) => void }) {
  const [isEditing, setEditing] = useState(false);
  if (isEditing) {
    return (
      <IspEditForm
        isp={isp}
        onCancel={() => setEditing(false)}
        onSaved={(name) => {
          setEditing(false);
          onSaved(name);
        }}
      />
    );
  }
  return (
    <div className="isp-record">
      <dl className="facts" aria-label="The ISP">
        <dt>Country</dt>
        <dd>{isp.country ?? '—'}</dd>
        <dt>ASNs</dt>
        <dd>{isp.asns.map((asn) => `AS${asn}`).join(', ') || '—'}</dd>
        <dt>ISP contacts</dt>
        <dd>{isp.ispContacts.join('; ') || '—'}</dd>
        <dt>Our liaisons</dt>
        <dd>{isp.liaisonContacts.join('; ') || '—'}</dd>
        <dt>Notes</dt>
        <dd className="isp-notes">{isp.notes ?? '—'}</dd>
        <dt>Active DUL ranges</dt>
        <dd>{formatCount(isp.activeRanges)}</dd>
      </dl>
      <button type="button" className="secondary" onClick={() => setEditing(true)}>
        Edit the ISP
      </button>
    </div>
  );
}
