/**
 * New listing (`#/new-listing` or `#/new-listing/<range>`, e.g. from a Lookup miss): the form,
 * and beside it what saving would store and answer, computed by the core without writing
 * (`listings.check`): the range as stored and its CIDR blocks, the A and TXT a mail server gets,
 * what the save would refuse, and the warnings (overlaps, GAL, special-purpose space, wider than
 * publishing allows). Saving opens the new record.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import { LISTS, QIL_LEVELS, REASON_LABELS, REASONS_BY_LIST, type ListName, type Reason } from '../../../../shared/domain.js';
import type { ListingCheck } from '../../../../shared/listing-check.js';
import { useApi } from '../../api.js';
import { formatTime } from '../../format.js';
import { navigate, routeHref } from '../../routes.js';
import { ErrorLine } from '../ErrorLine.js';
import { ListBadge } from '../ListBadge.js';
import '../forms.css';
import './listing.css';

interface Fields {
  readonly range: string;
  readonly list: ListName;
  readonly reason: Reason;
  readonly txt: string;
  readonly level: string;
  /** `YYYY-MM-DDTHH:MM` as the datetime field gives it, read as UTC. */
  readonly expires: string;
  readonly why: string;
}

/** The payload of `listings.check` / `listings.add` for the fields. */
function payloadOf(fields: Fields) {
  const isQil = fields.list === 'QIL';
  return {
    range: fields.range.trim(),
    list: fields.list,
    reason: fields.reason,
    txt: fields.txt.trim() === '' ? undefined : fields.txt,
    level: isQil && fields.level !== '' ? Number(fields.level) : undefined,
    expires: isQil && fields.expires !== '' ? `${fields.expires}:00Z` : undefined,
    why: fields.why.trim() === '' ? undefined : fields.why.trim(),
  };
}

type Preview = { state: 'empty' } | { state: 'checking' } | { state: 'done'; check: ListingCheck } | { state: 'failed'; error: ApiError };

function PreviewPanel({ preview }: { preview: Preview }) {
  return (
    <aside className="listing-preview card" aria-labelledby="preview-title" aria-live="polite">
      <h2 id="preview-title">What will be saved</h2>
      {preview.state === 'empty' && <p className="muted">Type a range: an address, a CIDR or a range a-b.</p>}
      {preview.state === 'checking' && <p className="muted">Checking…</p>}
      {preview.state === 'failed' && <ErrorLine error={preview.error} />}
      {preview.state === 'done' && <CheckDetails check={preview.check} />}
    </aside>
  );
}

function CheckDetails({ check }: { check: ListingCheck }) {
  const isOneBlock = check.cidrs.length === 1 && check.cidrsOmitted === 0;
  return (
    <>
      <dl>
        <dt>Range</dt>
        <dd>
          <code data-testid="stored-range">{check.range}</code> <span className="muted">IPv{check.family}</span>
        </dd>
        <dt>Addresses</dt>
        <dd>{BigInt(check.addressCount).toLocaleString('en-US')}</dd>
        {!isOneBlock && (
          <>
            <dt>CIDR blocks</dt>
            <dd data-testid="cidr-blocks">
              {check.cidrs.join(', ')}
              {check.cidrsOmitted > 0 && ` and ${check.cidrsOmitted} more`}
            </dd>
          </>
        )}
        <dt>A record</dt>
        <dd>
          <code>{check.answer.a}</code>
        </dd>
        <dt>TXT</dt>
        <dd>
          <code data-testid="rendered-txt">{check.answer.txt}</code>
          <div className="form-hint">as answered for {check.answer.queriedAddress} (each address gets its own in place of $)</div>
        </dd>
        {check.level !== null && (
          <>
            <dt>QIL</dt>
            <dd>
              level {check.level}
              {check.expiresAt && `, until ${formatTime(check.expiresAt)}`}
            </dd>
          </>
        )}
      </dl>
      {check.notes.length > 0 && (
        <ul className="notes" aria-label="Normalisations">
          {check.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      {check.problems.length > 0 && (
        <ul className="listing-problems" aria-label="Cannot be saved">
          {check.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      {check.warnings.length > 0 && (
        <ul className="listing-warnings" aria-label="Warnings">
          {check.warnings.map((warning) => (
            <li key={warning.kind} data-kind={warning.kind}>
              {warning.message}
              {warning.listings.length > 0 && (
                <ul>
                  {warning.listings.map((listing) => (
                    <li key={listing.id}>
                      <a href={routeHref('record', String(listing.id))}>
                        <ListBadge list={listing.list} /> #{listing.id} {listing.range}
                      </a>{' '}
                      ({listing.status})
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function NewListingView({ initialRange }: { initialRange: string | null }) {
  const api = useApi();
  const [fields, setFields] = useState<Fields>({ range: initialRange ?? '', list: 'RBL', reason: 'spam-source', txt: '', level: '', expires: '', why: '' });
  const [preview, setPreview] = useState<Preview>({ state: 'empty' });
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  const set = (change: Partial<Fields>) => {
    setSaveError(null);
    setFields((current) => ({ ...current, ...change }));
  };

  // The preview follows the fields, a moment after the typing stops.
  useEffect(() => {
    if (fields.range.trim() === '') {
      setPreview({ state: 'empty' });
      return;
    }
    let isCurrent = true;
    setPreview((current) => (current.state === 'done' ? current : { state: 'checking' }));
    const timer = window.setTimeout(() => {
      api['listings.check'](payloadOf(fields)).then((result) => {
        if (isCurrent) setPreview(result.ok ? { state: 'done', check: result.value } : { state: 'failed', error: result.error });
      });
    }, 250);
    return () => {
      isCurrent = false;
      window.clearTimeout(timer);
    };
  }, [api, fields]);

  const canSave = preview.state === 'done' && preview.check.problems.length === 0 && !isSaving;
  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!canSave) return;
    setIsSaving(true);
    const result = await api['listings.add'](payloadOf(fields));
    setIsSaving(false);
    if (!result.ok) {
      setSaveError(result.error);
      return;
    }
    navigate('record', String(result.value.listing.id));
  };

  const reasons = REASONS_BY_LIST[fields.list];
  return (
    <section aria-labelledby="new-listing-title">
      <h1 id="new-listing-title">New listing</h1>
      <div className="new-listing">
        <form className="form-grid" onSubmit={save} aria-label="New listing">
          <label htmlFor="new-range">Range</label>
          <div className="form-field">
            <input id="new-range" type="text" required spellCheck={false} autoComplete="off" autoFocus value={fields.range} onChange={(event) => set({ range: event.target.value })} />
            <p className="form-hint">An address, a CIDR (host bits are cleared) or a range a-b (stored as one range, published as its CIDR blocks).</p>
          </div>
          <label htmlFor="new-list">List</label>
          <div className="form-field">
            <select
              id="new-list"
              value={fields.list}
              onChange={(event) => {
                const list = event.target.value as ListName;
                set({ list, reason: REASONS_BY_LIST[list].includes(fields.reason) ? fields.reason : REASONS_BY_LIST[list][0] });
              }}
            >
              {LISTS.map((list) => (
                <option key={list} value={list}>
                  {list}
                </option>
              ))}
            </select>
          </div>
          <label htmlFor="new-reason">Reason</label>
          <div className="form-field">
            <select id="new-reason" value={fields.reason} onChange={(event) => set({ reason: event.target.value as Reason })}>
              {reasons.map((reason) => (
                <option key={reason} value={reason}>
                  {REASON_LABELS[reason]}
                </option>
              ))}
            </select>
          </div>
          <label htmlFor="new-txt">TXT</label>
          <div className="form-field">
            <input id="new-txt" type="text" spellCheck={false} value={fields.txt} onChange={(event) => set({ txt: event.target.value })} />
            <p className="form-hint">Optional; a $ stands for the address the mail server asked about. The answer is shown beside the form.</p>
          </div>
          {fields.list === 'QIL' && (
            <>
              <label htmlFor="new-level">QIL level</label>
              <div className="form-field">
                <select id="new-level" value={fields.level} onChange={(event) => set({ level: event.target.value })}>
                  <option value="">the default (Settings)</option>
                  {QIL_LEVELS.map((level) => (
                    <option key={level} value={String(level)}>
                      {level}
                    </option>
                  ))}
                </select>
              </div>
              <label htmlFor="new-expires">Expires (UTC)</label>
              <div className="form-field">
                <input id="new-expires" type="datetime-local" value={fields.expires} onChange={(event) => set({ expires: event.target.value })} />
                <p className="form-hint">Empty: the default lifetime from Settings.</p>
              </div>
            </>
          )}
          <label htmlFor="new-why">Why</label>
          <div className="form-field">
            <textarea id="new-why" rows={3} value={fields.why} onChange={(event) => set({ why: event.target.value })} />
            <p className="form-hint">Kept in the record's history.</p>
          </div>
          <div className="form-actions">
            <button type="submit" disabled={!canSave}>
              {isSaving ? 'Saving…' : preview.state === 'done' && preview.check.warnings.length > 0 ? 'Save despite the warnings' : 'Save listing'}
            </button>
            <a href={routeHref('listings')}>Cancel</a>
          </div>
          {saveError && (
            <div className="form-actions">
              <ErrorLine error={saveError} />
            </div>
          )}
        </form>
        <PreviewPanel preview={preview} />
      </div>
    </section>
  );
}
