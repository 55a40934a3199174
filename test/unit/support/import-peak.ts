/**
 * Run alone (`node import-peak.js DATABASE FILE...`): import the files as spam samples into a new
 * database, one import each, and print, as JSON, each import's outcome and how far it raised the
 * process's peak resident memory. A process of its own, so nothing else shares the figure; a small
 * message goes first, so the figure is the import's own, not the loading of the parser.
 */
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createCore } from '../../../main/core/app.js';
import { spamMessage } from './mail.js';

const [databasePath, ...paths] = process.argv.slice(2);
const core = createCore({ databasePath });
const actor = { actor: 'Ana', localFiles: true };
await core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator'] }, { actor: null });
const warmUp = join(dirname(databasePath), 'warm-up.eml');
writeFileSync(warmUp, spamMessage({ html: '<p>warm <b>up</b></p>' }));
await core.dispatch('samples.import', { files: [{ path: warmUp }] }, actor);
const results = [];
for (const path of paths) {
  global.gc?.();
  const before = process.resourceUsage().maxRSS;
  const started = process.memoryUsage().rss;
  const result = await core.dispatch('samples.import', { files: [{ path }] }, actor);
  const peak = process.resourceUsage().maxRSS;
  results.push({ path, result, peakKiB: peak, risenKiB: Math.max(0, peak - Math.max(before, Math.round(started / 1024))) });
}
core.close();
process.stdout.write(JSON.stringify(results));
