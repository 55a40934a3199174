/**
 * The bounded line reader: every reader of user files (listings, DUL, QIL, delisting requests,
 * nomination CSVs, mail) splits its bytes into lines here, and the line limit is enforced while
 * reading: a line is never held past `maxLineBytes`, so a 100 MB file without a line break
 * costs one chunk of memory and stops at the limit instead of being read whole first.
 */

/** A line longer than the limit. `bytes`: how much of it was seen (all of it in 'skip' mode). */
export interface OverlongLine {
  readonly overlong: true;
  readonly bytes: number;
}

export function isOverlong(block: Buffer | OverlongLine): block is OverlongLine {
  return !Buffer.isBuffer(block);
}

const LF = 0x0a;

/**
 * Blocks of whole lines from a stream of chunks: each block holds one or more lines, each with its
 * LF (the last block of a stream may end without one). A line longer than `maxLineBytes` (its LF
 * not counted) is never gathered: in 'stop' mode the reader yields an OverlongLine as soon as the
 * limit is passed and ends; in 'skip' mode it passes over the rest of that line, yields an
 * OverlongLine with its whole length, and goes on with the next line.
 */
export async function* lineBlocks(chunks: AsyncIterable<Buffer>, maxLineBytes: number, onOverlong: 'stop' | 'skip' = 'stop'): AsyncGenerator<Buffer | OverlongLine> {
  // The unfinished line: its pieces, kept apart until its LF arrives (one concat, not one per chunk).
  let pieces: Buffer[] = [];
  let pending = 0;
  // 'skip' mode, inside an overlong line: its length so far.
  let skipping = -1;
  for await (const chunk of chunks) {
    let start = 0;
    if (skipping >= 0) {
      const end = chunk.indexOf(LF);
      if (end === -1) {
        skipping += chunk.length;
        continue;
      }
      yield { overlong: true, bytes: skipping + end };
      skipping = -1;
      start = end + 1;
    }
    const firstEnd = chunk.indexOf(LF, start);
    if (firstEnd === -1) {
      pending += chunk.length - start;
      if (pending > maxLineBytes) {
        if (onOverlong === 'stop') {
          yield { overlong: true, bytes: pending };
          return;
        }
        skipping = pending;
        pieces = [];
        pending = 0;
        continue;
      }
      if (start < chunk.length) pieces.push(chunk.subarray(start));
      continue;
    }
    let from = start;
    if (pending > 0) {
      if (pending + firstEnd - start > maxLineBytes) {
        yield { overlong: true, bytes: pending + firstEnd - start };
        if (onOverlong === 'stop') return;
      } else {
        yield Buffer.concat([...pieces, chunk.subarray(start, firstEnd + 1)]);
      }
      pieces = [];
      pending = 0;
      from = firstEnd + 1;
    }
    const lastEnd = chunk.lastIndexOf(LF);
    if (lastEnd >= from) {
      const block = chunk.subarray(from, lastEnd + 1);
      // Lines inside one chunk are checked only when the chunk could hold a line over the limit.
      if (block.length > maxLineBytes + 1) {
        for (const part of splitOverlong(block, maxLineBytes)) {
          yield part;
          if (isOverlong(part) && onOverlong === 'stop') return;
        }
      } else if (block.length > 0) {
        yield block;
      }
      from = lastEnd + 1;
    }
    if (from < chunk.length) {
      pending = chunk.length - from;
      if (pending > maxLineBytes) {
        if (onOverlong === 'stop') {
          yield { overlong: true, bytes: pending };
          return;
        }
        skipping = pending;
        pending = 0;
      } else {
        pieces.push(chunk.subarray(from));
      }
    }
  }
  if (skipping >= 0) yield { overlong: true, bytes: skipping };
  else if (pending > 0) yield Buffer.concat(pieces);
}

/** A block of whole lines cut around its lines over the limit. */
function* splitOverlong(block: Buffer, maxLineBytes: number): Generator<Buffer | OverlongLine> {
  let runStart = 0;
  let lineStart = 0;
  while (lineStart < block.length) {
    const end = block.indexOf(LF, lineStart);
    const lineEnd = end === -1 ? block.length : end;
    if (lineEnd - lineStart > maxLineBytes) {
      if (lineStart > runStart) yield block.subarray(runStart, lineStart);
      yield { overlong: true, bytes: lineEnd - lineStart };
      runStart = lineEnd + 1;
    }
    lineStart = lineEnd + 1;
  }
  if (runStart < block.length) yield block.subarray(runStart);
}
