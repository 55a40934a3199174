/**
 * The team dashboard: what the lists hold, what moved, who holds what, and whether the last
 * publish went out. Shared by the core (which computes it from materialised figures) and the
 * renderer (which draws it and links every number to the filtered listings table).
 */
import { z } from './zod.js';
import type { ListName } from './domain.js';

export const DASHBOARD_PERIODS = ['week', 'month', 'year'] as const;
export type DashboardPeriod = (typeof DASHBOARD_PERIODS)[number];

/** Days shown by each chart period (ending today, UTC). */
export const PERIOD_DAYS: Record<DashboardPeriod, number> = { week: 7, month: 30, year: 365 };

export const dashboardInputSchema = z.object({ period: z.enum(DASHBOARD_PERIODS).default('month') }).strict();

/** Listed and delisted counts over a window of whole UTC days ending today. */
export interface WindowChange {
  readonly from: string;
  readonly listed: number;
  readonly delisted: number;
}

/**
 * One list's figures. Address counts are decimal strings: IPv4 addresses covered, and IPv6
 * /64s covered (a /48 is 65,536 of them; past 2^53 a number would round). Overlapping
 * listings count once.
 */
export interface DashboardList {
  readonly list: ListName;
  /** Entries in force now by the one rule publishing applies (what `status=active` in the listings table shows). */
  readonly active: number;
  /**
   * Entries still stored as active whose expiry (QIL, a DUL valid-until) has passed: no longer
   * published, and not counted in `active` or the addresses, though no status has been written.
   */
  readonly lapsed: number;
  readonly activeIpv4: number;
  readonly activeIpv6: number;
  readonly ipv4Addresses: string;
  readonly ipv6Slash64s: string;
  readonly change: { readonly day: WindowChange; readonly week: WindowChange; readonly month: WindowChange };
}

/** Listings and delistings per day and list over the chosen period, oldest day first. */
export interface DashboardSeries {
  readonly period: DashboardPeriod;
  readonly days: readonly string[];
  readonly listed: Readonly<Record<ListName, readonly number[]>>;
  readonly delisted: Readonly<Record<ListName, readonly number[]>>;
}

export interface DashboardPublishing {
  /** The latest snapshot, or null before the first publish. */
  readonly latest: {
    readonly serial: number;
    readonly createdAt: string;
    readonly expiresAt: string;
    readonly preparedBy: string;
    readonly approvedBy: string | null;
    readonly listingsInForce: Readonly<Record<ListName, number>>;
    readonly isExpired: boolean;
    /** Expires within `expiringWithinHours`. */
    readonly isExpiringSoon: boolean;
  } | null;
  readonly expiringWithinHours: number;
  /**
   * Listings changed since the latest publish (created, delisted, suppressed, relisted, extended,
   * moved, their reason or TXT changed), each counted once however often it changed, per list and
   * in all; a batch (an import) counts its listings. Read from the history since the publish,
   * up to `UNPUBLISHED_CAP` events (`isUnpublishedCapped`: there were more, so these are a floor).
   */
  readonly unpublishedChanges: number;
  readonly unpublishedByList: Readonly<Record<ListName, number>>;
  readonly isUnpublishedCapped: boolean;
  /** When the first of those changes was made. */
  readonly unpublishedSince: string | null;
}

/** History events read for the "not yet published" figure. */
export const UNPUBLISHED_CAP = 100_000;

export interface DashboardInvestigator {
  readonly name: string;
  readonly isActive: boolean;
  /** Active listings assigned to them, in all and per list. */
  readonly assigned: number;
  readonly byList: Readonly<Partial<Record<ListName, number>>>;
  /** Open requests (nominations, delisting requests) assigned to them; null while no request queue exists. */
  readonly openRequests: number;
}

export interface DashboardIsp {
  readonly name: string;
  readonly entries: number;
  readonly ipv4Addresses: string;
  readonly ipv6Slash64s: string;
}

/**
 * DUL listings in force by the country of the ISP that submitted them. Overlaps count once, also
 * across ISPs: a range two ISPs of one country claim (which a DUL preview reports) counts once for
 * that country (and once for each ISP in its row).
 */
export interface DashboardCountry {
  /** ISO country code as the ISP registry holds it, or null for ISPs without one. */
  readonly country: string | null;
  readonly entries: number;
  readonly ipv4Addresses: string;
  readonly ipv6Slash64s: string;
  readonly isps: readonly DashboardIsp[];
}

export interface DashboardView {
  readonly generatedAt: string;
  readonly today: string;
  /** Listing changes not yet in the figures (another writer held the database): they show on a later open. */
  readonly isBehind: boolean;
  readonly lists: readonly DashboardList[];
  readonly series: DashboardSeries;
  readonly publishing: DashboardPublishing;
  readonly investigators: readonly DashboardInvestigator[];
  readonly countries: readonly DashboardCountry[];
}

/** The listings-table route filters the dashboard links to (the workbench's `#/listings/<URLSearchParams>` keys). */
export interface ListingsFilter {
  readonly list?: ListName;
  readonly status?: string;
  readonly investigator?: string;
  readonly isp?: string;
  readonly createdFrom?: string;
  readonly createdTo?: string;
  readonly changedFrom?: string;
  readonly changedTo?: string;
}

/** The URLSearchParams text of a listings filter, keys in a fixed order. */
export function listingsQuery(filter: ListingsFilter): string {
  const params = new URLSearchParams();
  for (const key of ['list', 'status', 'reason', 'investigator', 'isp', 'createdFrom', 'createdTo', 'changedFrom', 'changedTo'] as const) {
    const value = (filter as Record<string, string | undefined>)[key];
    if (value !== undefined) params.set(key, value);
  }
  return params.toString();
}

/** Group digits of a decimal count (`"65536"` -> `"65,536"`), for figures kept as strings. */
export function groupDigits(decimal: string): string {
  return decimal.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
