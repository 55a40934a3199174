/**
 * Settings: every setting `repdesk settings set` can change, one form per top-level key. A field
 * per value (text, number, a checkbox, or a comma-separated list), checked as you save against
 * the same schema the core applies (`settingsSchema`), then the changed values are saved with
 * `settings.update`, which checks them again: a bad value is named beside its field and nothing is
 * changed. Admins edit; everyone else reads.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../../shared/result.js';
import { settingsSchema, type Settings } from '../../../shared/settings.js';
import { useApi } from '../api.js';
import { useOperation, useReloadable } from '../useOperation.js';
import { ErrorLine } from './ErrorLine.js';
import './settings.css';

type Value = string | number | boolean | readonly (string | number)[] | { readonly [key: string]: Value };

/** One editable value: where it sits inside its top-level key, and what it is. */
interface Field {
  readonly path: readonly string[];
  readonly original: Value;
}

/** What the form holds for a field: the text typed, or whether a box is ticked. */
type Draft = Record<string, string | boolean>;

function isObject(value: Value): value is { readonly [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldsOf(value: Value, path: readonly string[] = []): Field[] {
  return isObject(value) ? Object.entries(value).flatMap(([key, inner]) => fieldsOf(inner, [...path, key])) : [{ path, original: value }];
}

function keyOf(path: readonly string[]): string {
  return path.join('.');
}

function draftOf(fields: readonly Field[]): Draft {
  return Object.fromEntries(
    fields.map((field) => [keyOf(field.path), typeof field.original === 'boolean' ? field.original : Array.isArray(field.original) ? field.original.join(', ') : String(field.original)]),
  );
}

/**
 * The value a field's draft stands for. A list holds numbers when the setting's list does (the
 * QIL levels); the lists that may be empty (relays, resolvers, roles) hold text.
 */
function parseField(field: Field, draft: string | boolean): Value {
  if (typeof field.original === 'boolean') return draft === true;
  const text = String(draft);
  if (typeof field.original === 'number') return text.trim() === '' ? Number.NaN : Number(text);
  if (Array.isArray(field.original)) {
    const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
    return field.original.some((item) => typeof item === 'number') ? items.map(Number) : items;
  }
  return text;
}

/**
 * Only what was changed, as a deep patch (the core merges it into what it holds), so a change
 * another admin made meanwhile to another value of the same key is not written back over.
 */
function patchOf(original: Value, fields: readonly Field[], draft: Draft): Value {
  if (!isObject(original)) return parseField(fields[0], draft[keyOf([])]);
  const patch: Record<string, Value> = {};
  for (const field of fields) {
    const value = parseField(field, draft[keyOf(field.path)]);
    if (JSON.stringify(value) === JSON.stringify(field.original)) continue;
    let into = patch;
    for (const part of field.path.slice(0, -1)) into = (into[part] ??= {}) as Record<string, Value>;
    into[field.path[field.path.length - 1]] = value;
  }
  return patch;
}

function valueOf(original: Value, fields: readonly Field[], draft: Draft): Value {
  if (!isObject(original)) return parseField(fields[0], draft[keyOf([])]);
  const build = (value: Value, path: readonly string[]): Value => {
    if (!isObject(value)) {
      const field = fields.find((candidate) => keyOf(candidate.path) === keyOf(path)) as Field;
      return parseField(field, draft[keyOf(path)]);
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, build(inner, [...path, key])]));
  };
  return build(original, []);
}

/** The schema's complaints about one key's new value, by field ('' for the key as a whole). */
function problemsOf(settings: Settings, name: string, value: Value): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  const parsed = settingsSchema.safeParse({ ...settings, [name]: value });
  if (parsed.success) return problems;
  for (const issue of parsed.error.issues) {
    if (issue.path[0] !== name) continue;
    // A list's item (qil.thresholds.2) is reported on its list.
    const path = issue.path.slice(1).filter((part) => typeof part === 'string').join('.');
    problems.set(path, [...(problems.get(path) ?? []), issue.message]);
  }
  return problems;
}

function SettingsSection({ name, settings, canEdit, onSaved }: { name: keyof Settings; settings: Settings; canEdit: boolean; onSaved: () => void }) {
  const api = useApi();
  const original = settings[name] as Value;
  const fields = fieldsOf(original);
  const [draft, setDraft] = useState<Draft>(() => draftOf(fields));
  const [problems, setProblems] = useState<Map<string, string[]>>(new Map());
  const [error, setError] = useState<ApiError | null>(null);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const isChanged = JSON.stringify(valueOf(original, fields, draft)) !== JSON.stringify(original);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const value = valueOf(original, fields, draft);
    const found = problemsOf(settings, name, value);
    setProblems(found);
    if (found.size > 0) return;
    setStatus('saving');
    api['settings.update']({ [name]: patchOf(original, fields, draft) }).then((result) => {
      if (!result.ok) {
        setStatus('idle');
        setError(result.error);
        return;
      }
      // The form goes on from what the core kept (it may have normalised what was typed).
      setDraft(draftOf(fieldsOf(result.value[name] as Value)));
      setStatus('saved');
      onSaved();
    });
  };

  const undo = () => {
    setDraft(draftOf(fields));
    setProblems(new Map());
    setError(null);
  };

  const edit = (key: string, value: string | boolean) => {
    setDraft((current) => ({ ...current, [key]: value }));
    setStatus('idle');
  };

  const sectionProblems = problems.get('') ?? [];
  return (
    <form className="settings-section" onSubmit={save} aria-label={`${name} settings`} noValidate>
      <fieldset disabled={!canEdit}>
        <legend>{name}</legend>
        {fields.map((field) => {
          const key = keyOf(field.path);
          const label = keyOf([name, ...field.path]);
          const id = `setting-${label}`;
          const fieldProblems = field.path.length === 0 ? [] : (problems.get(key) ?? []);
          const isInvalid = fieldProblems.length > 0;
          const described = isInvalid ? `${id}-problem` : Array.isArray(field.original) ? `${id}-hint` : undefined;
          return (
            <div className="settings-field" key={key}>
              <label htmlFor={id}>{label}</label>
              {typeof field.original === 'boolean' ? (
                <input id={id} type="checkbox" checked={draft[key] === true} onChange={(event) => edit(key, event.target.checked)} />
              ) : (
                <input
                  id={id}
                  type={typeof field.original === 'number' ? 'number' : 'text'}
                  step="any"
                  value={String(draft[key])}
                  onChange={(event) => edit(key, event.target.value)}
                  aria-invalid={isInvalid || undefined}
                  aria-describedby={described}
                />
              )}
              {Array.isArray(field.original) && !isInvalid && (
                <span className="settings-hint muted" id={`${id}-hint`}>
                  comma-separated
                </span>
              )}
              {isInvalid && (
                <span className="settings-problem" id={`${id}-problem`} role="alert">
                  {fieldProblems.join('; ')}
                </span>
              )}
            </div>
          );
        })}
        {sectionProblems.length > 0 && (
          <p className="error" role="alert">
            {sectionProblems.join('; ')}
          </p>
        )}
        {error && <ErrorLine error={error} />}
        {canEdit && (
          <div className="settings-actions">
            <button type="submit" disabled={!isChanged || status === 'saving'}>
              Save {name}
            </button>
            {isChanged && (
              <button type="button" className="secondary" onClick={undo}>
                Undo changes
              </button>
            )}
            {status === 'saved' && !isChanged && (
              <span role="status" className="settings-saved">
                Saved
              </span>
            )}
          </div>
        )}
      </fieldset>
    </form>
  );
}

export function SettingsView() {
  const api = useApi();
  const whoami = useOperation(() => api['session.whoami']({}), 'whoami');
  const settings = useReloadable(() => api['settings.get']({}));
  const isAdmin = whoami.state === 'done' && whoami.value.roles.includes('admin');
  const loaded = settings.loaded;
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Settings</h1>
      {whoami.state === 'done' && !isAdmin && <p className="muted">Only an admin changes settings; they are shown here as they are.</p>}
      {loaded.state === 'loading' && <p aria-live="polite">Loading…</p>}
      {loaded.state === 'failed' && <ErrorLine error={loaded.error} />}
      {loaded.state === 'done' && (
        <div className="settings-sections">
          {(Object.keys(loaded.value) as (keyof Settings)[]).map((name) => (
            <SettingsSection key={name} name={name} settings={loaded.value} canEdit={isAdmin} onSaved={settings.reload} />
          ))}
        </div>
      )}
    </section>
  );
}
