/**
 * One source's QIL score over time (for the record view's chart), its level L, and when each
 * level's listing expires: replayed from the stored observations with the current policy.
 */
import { QIL_LEVELS } from '../../../shared/domain.js';
import { formatAddress, parseAddress, writeAddressKey } from '../../../shared/address.js';
import type { QilScoreView } from '../../../shared/qil.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { findListing } from '../listings/listings.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { invalidInput } from '../errors.js';
import { applyHit, decayedScore, senderRating, threshold, type SourceState } from './policy.js';
import { SOURCE_HITS_SQL, currentListing, readSourceState } from './ingest.js';

/** Points the chart gets at most: the latest ones. */
export const MAX_SCORE_POINTS = 500;

/** The score history and listing state of the source `ip` at `now`. */
export function qilScore(db: ReadDb, index: ListingIndex, ip: string, settings: Settings, now: Date): QilScoreView {
  const parsed = parseAddress(ip);
  if (!parsed.ok) throw invalidInput(parsed.error);
  const { family, value } = parsed.value;
  const key = Buffer.alloc(16);
  writeAddressKey(family, value, key, 0);
  const policy = settings.qil;
  const nowMs = now.getTime();
  const memberLists = index
    .find(family, value)
    .map((id) => findListing(db, id))
    .filter((row) => row !== undefined && row.status === 'active' && (row.list === 'GAL' || row.list === 'MML'))
    .map((row) => row?.list);
  const membership = memberLists.includes('GAL') ? 'GAL' : memberLists.includes('MML') ? 'MML' : null;
  const points: Array<{ at: string; score: number }> = [];
  let state: SourceState | null = null;
  let hits = 0;
  for (const row of db.iterate<{ at: number; count: number }>({ text: SOURCE_HITS_SQL, values: [key] })) {
    state = applyHit(state, row, senderRating(state, row.at, membership, policy), policy);
    hits += row.count;
    points.push({ at: new Date(row.at).toISOString(), score: round(state.score) });
  }
  const stored = readSourceState(db, family, value);
  const current = stored?.state ?? state;
  if (current !== null) points.push({ at: now.toISOString(), score: round(decayedScore(current, nowMs, policy)) });
  const listing = current ? currentListing(current, nowMs) : { level: null, expiresAt: null, lapsesAt: null };
  const rating = senderRating(current, nowMs, membership, policy);
  return {
    ip: formatAddress(family, value),
    hits,
    score: current ? round(decayedScore(current, nowMs, policy)) : 0,
    rating,
    level: listing.level,
    expiresAt: listing.expiresAt,
    lapsesAt: listing.lapsesAt,
    levels: QIL_LEVELS.map((level) => {
      const expiry = current?.expiries[level - 1] ?? 0;
      return {
        level,
        listed: expiry > nowMs,
        expiresAt: expiry > 0 ? new Date(expiry).toISOString() : null,
        listingId: stored?.listingIds[level - 1] ?? null,
      };
    }),
    points: points.slice(-MAX_SCORE_POINTS),
    thresholds: QIL_LEVELS.map((level) => threshold(level, rating, policy)),
    halfLifeHours: policy.halfLifeHours,
  };
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
