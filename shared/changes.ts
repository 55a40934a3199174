/**
 * What a write changed, as a notice for whoever shows the data: open views refresh the parts a
 * notice names (the team server pushes notices to its clients). Every operation of the contract
 * declares the topics its writes touch; a read touches none (a unit test holds the two lists to
 * the contract's `access`).
 */
import type { OperationName } from './contract.js';

/** The kinds of records a write may change, as views group them. */
export const CHANGE_TOPICS = [
  'listings',
  'investigators',
  'sessions',
  'settings',
  'snapshots',
  'approvals',
  'isps',
  'dul-submissions',
  'samples',
  'threads',
  'nominations',
  'delisting-requests',
  'saved-views',
  'keys',
] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

/** One committed write: the operation, who made it, when it ended, and what it touched. */
export interface ChangeNotice {
  readonly operation: OperationName;
  readonly actor: string | null;
  readonly at: string;
  readonly topics: readonly ChangeTopic[];
}

/** Where a team server streams change notices (Server-Sent Events: `event: change` with the notice as JSON `data`, a `: ping` comment every 20 s). */
export const CHANGE_EVENTS_PATH = '/api/events';
/** The event name of a change notice on that stream. */
export const CHANGE_EVENT = 'change';

/** A change notice as a client receives it (from the stream, or relayed by the desktop's shell): its topics, and whatever else it says. */
export interface ChangeSignal {
  readonly topics: readonly string[];
  readonly [field: string]: unknown;
}

/** The change notice in an event's data, or null when the data is not one. */
export function parseChangeSignal(data: string): ChangeSignal | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const topics = (value as { topics?: unknown }).topics;
  return Array.isArray(topics) && topics.every((topic) => typeof topic === 'string') ? (value as ChangeSignal) : null;
}

/** The topics each operation's write touches ([] for reads; a background job's operation names its own). */
export const TOPICS_OF: { readonly [Name in OperationName]: readonly ChangeTopic[] } = {
  'session.whoami': [],
  'auth.signIn': ['sessions'],
  'auth.signOut': ['sessions'],
  'auth.enrolStart': ['investigators'],
  'auth.enrol': ['investigators', 'sessions'],
  'team.invite': ['investigators'],
  'team.people': [],
  'team.sessions': [],
  'team.endSession': ['sessions'],
  'team.resetSecondFactor': ['investigators', 'sessions'],
  'keys.register': ['keys'],
  'keys.list': [],
  'keys.revoke': ['keys'],
  lookup: [],
  'lookup.bulk': [],
  'listings.check': [],
  'listings.add': ['listings'],
  'listings.get': [],
  'listings.history': [],
  'listings.delist': ['listings'],
  'listings.importFile': ['listings'],
  'listings.importPreview': [],
  'investigators.list': [],
  'investigators.add': ['investigators'],
  'investigators.update': ['investigators'],
  'audit.verify': [],
  'publish.preview': [],
  'publish.run': ['snapshots', 'approvals'],
  'publish.prepare': ['snapshots', 'approvals'],
  'publish.commit': ['snapshots', 'approvals'],
  'publish.abandon': ['snapshots', 'approvals'],
  'snapshots.list': [],
  'snapshots.changes': [],
  'publish.approvals': [],
  'publish.approve': ['approvals'],
  'jobs.start': [],
  'jobs.get': [],
  'jobs.cancel': [],
  'jobs.list': [],
  'qil.ingest': ['listings'],
  'qil.score': [],
  'isps.list': [],
  'isps.get': [],
  'isps.ranges': [],
  'isps.add': ['isps'],
  'isps.update': ['isps'],
  'dul.preview': [],
  'dul.previewItems': [],
  'dul.commit': ['listings', 'dul-submissions'],
  'dul.revert': ['listings', 'dul-submissions'],
  'dul.submission': [],
  'listings.query': [],
  'listings.record': [],
  'listings.related': [],
  'listings.edit': ['listings'],
  'listings.bulk': ['listings'],
  'listings.export': [],
  'views.list': [],
  'views.save': ['saved-views'],
  'views.delete': ['saved-views'],
  'search.text': [],
  'samples.import': ['samples'],
  'samples.list': [],
  'samples.get': [],
  'samples.raw': [],
  'samples.link': ['samples'],
  'samples.createListing': ['listings', 'samples'],
  'samples.stats': [],
  'threads.list': [],
  'threads.get': [],
  'threads.create': ['threads'],
  'threads.import': ['threads'],
  'threads.note': ['threads'],
  'threads.draft': [],
  'threads.reply': ['threads'],
  'threads.export': [],
  'threads.send': ['threads'],
  'threads.resolve': ['threads'],
  'nominations.add': ['nominations'],
  'nominations.import': ['nominations'],
  'nominations.templates': [],
  'nominations.list': [],
  'nominations.get': [],
  'nominations.open': ['nominations'],
  'nominations.draft': [],
  'nominations.decide': ['nominations', 'listings'],
  'delisting.add': ['delisting-requests'],
  'delisting.import': ['delisting-requests'],
  'delisting.list': [],
  'delisting.get': [],
  'delisting.draft': [],
  'delisting.decide': ['delisting-requests', 'listings'],
  'queues.summary': [],
  'dashboard.get': [],
  'settings.get': [],
  'settings.update': ['settings'],
};
