/**
 * The database on this computer, as the desktop's main process opens it: the threaded core
 * (writes go to a writer thread with a bounded wait, reads never wait for it, so the window never
 * freezes on the database), the person's chosen files as uploads in a private folder, and the
 * change notices of every write, this app's and other processes' on the same file (a `repdesk`
 * command, a cron job: changes/other-writers.ts), so that open views refresh as they do with a
 * team server's.
 */
import type { ChangeEvent } from '../../shared/remote.js';
import type { UploadStore } from '../core/io/uploads.js';
import type { MinisignKeyPair } from '../core/snapshot/index.js';
import { openThreadedCore, type ThreadedCore } from '../core/writer/threaded-core.js';
import type { EmbeddedSide } from './connection.js';
import { embeddedDispatch } from './ipc.js';

/** The owner of the desktop's uploads (paths the person chose, never the page's). */
const DESKTOP_UPLOAD_OWNER = 'desktop';

export interface EmbeddedOptions {
  readonly databasePath: string;
  /** The person at this computer: every call is theirs. */
  readonly actor: string;
  /** Closed with the database. */
  readonly uploads: UploadStore;
  readonly signingKey?: () => MinisignKeyPair;
  readonly snapshotFolder?: string;
  /** Each committed write's notice. */
  readonly onChange: (change: ChangeEvent) => void;
}

export async function openEmbeddedSide(options: EmbeddedOptions): Promise<EmbeddedSide> {
  let core: ThreadedCore;
  try {
    core = await openThreadedCore({
      databasePath: options.databasePath,
      signingKey: options.signingKey,
      snapshotFolder: options.snapshotFolder,
      uploadFolder: options.uploads.folder ?? undefined,
      onChange: (notice) => options.onChange({ ...notice }),
    });
  } catch (error) {
    options.uploads.close();
    throw error;
  }
  return {
    database: options.databasePath,
    dispatch: embeddedDispatch(core, () => ({ actor: options.actor, client: 'desktop', uploadOwner: DESKTOP_UPLOAD_OWNER })),
    registerFile: (path) => options.uploads.register(path, { owner: DESKTOP_UPLOAD_OWNER }),
    listJobs: () => core.jobs.list(),
    close: () => {
      core.close();
      options.uploads.close();
    },
  };
}
