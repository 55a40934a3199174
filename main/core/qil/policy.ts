/**
 * The QIL scoring policy, as pure functions of a source's trap hits and the Settings.
 *
 * Per source: a spam score that decays by half every `halfLifeHours` and grows by each hit's
 * count, and a sender rating (good with an in-force GAL or MML entry, or a long clean history).
 * For each aggressiveness level k (1..4), a hit that leaves the score at or over the level's
 * threshold lists the source at k: its expiry there moves to max(expiry, hit) + listHours[k] x
 * count, never beyond the hit + maxHours[k]. Thresholds fall from level 1 to 4 (level 4 lists on
 * one hit) and are multiplied by `goodRatingFactor` at levels 1-3 for good senders; listing
 * times grow from level 1 to 4. Quiet lets every expiry pass. L, the level a customer's slider
 * must reach to block the source, is the least level whose expiry is still ahead.
 */
import { QIL_LEVELS } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';

/** A QIL level; index 0 of every per-level tuple is level 1. */
export type Level = (typeof QIL_LEVELS)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The policy's parameters, taken from Settings (`qil`). */
export type QilPolicy = Pick<Settings['qil'], 'halfLifeHours' | 'thresholds' | 'goodRatingFactor' | 'cleanHistoryDays' | 'listHours' | 'maxHours'>;

/** Why a sender is rated good, or null when it is not. */
export type GoodRatingReason = 'GAL' | 'MML' | 'clean-history' | null;

/** A source's scoring state after its latest hit. Times are Unix milliseconds; 0 = never listed there. */
export interface SourceState {
  readonly score: number;
  readonly scoreAt: number;
  readonly firstSeen: number;
  readonly lastHit: number;
  readonly hits: number;
  readonly expiries: readonly [number, number, number, number];
}

/** One trap hit (or `count` hits reported on one log line). */
export interface Hit {
  readonly at: number;
  readonly count: number;
}

/** The score at `time`, decayed from the state's last hit (never grows without hits). */
export function decayedScore(state: Pick<SourceState, 'score' | 'scoreAt'>, time: number, policy: Pick<QilPolicy, 'halfLifeHours'>): number {
  const elapsed = Math.max(0, time - state.scoreAt);
  return state.score * 2 ** (-elapsed / (policy.halfLifeHours * HOUR_MS));
}

/**
 * The sender's rating before a hit at `time`: an in-force GAL or MML entry (the caller knows),
 * else a clean history: the source was seen before and its previous hit is at least
 * `cleanHistoryDays` old.
 */
export function senderRating(state: SourceState | null, time: number, membership: 'GAL' | 'MML' | null, policy: Pick<QilPolicy, 'cleanHistoryDays'>): GoodRatingReason {
  if (membership !== null) return membership;
  if (state !== null && time - state.lastHit >= policy.cleanHistoryDays * DAY_MS) return 'clean-history';
  return null;
}

/** The score at which a source is listed at `level`, given its rating. */
export function threshold(level: Level, rating: GoodRatingReason, policy: Pick<QilPolicy, 'thresholds' | 'goodRatingFactor'>): number {
  const base = policy.thresholds[level - 1];
  return rating !== null && level < 4 ? base * policy.goodRatingFactor : base;
}

/** The state after one hit. Hits must come in time order (the ingest replays a source's hits when an older one arrives). */
export function applyHit(state: SourceState | null, hit: Hit, rating: GoodRatingReason, policy: QilPolicy): SourceState {
  const score = (state === null ? 0 : decayedScore(state, hit.at, policy)) + hit.count;
  const previous = state?.expiries ?? [0, 0, 0, 0];
  const expiries = previous.map((expiry, index) => {
    const level = QIL_LEVELS[index];
    if (score < threshold(level, rating, policy)) return expiry;
    const extended = Math.max(expiry, hit.at) + policy.listHours[index] * HOUR_MS * hit.count;
    return Math.max(expiry, Math.min(extended, hit.at + policy.maxHours[index] * HOUR_MS));
  }) as unknown as SourceState['expiries'];
  return {
    score,
    scoreAt: Math.max(hit.at, state?.scoreAt ?? hit.at),
    firstSeen: Math.min(hit.at, state?.firstSeen ?? hit.at),
    lastHit: Math.max(hit.at, state?.lastHit ?? hit.at),
    hits: (state?.hits ?? 0) + hit.count,
    expiries,
  };
}

/** Whether the source is listed at `level` at `time`. */
export function isListedAt(state: SourceState, level: Level, time: number): boolean {
  return state.expiries[level - 1] > time;
}

/** L at `time`: the least level at which the source is listed, with that level's expiry; null when it has lapsed everywhere. */
export function listingAt(state: SourceState, time: number): { level: Level; expiresAt: number } | null {
  for (const level of QIL_LEVELS) if (isListedAt(state, level, time)) return { level, expiresAt: state.expiries[level - 1] };
  return null;
}

/** When the source stops being listed at every level (its level-4 expiry or later); 0 when never listed. */
export function lastExpiry(state: SourceState): number {
  return Math.max(...state.expiries);
}
