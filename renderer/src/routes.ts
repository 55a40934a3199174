/** Hash routes (`#/lookup/192.0.2.1`): linkable, survive a reload, and need nothing from the server. */
import { useSyncExternalStore } from 'react';

export const SECTIONS = [
  { id: 'dashboard', title: 'Dashboard' },
  { id: 'lookup', title: 'Lookup' },
  { id: 'listings', title: 'Listings' },
  { id: 'dul', title: 'DUL' },
  { id: 'qil', title: 'QIL' },
  { id: 'nominations', title: 'Nominations' },
  { id: 'delisting', title: 'Delisting' },
  { id: 'publish', title: 'Publish' },
  { id: 'team', title: 'Team' },
  { id: 'settings', title: 'Settings' },
] as const;

/** Sections reached by links only, not listed in the navigation: the reputation record (`#/record/<listing id>`), New listing (`#/new-listing/<range>`). */
export const LINKED_SECTIONS = [
  { id: 'record', title: 'Record' },
  { id: 'new-listing', title: 'New listing' },
  { id: 'import-listings', title: 'Import listings' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'] | (typeof LINKED_SECTIONS)[number]['id'];

export interface Route {
  readonly section: SectionId;
  /** What follows the section, decoded (the looked-up IP for Lookup); null when absent. */
  readonly argument: string | null;
}

function isSectionId(text: string): text is SectionId {
  return SECTIONS.some((section) => section.id === text) || LINKED_SECTIONS.some((section) => section.id === text);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseRoute(hash: string): Route {
  const match = /^#\/([a-z-]+)(?:\/(.*))?$/.exec(hash);
  // The dashboard is the opening screen.
  if (!match || !isSectionId(match[1])) return { section: 'dashboard', argument: null };
  return { section: match[1], argument: match[2] === undefined ? null : decode(match[2]) };
}

export function routeHref(section: SectionId, argument?: string): string {
  return argument === undefined ? `#/${section}` : `#/${section}/${encodeURIComponent(argument)}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentHash(): string {
  return window.location.hash;
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash);
  return parseRoute(hash);
}

export function navigate(section: SectionId, argument?: string): void {
  window.location.hash = routeHref(section, argument);
}

/**
 * The raw `URLSearchParams` text after `#/<section>/` (the listings filters), read without the
 * percent-decoding `parseRoute` applies, so a value holding `&` or `=` survives.
 */
export function routeQueryText(hash: string, section: SectionId): string {
  const prefix = `#/${section}/`;
  return hash.startsWith(prefix) ? hash.slice(prefix.length) : '';
}

/** Subscribe to the whole hash (the listings view reads its query text from it). */
export function useHash(): string {
  return useSyncExternalStore(subscribe, currentHash);
}
