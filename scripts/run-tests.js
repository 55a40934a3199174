#!/usr/bin/env node
// Runs the compiled tests (tsc -b puts them under dist/test) with node's test runner.
// Usage: node scripts/run-tests.js [unit|integration|e2e ...]  (default: all three, in that order)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const suites = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];

function testFiles(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .sort()
    .flatMap((name) => {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) return testFiles(path);
      return name.endsWith('.test.js') ? [path] : [];
    });
}

const files = suites.flatMap((suite) => testFiles(join('dist', 'test', suite)));
if (files.length === 0) {
  console.error(`no compiled tests under dist/test/{${suites.join(',')}}: run "npm run build:node" first`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, REPDESK_LOG_LEVEL: process.env.REPDESK_LOG_LEVEL ?? 'error' },
});
process.exit(result.status ?? 1);
