import { useApi } from '../api.js';
import { useOperation } from '../useOperation.js';

/** Flatten nested settings into dotted keys (`returnCodes.RBL`) for a plain definition list. */
function flatten(value: unknown, prefix: string, into: [string, string][]): [string, string][] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into.push([prefix, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return into;
}

export function SettingsView() {
  const api = useApi();
  const settings = useOperation(() => api['settings.get']({}), 'settings');
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Settings</h1>
      <p className="muted">Read-only here; an admin changes them with <code>repdesk settings set</code>.</p>
      {settings.state === 'loading' && <p aria-live="polite">Loading…</p>}
      {settings.state === 'failed' && (
        <p className="error" role="alert">
          {settings.error.message}
        </p>
      )}
      {settings.state === 'done' && (
        <dl className="settings">
          {flatten(settings.value, '', []).map(([key, text]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>{text}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
