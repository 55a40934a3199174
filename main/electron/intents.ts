/**
 * What the shell asks the UI to do: go to a section, or start an import with files the user
 * chose in a native dialog or dropped on the window. The shell never imports by itself: it
 * registers each file as an upload (the page gets receipts, never paths), and the screen that
 * owns the import shows its preview and runs it through the contract.
 */
import { extname } from 'node:path';
import { INTENT_SECTIONS, type ImportTarget, type Intent, type IntentSection } from '../../shared/desktop.js';
import type { UploadReceipt } from '../../shared/files.js';

interface ImportKind {
  readonly section: IntentSection;
  readonly title: string;
  readonly extensions: readonly string[];
}

const IMPORT_KINDS: Record<ImportTarget, ImportKind> = {
  samples: { section: 'listings', title: 'Spam samples', extensions: ['eml', 'mbox'] },
  dul: { section: 'dul', title: 'DUL submission', extensions: ['csv', 'txt'] },
  nominations: { section: 'nominations', title: 'Nomination bundle', extensions: ['json', 'csv'] },
  listings: { section: 'listings', title: 'Listings', extensions: ['txt', 'csv'] },
};

/** The intent to import these files (registered as uploads). */
export function importIntent(target: ImportTarget, files: readonly UploadReceipt[]): Intent {
  return { kind: 'import', target, section: IMPORT_KINDS[target].section, files };
}

/** Files to import into one target, by their local paths (before the shell registers them). */
export interface ImportRequest {
  readonly target: ImportTarget;
  readonly paths: readonly string[];
}

/**
 * The intents for import requests: each file registered as an upload by `register` (the main
 * process's upload store). A file that cannot be registered (unreadable, gone) is named with why.
 */
export async function intentsForImports(requests: readonly ImportRequest[], register: (path: string) => Promise<UploadReceipt>): Promise<{ intents: Intent[]; refused: string[] }> {
  const intents: Intent[] = [];
  const refused: string[] = [];
  for (const request of requests) {
    const files: UploadReceipt[] = [];
    for (const path of request.paths) {
      try {
        files.push(await register(path));
      } catch (error) {
        // The store's message names the file.
        refused.push(error instanceof Error ? error.message : `${path}: ${String(error)}`);
      }
    }
    if (files.length > 0) intents.push(importIntent(request.target, files));
  }
  return { intents, refused };
}

/** The native open dialog's options for an import: its title, file filters and multi-selection. */
export function importDialogOptions(target: ImportTarget): { title: string; filters: { name: string; extensions: string[] }[]; properties: ('openFile' | 'multiSelections')[] } {
  const kind = IMPORT_KINDS[target];
  return {
    title: `Import ${kind.title.toLowerCase()}`,
    filters: [{ name: kind.title, extensions: [...kind.extensions] }],
    properties: target === 'samples' ? ['openFile', 'multiSelections'] : ['openFile'],
  };
}

/** The section a page URL shows (`file:///.../index.html#/dul` is 'dul'). */
export function sectionOfUrl(url: string): IntentSection {
  const match = /#\/([a-z]+)/.exec(url);
  const section = match?.[1];
  return INTENT_SECTIONS.find((candidate) => candidate === section) ?? 'lookup';
}

/**
 * Where a dropped file goes. Messages (.eml, .mbox) are spam samples and a .json file is a
 * nomination bundle wherever they are dropped; a table (.csv, .txt) goes to the import of the
 * section it was dropped on, and to the listings import elsewhere.
 */
export function importTargetOfDroppedFile(path: string, section: IntentSection): ImportTarget | null {
  const extension = extname(path).slice(1).toLowerCase();
  if (extension === 'eml' || extension === 'mbox') return 'samples';
  if (extension === 'json') return 'nominations';
  if (extension === 'csv' || extension === 'txt') {
    if (section === 'dul') return 'dul';
    if (section === 'nominations') return 'nominations';
    return 'listings';
  }
  return null;
}

/** The imports for files dropped on a section, one per target, and the files no import takes. */
export function importsForDroppedFiles(paths: readonly string[], section: IntentSection): { imports: ImportRequest[]; refused: string[] } {
  const byTarget = new Map<ImportTarget, string[]>();
  const refused: string[] = [];
  for (const path of paths) {
    const target = importTargetOfDroppedFile(path, section);
    if (target === null) {
      refused.push(path);
      continue;
    }
    byTarget.set(target, [...(byTarget.get(target) ?? []), path]);
  }
  return { imports: [...byTarget].map(([target, targetPaths]) => ({ target, paths: targetPaths })), refused };
}

/** Whether a value from the page is a list of file paths (the dropped-files message is untrusted input). */
export function isPathList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.length <= 1000 && value.every((path) => typeof path === 'string' && path.length > 0 && path.length <= 4096);
}
