/**
 * Reads rbldnsd ip4trie / ip6trie data the way rbldnsd answers from it, for tests that check what
 * a published file says: `$` directives are skipped, a `:A:TXT` line sets the value of the lines
 * after it, each `CIDR` line lists its block with that value, a `!CIDR` line excludes its block,
 * and a query is answered by the longest prefix that contains the address (NXDOMAIN when that is
 * an exclusion or there is none), the TXT with `$` replaced by the queried address.
 */
import { formatAddress, parseRange, type Family } from '../../../shared/address.js';

export interface RbldnsdAnswer {
  readonly a: string;
  readonly txt: string;
}

interface Entry {
  readonly prefix: number;
  readonly value: RbldnsdAnswer | null;
}

export class RbldnsdData {
  /** Per prefix length: the block's network -> its value (null: excluded). */
  private readonly blocks = new Map<number, Map<bigint, Entry>>();
  readonly entries: number;

  constructor(
    text: string,
    private readonly family: Family,
  ) {
    const bits = family === 4 ? 32 : 128;
    let value: RbldnsdAnswer | null = null;
    let entries = 0;
    text.split('\n').forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith('$')) return;
      if (line.startsWith(':')) {
        const separator = line.indexOf(':', 1);
        if (separator < 0) throw new Error(`line ${index + 1}: a value line without its A record: ${line}`);
        value = { a: line.slice(1, separator), txt: line.slice(separator + 1) };
        return;
      }
      const isExclusion = line.startsWith('!');
      const parsed = parseRange(isExclusion ? line.slice(1) : line);
      if (!parsed.ok || parsed.value.prefix === null || parsed.value.family !== family) throw new Error(`line ${index + 1}: not a CIDR block of IPv${family}: ${line}`);
      if (parsed.value.notes.length > 0) throw new Error(`line ${index + 1}: ${line} has host bits set (rbldnsd ignores it)`);
      if (!isExclusion && value === null) throw new Error(`line ${index + 1}: a block before any value line`);
      const prefix = parsed.value.prefix;
      let level = this.blocks.get(prefix);
      if (!level) this.blocks.set(prefix, (level = new Map()));
      level.set(parsed.value.first >> BigInt(bits - prefix), { prefix, value: isExclusion ? null : value });
      entries += 1;
    });
    this.entries = entries;
  }

  /** What rbldnsd answers for `address` (null: NXDOMAIN). */
  answer(address: bigint): RbldnsdAnswer | null {
    const bits = this.family === 4 ? 32 : 128;
    for (let prefix = bits; prefix >= 0; prefix -= 1) {
      const entry = this.blocks.get(prefix)?.get(address >> BigInt(bits - prefix));
      if (entry === undefined) continue;
      if (entry.value === null) return null;
      return { a: entry.value.a, txt: entry.value.txt.split('$').join(formatAddress(this.family, address)) };
    }
    return null;
  }
}
