/**
 * Files in the contract. Every operation that reads a file takes a file reference: an upload
 * (`{ upload: ID }`, a file the client sent first with `POST /api/upload`, or that the desktop
 * shell registered for a file the person chose or dropped), or a local path (`{ path: FILE }`),
 * which only a caller allowed to name local files may give (the command line; never a client
 * over HTTP or the desktop's page). One module of the core resolves them.
 */
import { z } from './zod.js';

/** An upload id: 32 characters of base64url (24 random bytes), not guessable. */
export const UPLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export type FileRef = { readonly upload: string } | { readonly path: string };

const FILE_REF_MESSAGE = 'a file is {"upload": ID} (a file sent with POST /api/upload) or, on the command line, {"path": FILE}';

/** A file reference in an operation's input. */
export const fileRefSchema = z.union(
  [
    z.object({ upload: z.string().regex(UPLOAD_ID_PATTERN, 'an upload id is 32 letters, digits, - or _') }).strict(),
    z.object({ path: z.string().min(1).max(4096) }).strict(),
  ],
  { error: FILE_REF_MESSAGE },
);

/** What the server answers to an upload (and the desktop shell to a chosen or dropped file). */
export interface UploadReceipt {
  /** The id to pass as `{ upload: id }`. */
  readonly upload: string;
  /** The file's name as the client gave it (a plain name, no folders). */
  readonly name: string;
  readonly size: number;
  /** SHA-256 of the bytes received, hex. */
  readonly sha256: string;
  /** After this the upload is deleted unless an import consumed it first. */
  readonly expiresAt: string;
}

/** The HTTP path of uploads, and the request header that carries the file's name (URI-encoded). */
export const UPLOAD_PATH = '/api/upload';
export const UPLOAD_NAME_HEADER = 'x-file-name';

/**
 * A plain file name, as a nomination bundle names its CSVs: no folder, no `..`, nothing that
 * could reach outside the bundle's own folder. Returns the problem, or null when it is plain.
 */
export function plainFileNameProblem(name: string): string | null {
  if (name.trim() === '') return 'the file name is empty';
  if (name.length > 255) return 'the file name is over 255 characters';
  if (/[/\\]/.test(name)) return 'a file name, not a path: no / or \\';
  if (name === '.' || name === '..' || name.startsWith('..')) return 'a file name may not start with ..';
  if (/^[A-Za-z]:/.test(name)) return 'a file name, not a drive path';
  // Control characters (NUL, newlines) never belong in a file name.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the file name has control characters';
  return null;
}

/** Longest text of a file an error quotes: the offending cell, cut here with an ellipsis. */
export const MAX_QUOTED_CHARACTERS = 80;

/**
 * A cell of an input file as an error message quotes it: in double quotes, and never more than
 * MAX_QUOTED_CHARACTERS of it, so an error about a file cannot carry the file back to the caller.
 */
export function quoteCell(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED_CHARACTERS ? `${text.slice(0, MAX_QUOTED_CHARACTERS - 1)}…` : text);
}

/** A size in bytes as messages about files give it (`256.0 MiB`, `700 bytes`). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
