/**
 * The page's side of the desktop shell's intents: go to the section an intent names, and keep
 * the files of an import intent (uploads the shell registered: receipts, never paths) until the
 * screen that owns that import takes them. In browser mode there is no shell and nothing here
 * does anything.
 */
import { useSyncExternalStore } from 'react';
import { intentHash, type DesktopBridge, type ImportTarget } from '../../shared/desktop.js';
import type { UploadReceipt } from '../../shared/files.js';

const waitingFiles = new Map<ImportTarget, readonly UploadReceipt[]>();
const listeners = new Set<() => void>();

function changed(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Follow the shell's intents for the life of the page; returns the unsubscribe (nothing to undo without a shell). */
export function followShellIntents(bridge: DesktopBridge | undefined): () => void {
  if (!bridge) return () => undefined;
  return bridge.onIntent((intent) => {
    if (intent.kind === 'import') {
      waitingFiles.set(intent.target, intent.files);
      changed();
    }
    const hash = intentHash(intent, window.location.hash);
    if (hash !== window.location.hash) window.location.hash = hash;
  });
}

/** The files (uploads the shell registered) handed to an import that no screen has taken yet; null when there are none. */
export function useWaitingFiles(target: ImportTarget): readonly UploadReceipt[] | null {
  return useSyncExternalStore(subscribe, () => waitingFiles.get(target) ?? null);
}

/** The screen owning an import has put its files in its form. */
export function takeWaitingFiles(target: ImportTarget): void {
  if (waitingFiles.delete(target)) changed();
}
