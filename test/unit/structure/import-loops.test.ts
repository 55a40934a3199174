/**
 * No import loops: no file of main/, shared/ or renderer/src/ reaches itself again through its
 * imports (types and import() included), so each folder can be read from the bottom up. A loop
 * that comes back fails here with the files around it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importGraph, importLoops } from './import-graph.js';

test('no file of main/, shared/ or renderer/src/ imports itself again through others', () => {
  const graph = importGraph();
  assert.ok(graph.size > 250, `the graph was read (${graph.size} files)`);
  assert.ok((graph.get('main/core/app.ts') ?? []).includes('shared/contract.ts'), 'the imports were resolved');
  const loops = importLoops(graph);
  assert.deepEqual(loops, [], `import loops:\n${loops.map((loop) => `  ${loop.join(' <-> ')}`).join('\n')}`);
});

test('a loop is found, however long, and a file importing itself is one', () => {
  const graph = new Map<string, string[]>([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts', 'd.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', []],
    ['e.ts', ['e.ts']],
    ['f.ts', ['d.ts']],
  ]);
  assert.deepEqual(importLoops(graph), [['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  assert.deepEqual(importLoops(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), []);
});
