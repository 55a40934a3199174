/**
 * The first start of an empty database: nobody is on the team, so nothing can be changed yet.
 * Instead of a read-only app with no hint, a panel asks the person to add themselves (the first
 * person becomes an admin) and, when the app does not run as that name yet, says how to start it
 * as them.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../../shared/result.js';
import type { Role } from '../../../shared/domain.js';
import { useApi } from '../api.js';
import { useOperation } from '../useOperation.js';
import { ErrorLine } from './ErrorLine.js';
import './forms.css';
import './first-start.css';

const ROLE_HELP: Record<Exclude<Role, 'admin'>, string> = {
  investigator: 'RBL, QIL and MML listings',
  liaison: 'ISPs and their DUL submissions',
  reviewer: 'GAL nominations and delisting requests',
  publisher: 'signing and publishing zone snapshots',
};

export function FirstStart() {
  const api = useApi();
  const team = useOperation(() => api['investigators.list']({}), 'first-start-team');
  const whoami = useOperation(() => api['session.whoami']({}), 'first-start-whoami');
  const [name, setName] = useState<string | null>(null);
  const [roles, setRoles] = useState<ReadonlySet<Role>>(new Set(['investigator', 'liaison', 'reviewer', 'publisher']));
  const [error, setError] = useState<ApiError | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  if (team.state !== 'done' || team.value.length > 0 || whoami.state !== 'done') return null;
  const runsAs = whoami.value.actor;
  const shownName = name ?? runsAs ?? '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const result = await api['investigators.add']({ name: shownName.trim(), roles: [...roles] });
    if (!result.ok) {
      setError(result.error);
      return;
    }
    // Already running as this name: the app can act as them now.
    if (result.value.name === runsAs) window.location.reload();
    else setAdded(result.value.name);
  };

  if (added !== null) {
    return (
      <section className="first-start" aria-labelledby="first-start-title">
        <h2 id="first-start-title">{added} is on the team</h2>
        <p>
          This RepDesk runs {runsAs === null ? 'as nobody' : `as ${runsAs}`}. Stop it and start it as {added} to work:
        </p>
        <pre>
          <code>REPDESK_ACTOR={/\s/.test(added) ? `'${added}'` : added} npm start</code>
        </pre>
        <p className="muted">
          (or <code>repdesk serve --actor {added}</code>; the desktop app acts as <code>REPDESK_ACTOR</code>, else the computer's user name)
        </p>
      </section>
    );
  }
  return (
    <section className="first-start" aria-labelledby="first-start-title">
      <h2 id="first-start-title">Welcome to RepDesk: add yourself first</h2>
      <p>
        Nobody is on the team yet, so nothing can be changed. Add yourself: the first person becomes an admin, who can then add the others.
      </p>
      <form className="form-grid" aria-label="Add yourself" onSubmit={submit}>
        <label htmlFor="first-name">Your name</label>
        <div className="form-field">
          <input id="first-name" type="text" required autoComplete="off" value={shownName} onChange={(event) => setName(event.target.value)} />
          {runsAs !== null && <p className="form-hint">This RepDesk runs as {runsAs}: keep that name to start working at once.</p>}
        </div>
        <span className="form-label">Your roles</span>
        <div className="form-field first-start-roles">
          {(Object.keys(ROLE_HELP) as Array<keyof typeof ROLE_HELP>).map((role) => (
            <label key={role}>
              <input
                type="checkbox"
                checked={roles.has(role)}
                onChange={(event) => {
                  const next = new Set(roles);
                  if (event.target.checked) next.add(role);
                  else next.delete(role);
                  setRoles(next);
                }}
              />{' '}
              {role} <span className="muted">({ROLE_HELP[role]})</span>
            </label>
          ))}
          <p className="form-hint">and admin (the team and the settings), as the first person.</p>
        </div>
        <div className="form-actions">
          <button type="submit" disabled={roles.size === 0 || shownName.trim() === ''}>
            Add me to the team
          </button>
        </div>
        {error && (
          <div className="form-actions">
            <ErrorLine error={error} />
          </div>
        )}
      </form>
    </section>
  );
}
