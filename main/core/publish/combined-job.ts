/**
 * The combined zone's job for its worker thread (combined-worker.ts): the blocklists' segments
 * as typed arrays that move to the worker, instead of a million objects copied one by one.
 */
import type { ManifestFile } from '../../../shared/publishing.js';
import type { Interval } from './segments.js';
import type { ZoneAnswer, ZoneParameters } from './types.js';

/**
 * One list's segments as typed arrays, moved to the worker instead of copied object by object:
 * bounds as the low and high 64 bits (high only for IPv6), the answer as an index into `answers`.
 */
export interface PackedSegments {
  readonly lows: BigUint64Array;
  readonly highs: BigUint64Array | null;
  readonly answerIndexes: Uint32Array;
}

/** What the worker is given: the blocklists' segments and the zone parameters, per family. */
export interface CombinedZoneJob {
  readonly folder: string;
  /** Every distinct answer of the blocklists, once: one object per answer in the worker too. */
  readonly answers: readonly ZoneAnswer[];
  readonly families: ReadonlyArray<{ readonly parameters: ZoneParameters; readonly blocklists: readonly PackedSegments[] }>;
}

export type CombinedZoneResult = { ok: true; files: ManifestFile[] } | { ok: false; message: string; isZoneWriteError: boolean };

/** The job for `families` (each with the blocklists' segments) and the buffers to transfer with it. */
export function packCombinedZoneJob(
  folder: string,
  families: ReadonlyArray<{ readonly parameters: ZoneParameters; readonly blocklists: ReadonlyArray<ReadonlyArray<Interval<ZoneAnswer>>> }>,
): { job: CombinedZoneJob; transfer: ArrayBuffer[] } {
  const answers: ZoneAnswer[] = [];
  const answerIndex = new Map<ZoneAnswer, number>();
  const transfer: ArrayBuffer[] = [];
  const packed = families.map(({ parameters, blocklists }) => ({
    parameters,
    blocklists: blocklists.map((segments): PackedSegments => {
      const count = segments.length;
      const lows = new BigUint64Array(2 * count);
      const highs = parameters.family === 6 ? new BigUint64Array(2 * count) : null;
      const answerIndexes = new Uint32Array(count);
      for (let index = 0; index < count; index += 1) {
        const { first, last, value } = segments[index];
        // Storing a bigint keeps its low 64 bits.
        lows[2 * index] = first;
        lows[2 * index + 1] = last;
        if (highs !== null) {
          highs[2 * index] = first >> 64n;
          highs[2 * index + 1] = last >> 64n;
        }
        let answer = answerIndex.get(value);
        if (answer === undefined) {
          answer = answers.length;
          answers.push(value);
          answerIndex.set(value, answer);
        }
        answerIndexes[index] = answer;
      }
      transfer.push(lows.buffer as ArrayBuffer, answerIndexes.buffer as ArrayBuffer);
      if (highs !== null) transfer.push(highs.buffer as ArrayBuffer);
      return { lows, highs, answerIndexes };
    }),
  }));
  return { job: { folder, answers, families: packed }, transfer };
}

/** The segments `packCombinedZoneJob` packed, with the answer objects of the job. */
export function unpackSegments(packed: PackedSegments, answers: readonly ZoneAnswer[]): Array<Interval<ZoneAnswer>> {
  const { lows, highs, answerIndexes } = packed;
  const segments = new Array<Interval<ZoneAnswer>>(answerIndexes.length);
  for (let index = 0; index < answerIndexes.length; index += 1) {
    const value = answers[answerIndexes[index]];
    if (highs === null) {
      segments[index] = { first: lows[2 * index], last: lows[2 * index + 1], value };
    } else {
      segments[index] = { first: (highs[2 * index] << 64n) | lows[2 * index], last: (highs[2 * index + 1] << 64n) | lows[2 * index + 1], value };
    }
  }
  return segments;
}

