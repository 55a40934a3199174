/** Every migration, in order. A new one is a new file added at the end; none is ever edited. */
import { migration as initial } from './0001-initial.js';
import { migration as snapshots } from './0002-snapshots.js';
import { migration as qil } from './0003-qil.js';
import { migration as dul } from './0004-dul.js';
import { migration as evidence } from './0005-evidence.js';
import { migration as workbench } from './0006-workbench.js';
import { migration as queues } from './0007-queues.js';
import { migration as dashboard } from './0008-dashboard.js';
import { migration as approvalScope } from './0009-approval-scope.js';
import { migration as historyOrigin } from './0010-history-origin.js';
import { migration as people } from './0011-people.js';
import { migration as sampleNotes } from './0012-sample-notes.js';
import { migration as queueThreads } from './0013-queue-threads.js';
import { migration as snapshotState } from './0014-snapshot-state.js';
import { migration as publisherKeys } from './0015-publisher-keys.js';
import { migration as dashboardRule } from './0016-dashboard-rule.js';
import { migration as listingSpan } from './0017-listing-span.js';
import { migration as jobs } from './0018-jobs.js';
import { migration as listingImports } from './0019-listing-imports.js';
import { migration as messagesIndexedAtEnd } from './0020-messages-indexed-at-end.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * The migration rebuilds a table other tables refer to (SQLite's way to change a CHECK or a
   * column's type): it runs with foreign keys off, and the references are checked before it commits.
   */
  readonly rebuildsTables?: boolean;
}

export const MIGRATIONS: readonly Migration[] = [initial, snapshots, qil, dul, evidence, workbench, queues, dashboard, approvalScope, historyOrigin, people, sampleNotes, queueThreads, snapshotState, publisherKeys, dashboardRule, listingSpan, jobs, listingImports, messagesIndexedAtEnd];

MIGRATIONS.forEach((migration, index) => {
  if (migration.version !== index + 1) throw new Error(`migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
});
