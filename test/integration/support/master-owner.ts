/**
 * A slow, separate statement of how the master-format writer names things, for the oracles:
 * at each node of the label tree, a wildcard carries the value most of its children have (ties:
 * the first in address order), only when every child is covered and never at the apex; a child
 * that differs gets its own name; a child covered only in part, or by several values, gets names
 * below it. Only the `$` substitution of TXT answers depends on it (the address on an exact
 * name, the owner's block on a wildcard); what each address answers does not.
 */
import type { Family } from '../../../shared/address.js';

/** The maximal run of equal answers (key) around an address; key null where nothing is listed. */
export type RunAt = (value: bigint) => { first: bigint; last: bigint; key: string | null };

type ChildClass = { kind: 'uncovered' } | { kind: 'mixed' } | { kind: 'uniform'; key: string };

/** Classified nodes, reused across queries of one zone. */
export type OwnerCache = Map<string, { classes: ChildClass[]; wildcard: string | null }>;

/** The prefix length of the name answering `value` (32/128: the exact name; less: a wildcard's block), or null if unlisted. */
export function masterOwnerPrefix(family: Family, value: bigint, runAt: RunAt, cache: OwnerCache = new Map()): number | null {
  const bits = family === 4 ? 32 : 128;
  const labelBits = family === 4 ? 8 : 4;
  const childCount = 2 ** labelBits;
  let nodeFirst = 0n;
  for (let level = 0; level < bits / labelBits; level += 1) {
    const childShift = BigInt(bits - (level + 1) * labelBits);
    const cacheKey = `${family}/${level}/${nodeFirst}`;
    let node = cache.get(cacheKey);
    if (node === undefined) {
      const classes: ChildClass[] = [];
      for (let child = 0; child < childCount; child += 1) {
        const low = nodeFirst + (BigInt(child) << childShift);
        const high = low + (1n << childShift) - 1n;
        const run = runAt(low);
        classes.push(run.last < high ? { kind: 'mixed' } : run.key === null ? { kind: 'uncovered' } : { kind: 'uniform', key: run.key });
      }
      let wildcard: string | null = null;
      if (level > 0 && classes.every((entry) => entry.kind !== 'uncovered')) {
        const counts = new Map<string, number>();
        for (const entry of classes) if (entry.kind === 'uniform') counts.set(entry.key, (counts.get(entry.key) ?? 0) + 1);
        let best = 0;
        for (const entry of classes) {
          if (entry.kind !== 'uniform') continue;
          const count = counts.get(entry.key) ?? 0;
          if (count > best) {
            best = count;
            wildcard = entry.key;
          }
        }
      }
      node = { classes, wildcard };
      cache.set(cacheKey, node);
    }
    const child = Number((value - nodeFirst) >> childShift);
    const entry = node.classes[child];
    if (entry.kind === 'uncovered') return null;
    if (entry.kind === 'mixed') {
      nodeFirst += BigInt(child) << childShift;
      continue;
    }
    return node.wildcard === entry.key ? level * labelBits : (level + 1) * labelBits;
  }
  throw new Error('a mixed child at the last label cannot exist');
}
