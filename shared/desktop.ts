/**
 * The desktop shell's side of the page: the one object its preload exposes as `window.repdesk`
 * (the contract's client plus subscriptions), the intents the shell sends (go to a section,
 * import files the user chose or dropped) and the channels they travel on, and where the page
 * goes for an intent. No run-time dependency, so the renderer subscribes with the same types
 * the shell sends.
 */
import type { ApiClient } from './contract.js';
import type { ApiResult } from './result.js';
import type { JobView } from './jobs.js';
import type { Role } from './domain.js';
import type { UploadReceipt } from './files.js';
import type { BackupFigures, ChangeEvent, ServerCertificateView } from './remote.js';

/** The UI sections the shell can send the user to (the renderer's hash routes `#/<section>`). */
export const INTENT_SECTIONS = ['lookup', 'listings', 'dul', 'nominations', 'delisting', 'publish', 'settings'] as const;
export type IntentSection = (typeof INTENT_SECTIONS)[number];

/** The kinds of file import, each owned by one section. */
export const IMPORT_TARGETS = ['samples', 'dul', 'nominations', 'listings'] as const;
export type ImportTarget = (typeof IMPORT_TARGETS)[number];

export type Intent =
  | { readonly kind: 'navigate'; readonly section: IntentSection }
  /** Files the person chose in a native dialog or dropped on the window, each registered as an upload by the shell (the page never sees a path). */
  | { readonly kind: 'import'; readonly target: ImportTarget; readonly section: IntentSection; readonly files: readonly UploadReceipt[] };

/** A team server as the app stands with it: first looked at after the start, signed in, not signed in, or not reachable (tried again). */
export type ConnectionStatus = 'connecting' | 'signed-in' | 'signed-out' | 'unreachable';

/**
 * How the desktop app works now: not chosen yet (its first start, or the choice kept is
 * unusable), on this computer (embedded), or as a client of a team server (signed in there, not
 * signed in, or the server cannot be reached and is tried again).
 */
export type ConnectionState =
  | { readonly kind: 'choosing'; readonly problem: string | null }
  | { readonly kind: 'embedded'; readonly database: string }
  | {
      readonly kind: 'team';
      /** The server's origin, `https://host[:port]`. */
      readonly server: string;
      readonly status: ConnectionStatus;
      /** Who is signed in (signed-in), or who was last (to offer their name). */
      readonly person: string | null;
      readonly roles: readonly Role[];
      /** What went wrong: why the server cannot be reached, or why the session ended. */
      readonly problem: string | null;
      /** When the unreachable server is tried next (ISO time), null otherwise. */
      readonly retryAt: string | null;
      /** Why the session is not kept across restarts (no protected storage here), null when it is. */
      readonly keepingProblem: string | null;
      /** The certificate trusted for a self-signed server (its SHA-256 fingerprint), null with a certificate the system trusts. */
      readonly pinnedFingerprint: string | null;
    };

/** The person's choice: this computer, or a team server (with the fingerprint of a certificate they were shown and trust). */
export type ConnectionRequest = { readonly mode: 'embedded' } | { readonly mode: 'team'; readonly server: string; readonly trustFingerprint?: string };

/** What a choice did: the new state, or why not (with the certificate to show when it is one the person may trust). */
export type ConnectionAnswer =
  | { readonly ok: true; readonly state: ConnectionState }
  | { readonly ok: false; readonly problem: string; readonly certificate: ServerCertificateView | null };

/**
 * The one object the preload exposes to the page as `window.repdesk`: the contract's client,
 * plus subscriptions to job progress, the shell's intents, change notices and the connection,
 * and the connection's own calls. Each subscription returns its unsubscribe.
 */
export type DesktopBridge = ApiClient & {
  onJobProgress(listener: (job: JobView) => void): () => void;
  onIntent(listener: (intent: Intent) => void): () => void;
  /** A file the person chose in a form (or dropped on one): the shell registers it as an upload and answers its receipt. */
  uploadFile(file: unknown): Promise<ApiResult<UploadReceipt>>;
  /** Change notices: another person's writes on the team server, or this app's own on this computer. */
  onChange(listener: (change: ChangeEvent) => void): () => void;
  connectionState(): Promise<ConnectionState>;
  chooseConnection(request: ConnectionRequest): Promise<ConnectionAnswer>;
  /** Try an unreachable server again now. */
  retryConnection(): Promise<ConnectionState>;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /**
   * Team mode's publish: sign the snapshot the server prepared (`publish.prepare`, relayed by the
   * main process) with the key kept in this app, after the person confirmed it in a native
   * dialog, and send the signature (`publish.commit`); answers what the commit answered.
   */
  signPreparedSnapshot(serial: number): Promise<ApiResult<unknown>>;
  /** The id of the signing key kept in this app (as minisign prints it), or null when none is. */
  signingKeyId(): Promise<string | null>;
  /**
   * A backup of the database (on a team server: an admin's, made there and downloaded; on this
   * computer: this app's database), saved where the person chooses in a native dialog, with its
   * history checkpoints and their key beside it. Answers what was saved, or why not (declined:
   * `cancelled`).
   */
  saveBackup(): Promise<ApiResult<SavedBackup>>;
};

/** A backup the desktop app saved: where, and its figures (size, schema, last history event, SHA-256, checkpoints beside it). */
export interface SavedBackup extends BackupFigures {
  readonly path: string;
}

/** The names of the bridge's functions that are not contract operations. */
export const BRIDGE_EXTRA_FUNCTIONS = ['onJobProgress', 'onIntent', 'uploadFile', 'onChange', 'connectionState', 'chooseConnection', 'retryConnection', 'onConnection', 'signPreparedSnapshot', 'signingKeyId', 'saveBackup'] as const;

/** The preload's command-line argument that carries the contract's operation names. */
export const OPERATIONS_ARGUMENT = '--repdesk-operations=';

/** The channel on which the main process sends intents to the page. */
export const INTENT_CHANNEL = 'repdesk:intent';
/** The channel on which the main process sends job progress to the page. */
export const JOB_PROGRESS_CHANNEL = 'repdesk:job-progress';
/** The channel on which the page reports the paths of files dropped on it. */
export const DROPPED_FILES_CHANNEL = 'repdesk:dropped-files';
/** The channel on which the preload asks the main process to register a file chosen in a form. */
export const UPLOAD_FILE_CHANNEL = 'repdesk:upload-file';
/** The channel on which the main process sends change notices to the page. */
export const CHANGE_CHANNEL = 'repdesk:change';
/** The channel on which the main process sends the connection's state when it changes. */
export const CONNECTION_CHANNEL = 'repdesk:connection';
/** The channels on which the page asks for the connection's state, makes a choice, and retries. */
export const CONNECTION_STATE_CHANNEL = 'repdesk:connection-state';
export const CONNECTION_CHOOSE_CHANNEL = 'repdesk:connection-choose';
export const CONNECTION_RETRY_CHANNEL = 'repdesk:connection-retry';
/** The channel on which the page asks the main process to sign a prepared snapshot (team mode). */
export const SIGN_PREPARED_CHANNEL = 'repdesk:sign-prepared';
/** The channel on which the page asks for the id of the signing key kept in the app. */
export const SIGNING_KEY_CHANNEL = 'repdesk:signing-key';
/** The page asks for a backup of the database (`saveBackup`); the shell asks where to save it. */
export const SAVE_BACKUP_CHANNEL = 'repdesk:save-backup';

/** Routes showing one record, whose Samples tab takes spam samples dropped on it. */
const RECORD_ROUTES = ['#/record/'];

/**
 * The hash route the page shows for an intent: `#/<section>`, except that a page already on
 * that section keeps its route, so a file dropped on one ISP's page (`#/dul/<isp>`) stays there,
 * where that ISP's import form takes it; likewise samples dropped on a record stay on it.
 */
export function intentHash(intent: Intent, currentHash: string): string {
  if (intent.kind === 'import' && intent.target === 'samples' && RECORD_ROUTES.some((route) => currentHash.startsWith(route))) return currentHash;
  const sectionHash = `#/${intent.section}`;
  return currentHash === sectionHash || currentHash.startsWith(`${sectionHash}/`) ? currentHash : sectionHash;
}
