#!/usr/bin/env node
// The `repdesk` command: runs the compiled CLI (npm run build makes dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main/cli/bin.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('repdesk: not built yet; run "npm run build" in the RepDesk folder\n');
  process.exit(1);
}
await import(entry.href);
