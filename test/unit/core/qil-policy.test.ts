import { describe, test } from 'node:test';
import { QIL_LEVELS } from '../../../shared/domain.js';
import assert from 'node:assert/strict';
import { defaultSettings, settingsSchema } from '../../../shared/settings.js';
import { applyHit, decayedScore, isListedAt, lastExpiry, listingAt, senderRating, threshold, type GoodRatingReason, type SourceState } from '../../../main/core/qil/policy.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const policy = defaultSettings().qil;

/** Replays hits at the given hour offsets (count 1 unless given) with a fixed rating. */
function replay(hits: ReadonlyArray<number | readonly [hours: number, count: number]>, rating: GoodRatingReason = null): SourceState {
  let state: SourceState | null = null;
  for (const hit of hits) {
    const [hours, count] = typeof hit === 'number' ? [hit, 1] : hit;
    state = applyHit(state, { at: T0 + hours * HOUR, count }, rating, policy);
  }
  assert.ok(state);
  return state;
}

function listedLevels(state: SourceState, time: number): number[] {
  return QIL_LEVELS.filter((level) => isListedAt(state, level, time));
}

describe('QIL scoring policy', () => {
  test('a single hit lists at level 4 only, for the level-4 listing time', () => {
    const state = replay([0]);
    assert.deepEqual(listedLevels(state, T0), [4]);
    assert.deepEqual(listingAt(state, T0), { level: 4, expiresAt: T0 + policy.listHours[3] * HOUR });
    assert.deepEqual(listedLevels(state, T0 + policy.listHours[3] * HOUR - 1), [4]);
    assert.deepEqual(listedLevels(state, T0 + policy.listHours[3] * HOUR), []);
  });

  test('a small volume reaches level 3 but not 2', () => {
    const state = replay([0, 0.05, 0.1, 0.15]);
    assert.deepEqual(listedLevels(state, T0 + 0.15 * HOUR), [3, 4]);
    assert.equal(listingAt(state, T0 + 0.15 * HOUR)?.level, 3);
  });

  test('sustained volume reaches level 1, whose listing is the shortest', () => {
    const hours = Array.from({ length: 12 }, (_, index) => index * 0.25);
    const state = replay(hours);
    const last = T0 + 11 * 0.25 * HOUR;
    assert.deepEqual(listedLevels(state, last), [1, 2, 3, 4]);
    assert.equal(listingAt(state, last)?.level, 1);
    // Shorter at less aggressive levels: as time passes L rises 1 -> 2 -> 3 -> 4, then nothing.
    const expiries = [...state.expiries];
    assert.ok(expiries[0] < expiries[1] && expiries[1] < expiries[2] && expiries[2] <= expiries[3], JSON.stringify(expiries));
    assert.equal(listingAt(state, expiries[0])?.level, 2);
    assert.equal(listingAt(state, expiries[1])?.level, 3);
    assert.equal(listingAt(state, expiries[3]), null);
  });

  test('new spam extends the expiry, up to the cap after the latest hit', () => {
    const once = replay([0]);
    const twice = replay([0, 1]);
    assert.equal(twice.expiries[3], once.expiries[3] + policy.listHours[3] * HOUR, 'the second hit adds level 4 listing time');
    const many = replay(Array.from({ length: 40 }, (_, index) => index * 0.5));
    const lastHit = T0 + 39 * 0.5 * HOUR;
    QIL_LEVELS.forEach((level, index) => assert.equal(many.expiries[index], lastHit + policy.maxHours[index] * HOUR, `level ${level} is capped`));
    assert.ok(lastExpiry(many) <= lastHit + Math.max(...policy.maxHours) * HOUR);
  });

  test('a large count in one line extends as far as the cap and no further', () => {
    const state = replay([[0, 1000]]);
    QIL_LEVELS.forEach((_level, index) => assert.equal(state.expiries[index], T0 + policy.maxHours[index] * HOUR));
  });

  test('quiet lets the score decay and the listing lapse', () => {
    const state = replay(Array.from({ length: 12 }, (_, index) => index * 0.25));
    const lastHit = state.lastHit;
    assert.ok(Math.abs(decayedScore(state, lastHit + policy.halfLifeHours * HOUR, policy) - state.score / 2) < 1e-9);
    assert.equal(listingAt(state, lastExpiry(state)), null);
    // After the quiet spell one hit lists at level 4 only again: the old score has decayed away.
    const later = applyHit(state, { at: lastHit + 30 * DAY - 1, count: 1 }, null, policy);
    assert.deepEqual(listedLevels(later, later.lastHit), [4]);
  });

  test('a good rating raises the tolerance at levels 1-3, not at level 4', () => {
    const volume = Array.from({ length: 12 }, (_, index) => index * 0.25);
    const last = T0 + 11 * 0.25 * HOUR;
    assert.deepEqual(listedLevels(replay(volume, null), last), [1, 2, 3, 4]);
    assert.deepEqual(listedLevels(replay(volume, 'GAL'), last), [4]);
    assert.deepEqual(listedLevels(replay([...volume, ...volume.map((hours) => hours + 3)], 'GAL'), last + 3 * HOUR), [3, 4]);
    assert.deepEqual(listedLevels(replay([0], 'MML'), T0), [4]);
    assert.equal(threshold(3, 'clean-history', policy), policy.thresholds[2] * policy.goodRatingFactor);
    assert.equal(threshold(4, 'clean-history', policy), policy.thresholds[3]);
  });

  test('a clean history is a previous hit at least cleanHistoryDays old; membership wins', () => {
    const state = replay([0]);
    assert.equal(senderRating(null, T0, null, policy), null);
    assert.equal(senderRating(state, T0 + (policy.cleanHistoryDays * DAY) - 1, null, policy), null);
    assert.equal(senderRating(state, T0 + policy.cleanHistoryDays * DAY, null, policy), 'clean-history');
    assert.equal(senderRating(state, T0 + 1, 'GAL', policy), 'GAL');
  });

  test('settings refuse a policy where a more aggressive level tolerates more', () => {
    const settings = defaultSettings();
    assert.equal(settingsSchema.safeParse({ qil: { ...settings.qil, thresholds: [10, 10, 3, 5] } }).success, false);
    assert.equal(settingsSchema.safeParse({ qil: { ...settings.qil, listHours: [5, 3, 12, 24] } }).success, false);
    assert.equal(settingsSchema.safeParse({ qil: { ...settings.qil, maxHours: [12, 2, 168, 168] } }).success, false);
    assert.equal(settingsSchema.safeParse({ qil: settings.qil }).success, true);
  });
});
