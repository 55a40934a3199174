/**
 * The changes a reputation record offers, by the listing's state: no "Relist" on an active
 * listing, no "Delist" on a delisted one, "Suppress until" only while it is in force, a reason
 * change only where the list has more than one reason. The core refuses the rest anyway; the
 * menu does not offer what can only fail.
 */
import { REASONS_BY_LIST, type ListName, type ListingStatus } from './domain.js';

export const RECORD_ACTIONS = ['delist', 'suppress', 'relist', 'reassign', 'reason', 'txt', 'change-list'] as const;
export type RecordAction = (typeof RECORD_ACTIONS)[number];

export function recordActionsFor(listing: { readonly list: ListName; readonly status: ListingStatus }): RecordAction[] {
  const isDelisted = listing.status === 'delisted';
  const fits: Record<RecordAction, boolean> = {
    delist: !isDelisted,
    suppress: listing.status === 'active' || listing.status === 'suppressed',
    relist: listing.status !== 'active',
    reassign: !isDelisted,
    reason: !isDelisted && REASONS_BY_LIST[listing.list].length > 1,
    txt: !isDelisted,
    'change-list': !isDelisted,
  };
  return RECORD_ACTIONS.filter((action) => fits[action]);
}
