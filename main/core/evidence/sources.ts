/**
 * Where messages come from: files on this machine (an .eml, or an mbox streamed and split) or
 * bytes a browser sent, read one message at a time, each with its file, number and line, or the
 * problem that refused it before parsing (an unreadable file, a binary format, over the size
 * limit). Spam samples and correspondence both import through here.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Settings } from '../../../shared/settings.js';
import { AppError, invalidInput } from '../errors.js';
import { checkInputFile } from '../io/records.js';
import { splitChunks, splitMessages } from './mbox.js';
import { knownBinaryFormat } from './message.js';
import { formatSize } from './mime-scan.js';

/** A file to import: a path on this machine, or bytes the browser sent. */
export type MessageSource = { readonly kind: 'path'; readonly path: string } | { readonly kind: 'content'; readonly name: string; readonly bytes: Buffer };

/** One message read from a source: its bytes, or the problem that refused it before parsing. */
export interface ReadMessage {
  readonly file: string;
  readonly number: number | null;
  readonly line: number | null;
  readonly size: number;
  readonly bytes: Buffer | null;
  readonly problem: string | null;
}

/**
 * Read every message of the sources in order, calling `each` for each (awaited, so the reader
 * never runs ahead of the consumer). A file that cannot be read at all yields one refused message.
 */
export async function readMessages(sources: readonly MessageSource[], settings: Settings, each: (message: ReadMessage) => void | Promise<void>): Promise<void> {
  const maxBytes = settings.evidence.maxMessageBytes;
  const limitNote = `over the limit of ${formatSize(maxBytes)} per message (setting evidence.maxMessageBytes)`;
  const refuse = (file: string, problem: string, size = 0) => each({ file, number: null, line: null, size, bytes: null, problem });
  for (const source of sources) {
    if (source.kind === 'content') {
      const file = source.name;
      if (source.bytes.length > maxBytes) {
        await refuse(file, `the message is ${formatSize(source.bytes.length)}, ${limitNote}`, source.bytes.length);
        continue;
      }
      // Bytes from the browser may be an mbox too: split them the same way, from memory.
      for await (const message of splitChunks([source.bytes], maxBytes)) {
        await each({ file, number: message.isMbox ? message.number : null, line: message.isMbox ? message.line : null, size: message.bytes.length, bytes: message.bytes, problem: null });
      }
      continue;
    }
    const file = source.path;
    try {
      await checkInputFile(file, settings.import.maxFileBytes);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await refuse(file, error.message.startsWith(file) ? error.message.slice(file.length).replace(/^[:\s]+/, '') : error.message);
      continue;
    }
    const handle = await open(file, 'r');
    const head = Buffer.alloc(8);
    try {
      await handle.read(head, 0, 8, 0);
    } finally {
      await handle.close();
    }
    const format = knownBinaryFormat(head);
    if (format) {
      await refuse(file, `this file is ${format}, not a mail message (.eml or mbox)`);
      continue;
    }
    for await (const message of splitMessages(file, maxBytes)) {
      const number = message.isMbox ? message.number : null;
      const line = message.isMbox ? message.line : null;
      if (message.isOversized) {
        const what = message.isMbox ? `message ${message.number} (line ${message.line})` : 'the message';
        await each({ file, number, line, size: message.size, bytes: null, problem: `${what} is ${formatSize(message.size)}, ${limitNote}` });
        continue;
      }
      await each({ file, number, line, size: message.size, bytes: message.bytes, problem: null });
    }
  }
}

/** Decode files sent as base64 by the browser; a bad encoding is refused by name. */
export function uploadedSources(files: ReadonlyArray<{ name: string; base64: string }>): MessageSource[] {
  return files.map((file) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(file.base64.replace(/\s+/g, ''))) throw invalidInput(`${file.name}: the content is not base64`);
    return { kind: 'content', name: basename(file.name), bytes: Buffer.from(file.base64, 'base64') };
  });
}
