/**
 * The answers of one resolution, numbered: the A record (return code) and TXT each listing
 * answers with, by the rule (rule/answers.ts), registered once per distinct content.
 */
import { LISTS, type ListName, type Reason } from '../../../../shared/domain.js';
import type { Settings } from '../../../../shared/settings.js';
import { answerText, returnCode } from '../../rule/answers.js';
import { REASONS } from '../../rule/listings-in-force.js';
import type { ZoneAnswer } from '../zones/types.js';

/**
 * Every distinct answer of one resolution, numbered: listings that answer alike share one
 * answer, so equal neighbours merge by number and the writers format each answer once.
 */
export class AnswerRegistry {
  readonly answers: ZoneAnswer[] = [];
  /** `answers[i]` alone: the answer sets of the per-list zones. */
  readonly singles: Array<readonly ZoneAnswer[]> = [];
  private readonly byContent = new Map<string, number>();
  /** Most listings have no TXT of their own: their answer depends on list, reason and level only. */
  private readonly byReason = new Map<number, number>();

  constructor(private readonly settings: Settings) {}

  of(a: string, txt: string): number {
    const key = `${a}\u0000${txt}`;
    let id = this.byContent.get(key);
    if (id === undefined) {
      id = this.answers.length;
      const answer: ZoneAnswer = Object.freeze({ a, txt });
      this.answers.push(answer);
      this.singles.push(Object.freeze([answer]));
      this.byContent.set(key, id);
    }
    return id;
  }

  forListing(list: ListName, reason: Reason, level: number | null, txt: string | null): number {
    const answerOf = () => this.of(returnCode(this.settings, list, level), answerText(this.settings, { list, reason, txt }));
    if (txt !== null) return answerOf();
    const key = (LISTS.indexOf(list) * 256 + REASONS.indexOf(reason)) * 256 + (level ?? 0);
    let id = this.byReason.get(key);
    if (id === undefined) this.byReason.set(key, (id = answerOf()));
    return id;
  }
}
