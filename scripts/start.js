#!/usr/bin/env node
// `npm start [-- --port N ...]`: build only what changed, then run browser mode (`repdesk serve`
// with the arguments given). The TypeScript build is incremental (tsc -b keeps .tsbuildinfo);
// the renderer is rebuilt only when a file it is made from is newer than the last build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const RENDERER_BUILD = join('dist', 'renderer', 'index.html');
/** What the renderer bundle is made from. */
const RENDERER_SOURCES = ['renderer', 'shared', 'package-lock.json'];

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, name)));
  return newest;
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
run(npx, ['tsc', '-b', 'tsconfig.json']);
const builtAt = existsSync(RENDERER_BUILD) ? statSync(RENDERER_BUILD).mtimeMs : 0;
if (RENDERER_SOURCES.some((source) => existsSync(source) && newestChange(source) > builtAt)) {
  run(npx, ['vite', 'build', '--config', 'renderer/vite.config.ts']);
} else {
  console.log('renderer: up to date (dist/renderer is newer than its sources)');
}
run(process.execPath, ['bin/repdesk.js', 'serve', ...process.argv.slice(2)]);
