/** The listings table's filter form: one field per filter key, applied together (the route holds them). */
import { useEffect, useState, type FormEvent } from 'react';
import { LISTS, REASONS, REASON_LABELS, STANDINGS } from '../../../../shared/domain.js';
import type { FilterKey } from '../../../../shared/workbench.js';
import '../forms.css';
import { InvestigatorSuggestions, IspSuggestions } from '../NameSuggestions.js';
import './workbench.css';
import { STANDING_LABELS } from './ListingsGrid.js';

const FIELD_LABELS: Record<FilterKey, string> = {
  list: 'List',
  status: 'Status',
  reason: 'Reason',
  investigator: 'Investigator',
  isp: 'ISP',
  ip: 'Contains IP',
  cidr: 'Overlaps CIDR',
  createdFrom: 'Created from',
  createdTo: 'Created to',
  changedFrom: 'Changed from',
  changedTo: 'Changed to',
  q: 'Text',
};

export function FilterForm({ fields, onApply }: { fields: Partial<Record<FilterKey, string>>; onApply: (fields: Partial<Record<FilterKey, string>>) => void }) {
  const [draft, setDraft] = useState(fields);
  const fieldsText = JSON.stringify(fields);
  useEffect(() => setDraft(fields), [fieldsText]);
  const set = (key: FilterKey, value: string) => setDraft((previous) => ({ ...previous, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const choose = (key: FilterKey, value: string) => {
    const next = { ...draft, [key]: value };
    setDraft(next);
    onApply(next);
  };
  const text = (key: FilterKey, placeholder: string, type = 'text', suggestions?: string) => (
    <label className="filter-field">
      <span>{FIELD_LABELS[key]}</span>
      <input type={type} name={key} value={draft[key] ?? ''} placeholder={placeholder} list={suggestions} autoComplete="off" onChange={(event) => set(key, event.target.value)} />
    </label>
  );
  const select = (key: FilterKey, values: readonly string[], labels?: Record<string, string>) => (
    <label className="filter-field">
      <span>{FIELD_LABELS[key]}</span>
      <select name={key} value={draft[key] ?? ''} onChange={(event) => choose(key, event.target.value)}>
        <option value="">any</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {labels?.[value] ?? value}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form className="filter-form" aria-label="Filter listings" onSubmit={submit}>
      {select('list', LISTS)}
      {select('status', STANDINGS, STANDING_LABELS)}
      {select('reason', REASONS, REASON_LABELS)}
      {text('investigator', 'name', 'text', 'filter-investigators')}
      <InvestigatorSuggestions id="filter-investigators" />
      {text('isp', 'ISP name', 'text', 'filter-isps')}
      <IspSuggestions id="filter-isps" />
      {text('ip', '192.0.2.1')}
      {text('cidr', '192.0.2.0/24')}
      {text('createdFrom', '', 'date')}
      {text('createdTo', '', 'date')}
      {text('changedFrom', '', 'date')}
      {text('changedTo', '', 'date')}
      {text('q', 'TXT, notes, samples, mail')}
      <div className="filter-actions">
        <button type="submit">Apply</button>
        <button type="button" className="secondary" onClick={() => onApply({})}>
          Clear
        </button>
      </div>
    </form>
  );
}
