/**
 * A growable byte buffer that zone writers fill record by record and hand to a sink in large
 * chunks. Writing bytes in place instead of concatenating strings is what makes a
 * million-name zone file cheap: no string per record, nothing for the garbage collector.
 */

/** Receives the bytes written so far; the view is reused after the call returns (copy to keep). */
export type ByteSink = (bytes: Buffer) => void;

/** Chunk size for files: large writes, few system calls. */
export const FILE_CHUNK_BYTES = 1 << 20;
const DIGITS = 48;

export class ByteOutput {
  buffer: Buffer;
  length = 0;

  /** `chunkBytes`: hand the bytes to `sink` at the first record end at or past this many. */
  constructor(
    private readonly sink: ByteSink,
    private readonly chunkBytes = FILE_CHUNK_BYTES,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkBytes + (64 << 10));
  }

  /** Make room for `bytes` more bytes. */
  reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** Text of any kind, as UTF-8. */
  text(value: string): void {
    this.reserve(value.length * 3);
    this.length += this.buffer.write(value, this.length, 'utf8');
  }

  bytes(value: Uint8Array, start = 0, end = value.length): void {
    const count = end - start;
    this.reserve(count);
    const buffer = this.buffer;
    let at = this.length;
    // Most pieces are a few bytes: a loop beats the call into a native copy.
    if (count < 64) {
      for (let index = start; index < end; index += 1) buffer[at++] = value[index];
    } else {
      buffer.set(value.subarray(start, end), at);
      at += count;
    }
    this.length = at;
  }

  /** All of `value` (a piece made once and written many times): one native copy, no view made per call. */
  whole(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** A decimal number 0..2^32-1 (an octet, a prefix length). */
  decimal(value: number): void {
    this.reserve(10);
    const buffer = this.buffer;
    if (value < 10) {
      buffer[this.length++] = DIGITS + value;
    } else if (value < 100) {
      buffer[this.length++] = DIGITS + ((value / 10) | 0);
      buffer[this.length++] = DIGITS + (value % 10);
    } else if (value < 1000) {
      buffer[this.length++] = DIGITS + ((value / 100) | 0);
      buffer[this.length++] = DIGITS + (((value / 10) | 0) % 10);
      buffer[this.length++] = DIGITS + (value % 10);
    } else {
      this.length += buffer.write(String(value), this.length, 'latin1');
    }
  }

  /** Call at the end of a record: hands a full chunk to the sink, never a part of a record. */
  endRecord(): void {
    if (this.length >= this.chunkBytes) this.flush();
  }

  flush(): void {
    if (this.length === 0) return;
    this.sink(this.buffer.subarray(0, this.length));
    this.length = 0;
  }
}
