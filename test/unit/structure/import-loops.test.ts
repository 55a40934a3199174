/**
 * No import loops: no file of main/, shared/ or renderer/src/ reaches itself again through its
 * imports (types and import() included), and no folder does either: inside every folder, its
 * subfolders and files import each other in one direction only (main/core/'s capabilities stand
 * in layers), so each folder can be read from the bottom up. A loop that comes back fails here
 * with the files or folders around it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { folderGraph, foldersOf, importGraph, importLoops } from './import-graph.js';

test('no file of main/, shared/ or renderer/src/ imports itself again through others', () => {
  const graph = importGraph();
  assert.ok(graph.size > 250, `the graph was read (${graph.size} files)`);
  assert.ok((graph.get('main/core/app.ts') ?? []).includes('shared/contract.ts'), 'the imports were resolved');
  const loops = importLoops(graph);
  assert.deepEqual(loops, [], `import loops:\n${loops.map((loop) => `  ${loop.join(' <-> ')}`).join('\n')}`);
});

test('inside every folder, its subfolders and files import each other in one direction only', () => {
  const graph = importGraph();
  const folders = foldersOf(graph);
  assert.ok(folders.includes('main/core') && folders.includes('main/core/publish') && folders.includes('renderer/src/views'), `the folders were found: ${folders.length}`);
  const core = folderGraph(graph, 'main/core');
  assert.ok((core.get('app.ts') ?? []).includes('listings/') && (core.get('listings/') ?? []).includes('db/'), 'the core was read as folders');
  const loops = folders.flatMap((folder) => importLoops(folderGraph(graph, folder)).map((loop) => `${folder}/: ${loop.join(' <-> ')}`));
  assert.deepEqual(loops, [], `folder loops:\n${loops.map((loop) => `  ${loop}`).join('\n')}`);
});

test('a folder loop is found between folders whose files form no loop', () => {
  const graph = new Map<string, string[]>([
    ['main/core/a/one.ts', ['main/core/b/two.ts']],
    ['main/core/b/two.ts', []],
    ['main/core/b/three.ts', ['main/core/a/four.ts']],
    ['main/core/a/four.ts', []],
    ['main/core/top.ts', ['main/core/a/one.ts', 'shared/x.ts']],
  ]);
  assert.deepEqual(importLoops(graph), []);
  assert.deepEqual(folderGraph(graph, 'main/core'), new Map([['a/', ['b/']], ['b/', ['a/']], ['top.ts', ['a/']]]));
  assert.deepEqual(importLoops(folderGraph(graph, 'main/core')), [['a/', 'b/']]);
  assert.deepEqual(foldersOf(graph), ['main', 'main/core', 'main/core/a', 'main/core/b']);
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
