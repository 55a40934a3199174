/**
 * The desktop shell's side of the page: the one object its preload exposes as `window.repdesk`
 * (the contract's client plus subscriptions), the intents the shell sends (go to a section,
 * import files the user chose or dropped) and the channels they travel on, and where the page
 * goes for an intent. No run-time dependency, so the renderer subscribes with the same types
 * the shell sends.
 */
import type { ApiClient, ApiResult, JobView } from './contract.js';
import type { UploadReceipt } from './files.js';

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

/**
 * The one object the preload exposes to the page as `window.repdesk`: the contract's client,
 * plus subscriptions to job progress and to the shell's intents. Each returns its unsubscribe.
 */
export type DesktopBridge = ApiClient & {
  onJobProgress(listener: (job: JobView) => void): () => void;
  onIntent(listener: (intent: Intent) => void): () => void;
  /** A file the person chose in a form (or dropped on one): the shell registers it as an upload and answers its receipt. */
  uploadFile(file: unknown): Promise<ApiResult<UploadReceipt>>;
};

/** The names of the bridge's functions that are not contract operations. */
export const BRIDGE_EXTRA_FUNCTIONS = ['onJobProgress', 'onIntent', 'uploadFile'] as const;

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
