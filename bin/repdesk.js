#!/usr/bin/env node
// The `repdesk` command: runs the compiled CLI (npm run build makes dist/). The bundle
// (dist/cli/, scripts/bundle-cli.js) starts faster; it is used while it is newer than the
// TypeScript build it was made from, else the modules tsc wrote are run as they are.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli/repdesk.js', import.meta.url);
const modules = new URL('../dist/main/cli/bin.js', import.meta.url);
const typescriptBuild = new URL('../dist/.tsbuildinfo', import.meta.url);

function modified(url) {
  try {
    return statSync(fileURLToPath(url)).mtimeMs;
  } catch {
    return null;
  }
}

const bundledAt = modified(bundle);
const builtAt = modified(typescriptBuild);
if (bundledAt !== null && (builtAt === null || bundledAt >= builtAt)) {
  await import(bundle.href);
} else if (existsSync(fileURLToPath(modules))) {
  await import(modules.href);
} else {
  process.stderr.write('repdesk: not built yet; run "npm run build" in the RepDesk folder\n');
  process.exit(1);
}
