/**
 * The bounded line reader: whatever the chunking, blocks hold exactly the file's lines, and a line
 * over the limit is never gathered: 'stop' ends at it, 'skip' passes over it and reports its length.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOverlong, lineBlocks, type OverlongLine } from '../../../main/core/io/lines.js';
import { mulberry32, randomInt } from '../support/random.js';

async function* chunked(data: Buffer, sizes: () => number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < data.length; ) {
    const size = Math.max(1, sizes());
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

/** What a reader of the blocks sees: each line (without its LF), or `{ overlong: length }`. */
async function read(data: Buffer, max: number, mode: 'stop' | 'skip', sizes: () => number): Promise<Array<string | OverlongLine>> {
  const seen: Array<string | OverlongLine> = [];
  for await (const block of lineBlocks(chunked(data, sizes), max, mode)) {
    if (isOverlong(block)) {
      seen.push(block);
      continue;
    }
    assert.ok(block.length > 0, 'no empty block');
    const lines = block.toString('latin1').split('\n');
    if (block[block.length - 1] === 0x0a) lines.pop();
    seen.push(...lines);
  }
  return seen;
}

test('any chunking gives the same lines; lines over the limit are skipped with their length, or stop the read', async () => {
  const random = mulberry32(15);
  for (let round = 0; round < 300; round += 1) {
    const max = randomInt(random, 1, 40);
    const lines = Array.from({ length: randomInt(random, 0, 30) }, () => 'x'.repeat(random() < 0.2 ? randomInt(random, max + 1, max * 4) : randomInt(random, 0, max)));
    const endsWithNewline = random() < 0.5;
    const text = lines.join('\n') + (endsWithNewline && lines.length > 0 ? '\n' : '');
    const data = Buffer.from(text, 'latin1');
    const sizes = () => (random() < 0.3 ? randomInt(random, 1, 4) : randomInt(random, 1, max * 6));
    // The file's lines as a reader sees them ('' for an empty file, and no line after a final LF).
    const fileLines = text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
    const skipped = fileLines.map((line) => (line.length > max ? { overlong: true as const, bytes: line.length } : line));
    assert.deepEqual(await read(data, max, 'skip', sizes), skipped, JSON.stringify({ round, max, text }));
    const first = skipped.findIndex((line) => typeof line !== 'string');
    const stopped = await read(data, max, 'stop', sizes);
    if (first === -1) {
      assert.deepEqual(stopped, skipped);
    } else {
      assert.deepEqual(stopped.slice(0, first), skipped.slice(0, first));
      assert.equal(stopped.length, first + 1, 'nothing after the overlong line');
      const marker = stopped[first] as OverlongLine;
      assert.equal(marker.overlong, true);
      assert.ok(marker.bytes > max && marker.bytes <= (skipped[first] as OverlongLine).bytes, JSON.stringify({ marker, max }));
    }
  }
});

test('a 64 MiB line stops at the limit after about one chunk past it, holding no more', async () => {
  let produced = 0;
  async function* endless(): AsyncGenerator<Buffer> {
    const chunk = Buffer.alloc(1 << 20, 0x41);
    for (let index = 0; index < 64; index += 1) {
      produced += chunk.length;
      yield chunk;
    }
  }
  const seen: Array<Buffer | OverlongLine> = [];
  for await (const block of lineBlocks(endless(), 1 << 20, 'stop')) seen.push(block);
  assert.equal(seen.length, 1);
  assert.ok(isOverlong(seen[0]));
  assert.ok(produced <= 2 << 20, `read ${produced} bytes of a line over 1 MiB`);
});
