/** A listing as its row in the database holds it (listings/listings.ts reads it, listings/changes.ts writes it): with the rule, which reads rows of it, below every folder that uses it. */
import type { Family } from '../../../shared/address.js';
import type { ListName, ListingStatus, Reason } from '../../../shared/domain.js';

/** A row of the listings table. */
export interface ListingRow {
  id: number;
  list: ListName;
  family: Family;
  /** hex() of the 16-byte keys: cheaper to read than a Buffer per cell. */
  first: string;
  last: string;
  prefix: number | null;
  reason: Reason;
  investigator_id: number;
  status: ListingStatus;
  suppressed_until: string | null;
  txt: string | null;
  level: number | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  /** The DUL submission it came from, or null. */
  submission_id: number | null;
}
