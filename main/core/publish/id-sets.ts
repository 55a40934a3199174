/**
 * Compact storage of listing-id sets per list (what a snapshot published, what a diff added or
 * removed): sorted ids as LEB128 deltas, deflated. A million ids take a few hundred KB.
 */
import { deflateSync, inflateSync } from 'node:zlib';

export type IdSets = Record<string, number[]>;

/** Encode named sets of positive integer ids. */
export function encodeIdSets(sets: IdSets): Buffer {
  const names = Object.keys(sets).sort();
  const header = Buffer.from(JSON.stringify(names.map((name) => [name, sets[name].length])));
  // A safe integer takes at most 8 LEB128 bytes.
  const bytes = Buffer.allocUnsafe(4 + header.length + 8 * names.reduce((total, name) => total + sets[name].length, 0));
  bytes.writeUInt32BE(header.length, 0);
  header.copy(bytes, 4);
  let length = 4 + header.length;
  for (const name of names) {
    // Sets usually come sorted (a snapshot's ids): sort a copy only when they are not.
    let ids = sets[name];
    for (let index = 1; index < ids.length; index += 1) {
      if (ids[index] < ids[index - 1]) {
        ids = [...ids].sort((a, b) => a - b);
        break;
      }
    }
    let previous = 0;
    for (const id of ids) {
      let delta = id - previous;
      previous = id;
      while (delta >= 0x80) {
        bytes[length++] = (delta % 0x80) | 0x80;
        delta = Math.floor(delta / 0x80);
      }
      bytes[length++] = delta;
    }
  }
  return deflateSync(bytes.subarray(0, length));
}

/** Decode what `encodeIdSets` made. */
export function decodeIdSets(encoded: Buffer): IdSets {
  const raw = inflateSync(encoded);
  const headerLength = raw.readUInt32BE(0);
  const names = JSON.parse(raw.subarray(4, 4 + headerLength).toString('utf8')) as Array<[string, number]>;
  let offset = 4 + headerLength;
  const sets: IdSets = {};
  for (const [name, count] of names) {
    const ids = new Array<number>(count);
    let previous = 0;
    for (let index = 0; index < count; index += 1) {
      let delta = 0;
      let scale = 1;
      for (;;) {
        const byte = raw[offset];
        offset += 1;
        delta += (byte & 0x7f) * scale;
        if (byte < 0x80) break;
        scale *= 0x80;
      }
      previous += delta;
      ids[index] = previous;
    }
    sets[name] = ids;
  }
  return sets;
}

/** Ids in `next` and not in `previous`, and the reverse; both inputs sorted ascending. */
export function diffSorted(previous: readonly number[], next: readonly number[]): { added: number[]; removed: number[] } {
  const added: number[] = [];
  const removed: number[] = [];
  let left = 0;
  let right = 0;
  while (left < previous.length || right < next.length) {
    if (right >= next.length || (left < previous.length && previous[left] < next[right])) removed.push(previous[left++]);
    else if (left >= previous.length || next[right] < previous[left]) added.push(next[right++]);
    else {
      left += 1;
      right += 1;
    }
  }
  return { added, removed };
}
