/**
 * Domain vocabulary shared by the core, the transports and the UI: the lists, reason
 * categories, statuses and roles, with the identifiers the CLI and the API use.
 */

export const LISTS = ['RBL', 'DUL', 'QIL', 'MML', 'GAL'] as const;
/** A list the service publishes. GAL is the allow-list; the others are blocklists or tags. */
export type ListName = (typeof LISTS)[number];

export const LIST_DESCRIPTIONS: Record<ListName, string> = {
  RBL: 'Known spam sources: spam senders and supporters, open relays, open proxies',
  DUL: 'Dynamically assigned ranges that should not send mail directly',
  QIL: 'Dynamic reputation: fast-moving sources, expiring automatically, per aggressiveness level 1-4',
  MML: 'Legitimate senders known for heavy marketing mail',
  GAL: 'Global Approved List: authenticated good senders',
};

export const REASONS = ['spam-source', 'spam-support', 'open-relay', 'open-proxy', 'dynamic', 'botnet', 'marketing', 'approved'] as const;
/** The reputation assignment of a listing, as the service manual names them. */
export type Reason = (typeof REASONS)[number];

export const REASON_LABELS: Record<Reason, string> = {
  'spam-source': 'Spam source',
  'spam-support': 'Spam support',
  'open-relay': 'Open relay',
  'open-proxy': 'Open proxy',
  dynamic: 'Dynamic / DUL',
  botnet: 'Botnet',
  marketing: 'Marketing',
  approved: 'Approved sender',
};

export const STATUSES = ['active', 'suppressed', 'delisted', 'expired'] as const;
/** The status stored on a listing: active; suppressed (until a date); delisted; expired. The clock can overtake it: see `Standing`. */
export type ListingStatus = (typeof STATUSES)[number];

/**
 * What the one rule (main/core/rule/) makes of a listing now, from its stored status and the
 * clock: `active` (in force: published), `pending` (a DUL range whose submission takes effect
 * later), `suppressed` (removed until a date still ahead), `expired` (past its expiry or
 * valid-until, whatever the stored status says), `delisted`. The listings table's status column
 * and filter, and the dashboard's "active", are standings.
 */
export const STANDINGS = ['active', 'suppressed', 'delisted', 'expired', 'pending'] as const;
export type Standing = (typeof STANDINGS)[number];

export const ROLES = ['investigator', 'liaison', 'reviewer', 'publisher', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const QIL_LEVELS = [1, 2, 3, 4] as const;

/** Whether a value is one of a fixed list of identifiers (narrows the type). */
export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

/** The reasons a listing on each list may carry (the manual's reputation assignments per list). */
export const REASONS_BY_LIST: Record<ListName, readonly Reason[]> = {
  RBL: ['spam-source', 'spam-support', 'open-relay', 'open-proxy', 'botnet'],
  DUL: ['dynamic'],
  QIL: ['botnet', 'spam-source'],
  MML: ['marketing'],
  GAL: ['approved'],
};

/** The role a person needs to create or change listings on each list. */
export const ROLE_FOR_LIST: Record<ListName, Role> = {
  RBL: 'investigator',
  DUL: 'liaison',
  QIL: 'investigator',
  MML: 'investigator',
  GAL: 'reviewer',
};
