/**
 * The mbox splitter: streams a file of messages (mboxrd or mboxo) and yields each message's bytes
 * without reading the file whole. A message starts at a `From ` postmark line at the start of the
 * file or after an empty line; a `From ` line elsewhere, or one that does not look like a postmark
 * (sender, then a weekday), stays in the body (mboxo files leave such lines unquoted). Quoted lines
 * (`>From `, `>>From `) lose one `>` (mboxrd; mboxo quotes one level, so this is also right there).
 * A file not starting with a postmark is one message (an .eml).
 */
import { createReadStream } from 'node:fs';
import { isOverlong, lineBlocks } from '../io/lines.js';

/** One message of a file: its bytes (postmark line removed, quoting undone), its number and first line. */
export interface SplitMessage {
  readonly bytes: Buffer;
  /** 1-based message number in the file (1 for a single .eml). */
  readonly number: number;
  /** 1-based line where the message (after its postmark) starts. */
  readonly line: number;
  /** Whether the file is an mbox (false: the whole file was one message). */
  readonly isMbox: boolean;
  /** The message ran over `maxBytes`: `bytes` is empty and `size` is what was counted. */
  readonly isOversized: boolean;
  readonly size: number;
}

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM = Buffer.from('From ');
/** `From sender weekday ...`: the sender may be empty (`From  Mon ...`) in some writers. */
const POSTMARK = /^From \S*\s+(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b/;

function startsWithFrom(line: Buffer, offset: number): boolean {
  return line.length - offset >= FROM.length && line.compare(FROM, 0, FROM.length, offset, offset + FROM.length) === 0;
}

/** Whether a line (without its end) is an mbox postmark. */
export function isPostmark(line: Buffer): boolean {
  return startsWithFrom(line, 0) && POSTMARK.test(line.subarray(0, Math.min(line.length, 200)).toString('latin1'));
}

function isBlank(line: Buffer): boolean {
  return line.length === 0 || (line.length === 1 && line[0] === CR);
}

/**
 * Split the file at `path` into messages. Messages over `maxBytes` are reported as oversized
 * (their bytes dropped as they stream past), so one huge message cannot exhaust memory.
 */
export function splitMessages(path: string, maxBytes: number): AsyncGenerator<SplitMessage> {
  return splitChunks(createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>, maxBytes);
}

/** Split a stream of chunks (or bytes already in memory: `[buffer]`) into messages, as `splitMessages`. */
export async function* splitChunks(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, maxBytes: number): AsyncGenerator<SplitMessage> {
  let lineNumber = 0;
  let isMbox: boolean | null = null;
  let parts: Buffer[] = [];
  let size = 0;
  let number = 0;
  let startLine = 1;
  let isPreviousBlank = true;
  let hasStarted = false;

  const finish = (): SplitMessage => {
    const isOversized = size > maxBytes;
    // The empty line before the next postmark belongs to the mbox format, not to the message.
    let bytes = isOversized ? Buffer.alloc(0) : Buffer.concat(parts, size);
    if (isMbox && !isOversized) {
      if (bytes.length >= 2 && bytes[bytes.length - 1] === LF && bytes[bytes.length - 2] === LF) bytes = bytes.subarray(0, bytes.length - 1);
      else if (bytes.length >= 4 && bytes.subarray(bytes.length - 4).toString('latin1') === '\r\n\r\n') bytes = bytes.subarray(0, bytes.length - 2);
    }
    const message = { bytes, number, line: startLine, isMbox: isMbox === true, isOversized, size };
    parts = [];
    size = 0;
    return message;
  };

  const take = (line: Buffer): void => {
    if (size + line.length <= maxBytes) parts.push(line);
    else parts = [];
    size += line.length;
  };

  /** A line longer than a whole message (never gathered by the line reader): its message is oversized. */
  const skipOverlong = (bytes: number): void => {
    lineNumber += 1;
    if (isMbox === null) {
      isMbox = false;
      number = 1;
      hasStarted = true;
    }
    isPreviousBlank = false;
    parts = [];
    size += bytes + 1;
  };

  /** Handle one line including its LF (the last line of a file may have none); returns a finished message or null. */
  const handle = (line: Buffer): SplitMessage | null => {
    lineNumber += 1;
    const content = line[line.length - 1] === LF ? line.subarray(0, line.length - 1) : line;
    if (isMbox === null) {
      isMbox = isPostmark(content);
      if (isMbox) {
        number = 1;
        startLine = lineNumber + 1;
        hasStarted = true;
        isPreviousBlank = false;
        return null;
      }
      number = 1;
      hasStarted = true;
    }
    if (isMbox) {
      if (isPreviousBlank && content[0] === 0x46 && isPostmark(content)) {
        const message = finish();
        number += 1;
        startLine = lineNumber + 1;
        isPreviousBlank = false;
        return message;
      }
      isPreviousBlank = isBlank(content);
      if (content[0] === GT) {
        let offset = 0;
        while (offset < content.length && content[offset] === GT) offset += 1;
        if (startsWithFrom(content, offset)) {
          take(line.subarray(1));
          return null;
        }
      }
    }
    take(line);
    return null;
  };

  // Lines come from the bounded line reader: a line longer than a message is passed over, never held.
  for await (const block of lineBlocks(toAsync(chunks), maxBytes, 'skip')) {
    if (isOverlong(block)) {
      skipOverlong(block.bytes);
      continue;
    }
    let start = 0;
    while (start < block.length) {
      const end = block.indexOf(LF, start);
      const stop = end === -1 ? block.length : end + 1;
      const message = handle(block.subarray(start, stop));
      if (message) yield message;
      start = stop;
    }
  }
  if (hasStarted) yield finish();
}

async function* toAsync(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield chunk;
}
