/**
 * Ctrl/Cmd+K from anywhere: type an IP, a CIDR or a record id and jump to the lookup, the
 * listings overlapping it or the record; commands (go to a section, new listing, publish, switch
 * the theme) match their words; other text searches TXT, notes, spam samples and correspondence.
 * Arrows choose, Enter goes, Esc closes.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { parseAddress, parseRange } from '../../../../shared/address.js';
import type { ApiError } from '../../../../shared/result.js';
import type { TextHit } from '../../../../shared/workbench.js';
import { useApi } from '../../api.js';
import { routeHref, SECTIONS } from '../../routes.js';
import { nextThemeChoice, setThemeChoice, THEME_CHOICES, themeChoice, type ThemeChoice } from '../../theme.js';
import { ErrorLine } from '../ErrorLine.js';
import { listingsHash } from './listingsRoute.js';
import './workbench.css';

interface Choice {
  readonly key: string;
  readonly label: string;
  readonly detail?: string;
  /** Where the choice goes, or what it does (a command that stays on the page). */
  readonly hash?: string;
  readonly run?: () => void;
}

const THEME_NAMES: Record<ThemeChoice, string> = { system: 'follow the system', light: 'light', dark: 'dark' };

/** The palette's commands: each section, New listing, Publish, and the theme. */
function commands(): Choice[] {
  return [
    { key: 'command-new-listing', label: 'New listing', detail: 'create a listing', hash: routeHref('new-listing') },
    { key: 'command-import-listings', label: 'Import listings', detail: 'a file of ranges, with a preview', hash: routeHref('import-listings') },
    { key: 'command-publish', label: 'Publish', detail: 'review the changes and sign a new snapshot', hash: routeHref('publish') },
    ...SECTIONS.map((section) => ({ key: `command-go-${section.id}`, label: `Go to ${section.title}`, hash: routeHref(section.id) })),
    ...THEME_CHOICES.map((theme) => ({ key: `command-theme-${theme}`, label: `Theme: ${THEME_NAMES[theme]}`, detail: 'switch theme', run: () => setThemeChoice(theme) })),
    { key: 'command-theme-next', label: 'Switch theme', detail: 'system → light → dark', run: () => setThemeChoice(nextThemeChoice(themeChoice())) },
  ];
}

/** The commands whose label and detail hold every word typed (all of them for an empty text). */
export function commandChoices(text: string): Choice[] {
  const words = text.trim().toLowerCase().split(/\s+/).filter((word) => word !== '');
  return commands().filter((command) => words.every((word) => `${command.label} ${command.detail ?? ''}`.toLowerCase().includes(word)));
}

const SEARCH_DELAY_MS = 150;

/** The jumps a typed text allows, before any full-text hit. */
export function directChoices(text: string): Choice[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const choices: Choice[] = [];
  const id = /^#?(\d{1,12})$/.exec(trimmed);
  if (id) choices.push({ key: `record-${id[1]}`, label: `Open record #${id[1]}`, hash: routeHref('record', id[1]) });
  const address = parseAddress(trimmed);
  if (address.ok) {
    choices.push({ key: 'lookup', label: `Look up ${trimmed}`, detail: 'every listing on every list containing it', hash: routeHref('lookup', trimmed) });
    choices.push({ key: 'contains', label: `Listings containing ${trimmed}`, hash: listingsHash(new URLSearchParams({ ip: trimmed }).toString()) });
  } else {
    const range = parseRange(trimmed);
    if (range.ok) choices.push({ key: 'overlaps', label: `Listings overlapping ${trimmed}`, hash: listingsHash(new URLSearchParams({ cidr: trimmed }).toString()) });
  }
  return choices;
}

export function CommandPalette() {
  const api = useApi();
  const [isOpen, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [hits, setHits] = useState<{ text: string; hits: readonly TextHit[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        opener.current = document.activeElement;
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (isOpen) input.current?.focus();
  }, [isOpen]);

  const trimmed = text.trim();
  const direct = directChoices(trimmed);
  const wantsText = trimmed.length >= 3 && direct.length === 0;
  useEffect(() => {
    if (!wantsText) return;
    let isCurrent = true;
    const timer = window.setTimeout(() => {
      api['search.text']({ q: trimmed, limit: 20 }).then((result) => {
        if (!isCurrent) return;
        if (result.ok) {
          setHits({ text: trimmed, hits: result.value });
          setError(null);
        } else setError(result.error);
      });
    }, SEARCH_DELAY_MS);
    return () => {
      isCurrent = false;
      window.clearTimeout(timer);
    };
  }, [trimmed, wantsText, api]);

  const textChoices: Choice[] =
    wantsText && hits?.text === trimmed
      ? hits.hits.flatMap((hit) =>
          hit.listingIds.slice(0, 3).map((listingId) => ({
            key: `${hit.kind}-${hit.id}-${listingId}`,
            label: `Record #${listingId}`,
            detail: `${hit.kind === 'listing' ? 'TXT / notes' : hit.kind === 'sample' ? `spam sample #${hit.id}` : `message #${hit.id}`}: ${hit.snippet}`,
            hash: routeHref('record', String(listingId)),
          })),
        )
      : [];
  const choices = [...direct, ...commandChoices(trimmed), ...textChoices];

  const close = () => {
    setOpen(false);
    setText('');
    setHits(null);
    setError(null);
    setActive(0);
    if (opener.current instanceof HTMLElement) opener.current.focus();
  };
  const go = (choice: Choice | undefined) => {
    if (!choice) return;
    if (choice.hash !== undefined) window.location.hash = choice.hash;
    choice.run?.();
    close();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((index) => Math.min(choices.length - 1, index + 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(0, index - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      go(choices[active]);
    }
  };

  if (!isOpen) return null;
  return (
    <div className="palette-backdrop" onMouseDown={(event) => event.target === event.currentTarget && close()}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Go to">
        <input
          ref={input}
          className="palette-input"
          role="combobox"
          aria-expanded={choices.length > 0}
          aria-controls="palette-choices"
          aria-activedescendant={choices[active] ? `palette-${choices[active].key}` : undefined}
          aria-label="IP, CIDR, record id, text or command"
          placeholder="IP, CIDR, record id, text or a command (new listing, publish, theme…)"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        {error && <ErrorLine error={error} />}
        <ul className="palette-choices" id="palette-choices" role="listbox" aria-label="Destinations">
          {choices.map((choice, index) => (
            <li
              key={choice.key}
              id={`palette-${choice.key}`}
              role="option"
              aria-selected={index === active}
              className={index === active ? 'palette-choice palette-choice-active' : 'palette-choice'}
              onMouseDown={(event) => {
                event.preventDefault();
                go(choice);
              }}
            >
              <span>{choice.label}</span>
              {choice.detail && <span className="muted palette-detail">{choice.detail}</span>}
            </li>
          ))}
          {wantsText && hits?.text === trimmed && choices.length === 0 && <li className="muted palette-empty">Nothing found for “{trimmed}”.</li>}
        </ul>
        <p className="palette-hint muted">↑↓ choose · Enter go · Esc close</p>
      </div>
    </div>
  );
}
