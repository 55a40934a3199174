#!/usr/bin/env node
// `npm run build:cli`: bundle the compiled command line (dist/main/cli/bin.js, after tsc) into
// dist/cli/, so that `repdesk` reads a few files instead of resolving and reading some 400
// modules at every start. Each `import()` of the command line stays a chunk of its own: the
// command table loads alone, a command's implementation and the core when that command runs.
// better-sqlite3 (a native addon) stays outside; worker threads run the unbundled dist/main/core
// files, which main/core/core-files.ts names from REPDESK_BUNDLED_CORE. bin/repdesk.js uses the
// bundle while it is newer than the TypeScript build (dist/.tsbuildinfo), else dist/main/cli/bin.js.
import { rmSync } from 'node:fs';
import { build } from 'rolldown';

const OUT = 'dist/cli';
const started = performance.now();
rmSync(OUT, { recursive: true, force: true });
await build({
  input: { repdesk: 'dist/main/cli/bin.js' },
  platform: 'node',
  external: ['better-sqlite3'],
  transform: { define: { REPDESK_BUNDLED_CORE: JSON.stringify('../main/core/') } },
  logLevel: 'warn',
  output: {
    dir: OUT,
    format: 'esm',
    sourcemap: true,
    chunkFileNames: '[name]-[hash].js',
    // CommonJS packages inside the bundle (mail parsing) require Node's built-in modules.
    banner: "import { createRequire as __repdeskCreateRequire } from 'node:module'; const require = __repdeskCreateRequire(import.meta.url);",
  },
});
process.stdout.write(`bundled the command line into ${OUT}/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
