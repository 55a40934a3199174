/** The signed-in investigator's saved views: open one, save the current filter under a name, delete one. */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import { useApi } from '../../api.js';
import { useReloadable } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { listingsHash } from './listingsRoute.js';
import './workbench.css';

export function SavedViews({ queryText }: { queryText: string }) {
  const api = useApi();
  const views = useReloadable(() => api['views.list']({}));
  const [name, setName] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const list = views.loaded.state === 'done' ? views.loaded.value : [];
  const current = list.find((view) => view.query === queryText);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    api['views.save']({ name, query: queryText }).then((result) => {
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setName('');
      views.reload();
    });
  };
  const remove = () => {
    if (!current) return;
    api['views.delete']({ name: current.name }).then((result) => {
      if (!result.ok) setError(result.error);
      else views.reload();
    });
  };

  return (
    <div className="saved-views">
      <label className="filter-field">
        <span>Saved view</span>
        <select
          name="saved-view"
          value={current?.name ?? ''}
          onChange={(event) => {
            const chosen = list.find((view) => view.name === event.target.value);
            if (chosen) window.location.hash = listingsHash(chosen.query);
          }}
        >
          <option value="">{list.length === 0 ? 'none saved' : 'choose…'}</option>
          {list.map((view) => (
            <option key={view.name} value={view.name}>
              {view.name}
            </option>
          ))}
        </select>
      </label>
      {current && (
        <button type="button" className="secondary" onClick={remove}>
          Delete view
        </button>
      )}
      <form className="save-view" aria-label="Save this view" onSubmit={save}>
        <label className="filter-field">
          <span>Save as</span>
          <input name="view-name" value={name} onChange={(event) => setName(event.target.value)} placeholder="my open RBL listings" />
        </label>
        <button type="submit" className="secondary">
          Save view
        </button>
      </form>
      {views.loaded.state === 'failed' && <ErrorLine error={views.loaded.error} />}
      {error && <ErrorLine error={error} />}
    </div>
  );
}
