/**
 * Where messages come from: files (an .eml, or an mbox streamed and split; a command-line path or
 * an upload, see io/files.ts), read one message at a time, each with its file, number and line,
 * or the problem that refused it before parsing (an unreadable file, a binary format, over the
 * size limit). Spam samples and correspondence both import through here.
 */
import { open } from 'node:fs/promises';
import type { Settings } from '../../../shared/settings.js';
import { AppError } from '../errors.js';
import type { InputFile } from '../io/files.js';
import { checkInputFile } from '../io/records.js';
import { splitMessages } from './mbox.js';
import { knownBinaryFormat } from './message.js';
import { formatSize } from './mime-scan.js';

/** A file to import (its messages are named by `name`: a command-line path, or an upload's name). */
export type MessageSource = InputFile;

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
    const file = source.name;
    try {
      await checkInputFile(source, settings.import.maxFileBytes);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await refuse(file, error.message.startsWith(file) ? error.message.slice(file.length).replace(/^[:\s]+/, '') : error.message);
      continue;
    }
    const handle = await open(source.path, 'r');
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
    for await (const message of splitMessages(source.path, maxBytes)) {
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
