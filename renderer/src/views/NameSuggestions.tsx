/**
 * Type-ahead for names: a <datalist> of the team's investigators or the registry's ISPs, which a
 * text field names with its `list` attribute. The browser suggests the names matching what is
 * typed (anywhere in the name), so a filter or a reassignment need not be typed exactly.
 */
import { useApi } from '../api.js';
import { useOperation } from '../useOperation.js';

export function InvestigatorSuggestions({ id }: { id: string }) {
  const api = useApi();
  const team = useOperation(() => api['investigators.list']({}), 'investigators');
  const names = team.state === 'done' ? team.value.filter((person) => person.active).map((person) => person.name) : [];
  return (
    <datalist id={id}>
      {names.map((name) => (
        <option key={name} value={name} />
      ))}
    </datalist>
  );
}

export function IspSuggestions({ id }: { id: string }) {
  const api = useApi();
  const isps = useOperation(() => api['isps.list']({}), 'isps');
  const names = isps.state === 'done' ? isps.value.map((isp) => isp.name) : [];
  return (
    <datalist id={id}>
      {names.map((name) => (
        <option key={name} value={name} />
      ))}
    </datalist>
  );
}
