/**
 * The one reader of user-supplied text files (imports of listings, DUL submissions, trap logs,
 * request bundles). It refuses what is not a text file before reading it whole: a missing or
 * unreadable path, an empty or oversized file, binary content, a spreadsheet saved as-is,
 * text that is not UTF-8. CSV goes through csv-parse (quotes, embedded newlines, BOM, CRLF);
 * plain text (one entry per line) through a fast line splitter. Line numbers are the file's.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { extname } from 'node:path';
import { parse, type Options as CsvOptions } from 'csv-parse';
import { invalidInput } from '../errors.js';

export interface InputRecord {
  /** 1-based line number where the record starts. */
  readonly line: number;
  readonly fields: readonly string[];
}

export type InputFormat = 'text' | 'csv';

export interface ReadOptions {
  readonly maxBytes: number;
  /** Force a format; by default `.csv` files and files whose first entry has a comma are CSV. */
  readonly format?: InputFormat;
}

const SIGNATURES: ReadonlyArray<{ bytes: number[]; what: string }> = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an .xlsx/.ods spreadsheet?); save it as CSV first' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'a legacy Office document (.xls?); save it as CSV first' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive; decompress it first' },
];

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/** Check that `path` is a readable, non-empty file within the size limit; return its size. */
export async function checkInputFile(path: string, maxBytes: number): Promise<number> {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw invalidInput(`${path}: no such file`);
    if (code === 'EACCES') throw invalidInput(`${path}: permission denied`);
    throw invalidInput(`${path}: cannot read (${code ?? String(error)})`);
  }
  if (stat.isDirectory()) throw invalidInput(`${path} is a folder, not a file`);
  if (!stat.isFile()) throw invalidInput(`${path} is not a regular file`);
  try {
    await fs.access(path, fs.constants.R_OK);
  } catch {
    throw invalidInput(`${path}: permission denied`);
  }
  if (stat.size === 0) throw invalidInput(`${path} is empty: nothing to import`);
  if (stat.size > maxBytes) {
    throw invalidInput(`${path} is ${formatBytes(stat.size)}, over the import limit of ${formatBytes(maxBytes)} (setting import.maxFileBytes)`);
  }
  return stat.size;
}

async function* decodedChunks(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let offset = 0;
  let isFirst = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (isFirst) {
      isFirst = false;
      const signature = SIGNATURES.find(({ bytes }) => bytes.every((byte, index) => chunk[index] === byte));
      if (signature) throw invalidInput(`${path} is ${signature.what}, not a text file`);
    }
    const nul = chunk.indexOf(0);
    if (nul !== -1) throw invalidInput(`${path} is a binary file (NUL byte at offset ${offset + nul}), not text`);
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch {
      throw invalidInput(`${path} is not UTF-8 text (invalid byte sequence near offset ${offset}); save it as UTF-8`);
    }
    offset += chunk.length;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw invalidInput(`${path} is not UTF-8 text (it ends inside a multi-byte character)`);
  }
}

async function* textRecords(path: string): AsyncGenerator<InputRecord> {
  let carry = '';
  let line = 0;
  for await (const text of decodedChunks(path)) {
    const parts = (carry + text).split('\n');
    carry = parts.pop() ?? '';
    for (const part of parts) {
      line += 1;
      const entry = part.endsWith('\r') ? part.slice(0, -1).trim() : part.trim();
      if (entry === '' || entry.startsWith('#')) continue;
      yield { line, fields: [entry] };
    }
  }
  line += 1;
  const entry = carry.trim();
  if (entry !== '' && !entry.startsWith('#')) yield { line, fields: [entry] };
}

const MAX_RECORD_CHARACTERS = 1 << 20;

/**
 * CSV: lines without a double quote are split on commas here (csv-parse costs ~4 µs a record,
 * most of a million-line import); the first quote hands that line and the rest of the file to
 * csv-parse, which knows quoted fields and newlines inside them. Both give the same records.
 */
async function* csvRecords(path: string): AsyncGenerator<InputRecord> {
  const chunks = decodedChunks(path)[Symbol.asyncIterator]();
  let carry = '';
  let line = 0;
  let isFirst = true;
  try {
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
      let data = carry + next.value;
      if (isFirst) {
        isFirst = false;
        if (data.startsWith('\ufeff')) data = data.slice(1);
      }
      const quote = data.indexOf('"');
      const end = quote === -1 ? data.lastIndexOf('\n') + 1 : data.lastIndexOf('\n', quote) + 1;
      for (const text of data.slice(0, end).split('\n').slice(0, -1)) {
        line += 1;
        const record = splitPlainLine(text, line, path);
        if (record) yield record;
      }
      carry = data.slice(end);
      if (quote !== -1) {
        yield* quotedCsvRecords(path, carry, chunks, line);
        return;
      }
    }
    if (carry !== '') {
      line += 1;
      const record = splitPlainLine(carry, line, path);
      if (record) yield record;
    }
  } finally {
    await chunks.return?.(undefined);
  }
}

function splitPlainLine(text: string, line: number, path: string): InputRecord | null {
  if (text.length > MAX_RECORD_CHARACTERS) throw invalidInput(`${path}: not valid CSV: line ${line} is over ${MAX_RECORD_CHARACTERS} characters`);
  const trimmed = text.endsWith('\r') ? text.slice(0, -1).trim() : text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  return { line, fields: trimmed.split(',').map((field) => field.trim()) };
}

/** csv-parse over `first` and the rest of the chunks; line numbers continue after `lineOffset`. */
async function* quotedCsvRecords(path: string, first: string, chunks: AsyncIterator<string>, lineOffset: number): AsyncGenerator<InputRecord> {
  const csvOptions: CsvOptions = {
    relax_column_count: true,
    skip_empty_lines: true,
    // A `#` line is a comment even when it holds a quote or a comma; a `#` later in a record is data.
    comment: '#',
    comment_no_infix: true,
    trim: true,
    max_record_size: MAX_RECORD_CHARACTERS,
    // csv-parse's types cannot express an on_record that changes the record's shape.
    on_record: ((record: string[], context: { lines: number }) => ({
      line: lineOffset + context.lines - countNewlines(record),
      fields: record,
    })) as unknown as CsvOptions['on_record'],
  };
  const parser = parse(csvOptions);
  // Resolves when the parser can take more, or is gone (a parse error destroys it: waiting for
  // 'drain' alone would then never end, and the import would hang).
  const writable = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        parser.off('drain', done);
        parser.off('close', done);
        resolve();
      };
      parser.on('drain', done);
      parser.on('close', done);
    });
  const feeding = (async () => {
    try {
      // csv-parse counts the CR and the LF of a CRLF inside a quoted field as two lines, which
      // shifts every later line number: feed it LF only (a CR at a chunk's end waits for the next).
      let carry = '';
      let text: string | null = first;
      while (text !== null) {
        const joined = carry + text;
        carry = joined.endsWith('\r') ? '\r' : '';
        const normalised = (carry ? joined.slice(0, -1) : joined).replace(/\r\n/g, '\n');
        if (parser.destroyed) return;
        if (!parser.write(normalised) && !parser.destroyed) await writable();
        const next = await chunks.next();
        text = next.done ? null : next.value;
      }
      if (parser.destroyed) return;
      if (carry) parser.write(carry);
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  try {
    for await (const record of parser as AsyncIterable<InputRecord>) {
      if (record.fields.length === 1 && record.fields[0] === '') continue;
      if (record.fields[0]?.startsWith('#')) continue;
      yield record;
    }
  } catch (error) {
    if (error instanceof Error && error.name === 'AppError') throw error;
    // csv-parse counts lines from where it took over: name the file's own line numbers.
    const message = (error instanceof Error ? error.message : String(error)).replace(/\bline (\d+)/g, (_, number: string) => `line ${Number(number) + lineOffset}`);
    throw invalidInput(`${path}: not valid CSV: ${message}`);
  } finally {
    // Also when the reader stops early: the feeder must not wait for a parser nobody reads.
    parser.destroy();
    await feeding;
  }
}

function countNewlines(record: readonly string[]): number {
  let count = 0;
  for (const field of record) for (const character of field) if (character === '\n' || character === '\r') count += 1;
  return count;
}

async function detectFormat(path: string): Promise<InputFormat> {
  if (extname(path).toLowerCase() === '.csv') return 'csv';
  const handle = await fs.open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const firstEntry = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !line.startsWith('#'));
    return firstEntry !== undefined && (firstEntry.includes(',') || firstEntry.startsWith('"')) ? 'csv' : 'text';
  } finally {
    await handle.close();
  }
}

/** Check the file, then yield its records (blank and `#` comment lines skipped). */
export async function* readRecords(path: string, options: ReadOptions): AsyncGenerator<InputRecord> {
  await checkInputFile(path, options.maxBytes);
  const format = options.format ?? (await detectFormat(path));
  yield* format === 'csv' ? csvRecords(path) : textRecords(path);
}
