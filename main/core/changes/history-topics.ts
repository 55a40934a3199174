/**
 * What a history event says was changed, as change-notice topics: how a write by another process
 * (known only by the events it appended) becomes the same notice the server gives for its own.
 * Actions are `<kind>.<what>`; the kind decides. An action of a kind not listed here (a newer
 * RepDesk's) touches everything, so no open view misses it; a unit test holds every action the
 * core appends to this list.
 */
import { CHANGE_TOPICS, type ChangeTopic } from '../../../shared/changes.js';

/** The topics of each kind of action (the part of the action before its first dot). */
export const TOPICS_OF_ACTION_KIND: { readonly [kind: string]: readonly ChangeTopic[] } = {
  listing: ['listings'],
  listings: ['listings'],
  qil: ['listings'],
  dul: ['listings', 'dul-submissions'],
  samples: ['samples', 'listings'],
  thread: ['threads'],
  nomination: ['nominations', 'listings'],
  delisting: ['delisting-requests', 'listings'],
  // Roles changed, a second factor reset, an enrolment: sessions end with them.
  investigator: ['investigators', 'sessions'],
  auth: ['sessions', 'investigators'],
  session: ['sessions'],
  view: ['saved-views'],
  'publisher-key': ['keys'],
  snapshot: ['snapshots', 'approvals'],
  publish: ['approvals'],
  settings: ['settings'],
  isp: ['isps'],
  // A job found interrupted at a start: nothing of it was kept.
  job: [],
  // Someone took a backup of the database: nothing a view shows changed.
  backup: [],
  database: CHANGE_TOPICS,
};

/** The kind of an action (`listing.created` -> `listing`). */
export function actionKind(action: string): string {
  const dot = action.indexOf('.');
  return dot < 0 ? action : action.slice(0, dot);
}

/** The topics a set of history actions touched, in CHANGE_TOPICS order. */
export function topicsOfActions(actions: Iterable<string>): ChangeTopic[] {
  const touched = new Set<ChangeTopic>();
  for (const action of actions) {
    for (const topic of TOPICS_OF_ACTION_KIND[actionKind(action)] ?? CHANGE_TOPICS) touched.add(topic);
  }
  return CHANGE_TOPICS.filter((topic) => touched.has(topic));
}
