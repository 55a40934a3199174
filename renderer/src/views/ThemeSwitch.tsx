/** The theme switch in the header: follow the system, light or dark (kept in this browser). */
import { setThemeChoice, THEME_CHOICES, useThemeChoice, type ThemeChoice } from '../theme.js';

const LABELS: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function ThemeSwitch() {
  const choice = useThemeChoice();
  return (
    <label className="theme-switch">
      <span>Theme</span>
      <select value={choice} onChange={(event) => setThemeChoice(event.target.value as ThemeChoice)}>
        {THEME_CHOICES.map((value) => (
          <option key={value} value={value}>
            {LABELS[value]}
          </option>
        ))}
      </select>
    </label>
  );
}
