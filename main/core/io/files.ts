/**
 * The one place a file reference of the contract becomes a file to read. An upload is looked up
 * in the store for the caller's session; a local path is taken only from a caller allowed to name
 * local files (the command line and tests). A client over HTTP, or the desktop's page, that sends
 * a path is refused: the server never reads a path a client names.
 */
import { dirname, resolve } from 'node:path';
import { UPLOAD_ID_PATTERN, type FileRef } from '../../../shared/files.js';
import { forbidden } from '../errors.js';
import type { UploadStore } from './uploads.js';

/** What a caller may name as a file (part of the call's context). */
export interface FileAccess {
  /** The caller may name files on this computer by path: the in-process command line and tests; never HTTP or IPC. */
  readonly localFiles?: boolean;
  /** Whose uploads the caller may use: the server's session, the desktop shell. */
  readonly uploadOwner?: string | null;
}

/** A file an import reads. */
export interface InputFile {
  /** Where its bytes are. */
  readonly path: string;
  /** What messages call it: the path given on the command line, or the name the client gave an upload. */
  readonly name: string;
  /**
   * The folder the file was chosen in, where a nomination bundle's named CSV files are: the
   * command line's path, or a file the desktop shell registered. Null for bytes sent over HTTP.
   */
  readonly folder: string | null;
}

export const LOCAL_PATH_REFUSED =
  'names a file on the server by its path, which only the command line may do: send the file with POST /api/upload and pass {"upload": ID}';

/** Resolve a file reference for a caller (see the module comment); `what` names the field in a refusal. */
export function resolveFile(store: UploadStore, ref: FileRef, access: FileAccess, what = 'the file'): InputFile {
  if ('upload' in ref) {
    const upload = store.resolve(ref.upload, access.uploadOwner);
    return { path: upload.path, name: upload.name, folder: upload.local === null ? null : dirname(upload.local) };
  }
  if (access.localFiles !== true) throw forbidden(`${what} ${LOCAL_PATH_REFUSED}`);
  const path = resolve(ref.path);
  return { path, name: ref.path, folder: dirname(path) };
}

/** A folder on this computer (a snapshot to check the history against): the command line only. */
export function resolveLocalFolder(ref: FileRef, access: FileAccess, what: string): string {
  if ('upload' in ref) throw forbidden(`${what} is a folder on this computer: give its path on the command line`);
  if (access.localFiles !== true) throw forbidden(`${what} ${LOCAL_PATH_REFUSED}`);
  return resolve(ref.path);
}

/** Every upload id an operation's input names (consumed once the operation has written). */
export function uploadsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(uploadsIn);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'upload' && typeof record.upload === 'string' && UPLOAD_ID_PATTERN.test(record.upload)) return [record.upload];
  return Object.values(record).flatMap(uploadsIn);
}
