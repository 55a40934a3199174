/**
 * The project's import graph, read from the source (main/, shared/, renderer/src/) with
 * TypeScript's own pre-processor: every relative import, `import type` and `import()` included,
 * since a loop of types is as hard to read as a loop of values.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import ts from 'typescript';

/** The repository's root (tests run from dist/test/..., the sources sit beside dist). */
export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..', '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Each source file (relative to the root) and the project files it imports. */
export function importGraph(folders: readonly string[] = ['main', 'shared', 'renderer/src']): Map<string, string[]> {
  const files = folders.flatMap((folder) => sourceFiles(join(ROOT, folder)));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = resolve(dirname(file), fileName);
      const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')];
      const found = candidates.find((candidate) => known.has(candidate));
      if (found) targets.add(relative(ROOT, found));
    }
    graph.set(relative(ROOT, file), [...targets].sort());
  }
  return graph;
}

/** Every import loop, each once, as the files around it (Tarjan's strongly connected components). */
export function importLoops(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) loops.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return loops;
}

/**
 * The graph of what is inside `folder` (relative to the root, no trailing slash), one level
 * deep: each subfolder is one node (`name/`, whatever file of it imports or is imported) and
 * each file its own; imports that stay inside one node, or leave the folder, are left out.
 */
export function folderGraph(graph: Map<string, string[]>, folder: string): Map<string, string[]> {
  const prefix = `${folder}/`;
  const nodeOf = (file: string): string | null => {
    if (!file.startsWith(prefix)) return null;
    const rest = file.slice(prefix.length);
    const slash = rest.indexOf('/');
    return slash === -1 ? rest : rest.slice(0, slash + 1);
  };
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = nodeOf(file);
    if (from === null) continue;
    const edges = folders.get(from) ?? new Set<string>();
    folders.set(from, edges);
    for (const target of targets) {
      const to = nodeOf(target);
      if (to !== null && to !== from) edges.add(to);
    }
  }
  return new Map([...folders].map(([node, edges]) => [node, [...edges].sort()]));
}

/** Every folder that holds a file of the graph, and each folder above it. */
export function foldersOf(graph: Map<string, string[]>): string[] {
  const folders = new Set<string>();
  for (const file of graph.keys()) {
    for (let at = file.lastIndexOf('/'); at > 0; at = file.lastIndexOf('/', at - 1)) folders.add(file.slice(0, at));
  }
  return [...folders].sort();
}
