/**
 * The theme: light, dark, or following the system (the default). The choice is kept in the
 * browser (localStorage) and applied as `data-theme` on <html>, which the stylesheet's colour
 * variables follow; "system" follows prefers-color-scheme as it changes (in the desktop app,
 * View > Theme sets what the system is for the page). Canvas charts redraw on a change.
 */
import { useSyncExternalStore } from 'react';

export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

const STORAGE_KEY = 'repdesk.theme';
const listeners = new Set<() => void>();
let choice: ThemeChoice = 'system';
let systemScheme: MediaQueryList | null = null;

function storedChoice(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return THEME_CHOICES.find((candidate) => candidate === value) ?? 'system';
  } catch {
    return 'system';
  }
}

function apply(): void {
  const isDark = choice === 'dark' || (choice === 'system' && (systemScheme?.matches ?? false));
  const theme = isDark ? 'dark' : 'light';
  if (document.documentElement.dataset.theme !== theme) document.documentElement.dataset.theme = theme;
  for (const listener of listeners) listener();
}

/** Apply the remembered choice and follow the system's scheme; call once before the first render. */
export function startTheme(): void {
  choice = storedChoice();
  systemScheme = window.matchMedia('(prefers-color-scheme: dark)');
  systemScheme.addEventListener('change', apply);
  apply();
}

export function setThemeChoice(next: ThemeChoice): void {
  choice = next;
  try {
    window.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Storage refused (private window): the choice holds for this page only.
  }
  apply();
}

/** The next choice in the order system -> light -> dark (the palette's "Switch theme"). */
export function nextThemeChoice(current: ThemeChoice): ThemeChoice {
  return THEME_CHOICES[(THEME_CHOICES.indexOf(current) + 1) % THEME_CHOICES.length];
}

/** Called when the theme in effect may have changed (a choice, or the system's scheme). */
export function onThemeChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current choice. */
export function themeChoice(): ThemeChoice {
  return choice;
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(onThemeChange, themeChoice);
}

/** The theme in effect ('light' or 'dark'). */
export function useEffectiveTheme(): 'light' | 'dark' {
  return useSyncExternalStore(onThemeChange, () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'));
}
