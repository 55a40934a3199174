/**
 * `npm run bench`: the speed and memory figures, printed. Nothing here is a pass/fail test;
 * each line states the target beside the measurement.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../main/core/app.js';
import { ListingIndex } from '../../main/core/lookup/listing-index.js';
import { lookupAddress } from '../../main/core/lookup/lookup.js';
import { readSettings } from '../../main/core/settings/settings.js';
import { benchDataFolder, listingImportFile, publicIpv4, seededRandom } from './generate.js';
import { formatAddress } from '../../shared/address.js';
import { fileURLToPath } from 'node:url';
import { benchSegments } from './segments-bench.js';
import { benchPublish, preparePublishDatabase } from './publish-bench.js';
import { benchDul } from './dul-bench.js';
import { benchQil } from './qil-bench.js';
import { benchDashboard } from './dashboard-bench.js';
import { benchWorkbench } from './workbench-bench.js';
import { benchEvidence } from './evidence-bench.js';
import { benchQueues } from './queues-bench.js';
import { benchCli } from './cli-bench.js';
import { benchTeam } from './team-bench.js';
import { existsSync } from 'node:fs';
import { logCopiedBack } from './settle-log.js';

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function line(label: string, value: string, target: string): void {
  process.stdout.write(`${label.padEnd(54)} ${value.padStart(30)}   (target: ${target})\n`);
}

function section(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

async function benchFoundation(folder: string): Promise<void> {
  section('Foundation, in-process (core calls timed inside one process): import, index, lookup (1,000,000 single IPv4 + 200,000 ranges)');
  const file = await listingImportFile();
  const databasePath = join(folder, 'bench.sqlite');
  const core = createCore({ databasePath });
  const setup = await core.dispatch('investigators.add', { name: 'Bench', roles: ['investigator'] }, { actor: null });
  if (!setup.ok) throw new Error(setup.error.message);

  let started = performance.now();
  const imported = await core.dispatch('listings.importFile', { file: { path: file }, list: 'RBL', reason: 'spam-source' }, { actor: 'Bench', localFiles: true });
  const importSeconds = (performance.now() - started) / 1000;
  if (!imported.ok) throw new Error(imported.error.message);
  line('import 1.2M entries, in-process (no fold)', `${importSeconds.toFixed(2)} s`, 'under 10 s');
  line('  log copied back into the file after it answered (then the rest)', `${logCopiedBack(core.connection).toFixed(2)} s`, 'informational');

  const shellDatabase = join(folder, 'shell.sqlite');
  started = performance.now();
  const shell = spawnSync('sqlite3', [shellDatabase], { input: `CREATE TABLE t(range TEXT);\n.mode csv\n.import ${file} t\n`, encoding: 'utf8' });
  const shellSeconds = (performance.now() - started) / 1000;
  if (shell.status === 0) {
    line('sqlite3 shell .import of the same rows', `${shellSeconds.toFixed(2)} s`, 'reference');
    line('ratio RepDesk / sqlite3 shell', `${(importSeconds / shellSeconds).toFixed(2)}x`, 'about 2x');
  } else {
    line('sqlite3 shell .import', 'not run', `sqlite3 missing: ${shell.error?.message ?? shell.stderr}`);
  }

  global.gc?.();
  started = performance.now();
  const index = new ListingIndex(core.connection.read);
  index.reload();
  const buildMs = performance.now() - started;
  line(`index build at start-up (${index.size} ranges)`, `${(buildMs / 1000).toFixed(2)} s`, 'under 3 s');
  line('index levels (deepest nesting) v4 / v6', `${index.levels.v4} / ${index.levels.v6}`, 'informational');

  const random = seededRandom(7);
  const queries = new Uint32Array(1_000_000);
  for (let position = 0; position < queries.length; position += 1) queries[position] = publicIpv4(random);
  const ranges = index.rangeIndex;
  const found: number[] = [];
  let hits = 0;
  started = performance.now();
  for (let round = 0; round < 3; round += 1) {
    for (let position = 0; position < queries.length; position += 1) {
      found.length = 0;
      ranges.searchV4(queries[position], found);
      hits += found.length;
    }
  }
  const containmentRate = (3 * queries.length) / ((performance.now() - started) / 1000);
  line('containment queries (in-process index)', `${(containmentRate / 1e6).toFixed(2)} M/s`, 'at least 1 M/s');

  // Full lookups: half listed addresses (from the import), half random.
  const listed = core.connection.read
    .all<{ hex: string }>({ text: "SELECT hex(first) AS hex FROM listings WHERE family = 4 AND prefix = 32 ORDER BY random() LIMIT 50000", values: [] })
    .map((row) => formatAddress(4, BigInt(`0x${row.hex.slice(24)}`)));
  const addresses = listed.flatMap((address, position) => [address, formatAddress(4, BigInt(queries[position]))]);
  const latencies = new Float64Array(addresses.length);
  let returned = 0;
  const settings = readSettings(core.connection.read);
  const lookupStarted = performance.now();
  for (let position = 0; position < addresses.length; position += 1) {
    const callStarted = performance.now();
    returned += lookupAddress(core.connection.read, index, addresses[position], settings, new Date()).listings.length;
    latencies[position] = performance.now() - callStarted;
  }
  const lookupRate = addresses.length / ((performance.now() - lookupStarted) / 1000);
  latencies.sort();
  const p99 = latencies[Math.floor(latencies.length * 0.99)];
  line('full lookups returning listing records', `${(lookupRate / 1000).toFixed(0)} k/s`, 'at least 100 k/s');
  line('full lookup p99 latency', `${(p99 * 1000).toFixed(0)} µs`, 'under 1 ms');
  line('records returned / containment hits', `${returned} / ${hits}`, 'informational');
  global.gc?.();
  line('process RSS with 1.2M listings loaded', megabytes(process.memoryUsage().rss), 'under 500 MB');
  core.close();
}

const SECTIONS: Record<string, (folder: string) => Promise<void>> = {
  cli: async (folder) => {
    section('Command line: each repdesk process from start to exit, with its peak RSS (1.2M listings)');
    await benchCli(folder, line);
  },
  foundation: benchFoundation,
  segments: async () => {
    section('Publishing: segment sweep (1,000,000 single IPv4 + 200,000 nested ranges)');
    const figures = benchSegments();
    line('flatten IPv4, typed arrays (median of 3)', `${figures.flattenNumbersMs.toFixed(0)} ms`, 'well under 2 s');
    line('flatten IPv4 as bigints (the IPv6 code)', `${figures.flattenMs.toFixed(0)} ms`, 'informational');
    line('flatten the same data as IPv6', `${figures.flattenIpv6Ms.toFixed(0)} ms`, 'informational');
    line('combine 5 lists', `${figures.combineMs.toFixed(0)} ms`, 'well under 2 s');
  },
  dul: async (folder) => {
    section('DUL: a 1,000,000-range ISP submission (IPv4 and IPv6)');
    await benchDul(folder, line);
  },
  qil: async (folder) => {
    section('QIL: 1,000,000 trap hits from 100,000 sources');
    await benchQil(folder, line);
  },
  dashboard: async (folder) => {
    section('Dashboard: opening on 1,200,000 listings (1M single IPv4 + 200k overlapping ranges)');
    await benchDashboard(folder, line);
  },
  workbench: async () => {
    section('Workbench: the listings table on 1.2M listings (core time, then Chromium against the real server)');
    await benchWorkbench(line);
  },
  evidence: async (folder) => {
    section('Evidence: 10,000 spam samples in a ~200 MB mbox');
    await benchEvidence(folder, line);
  },
  queues: async (folder) => {
    section('Review queues: 100,000 delisting requests, a 1,000-MTA nomination');
    await benchQueues(folder, line);
  },
  team: async (folder) => {
    section('Team server: 50 people at work while a 1,200,000-line import runs as a job');
    await benchTeam(folder, line);
  },
  'publish-setup': async () => {
    await preparePublishDatabase(publishDatabase());
  },
  publish: async (folder) => {
    section('Publishing: a signed snapshot in both formats (1M RBL singles, 200k DUL pools, 100k IPv6)');
    if (!existsSync(publishDatabase())) {
      const setup = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'publish-setup'], { stdio: 'inherit', env: { ...process.env, REPDESK_LOG_LEVEL: 'error' } });
      if (setup.status !== 0) throw new Error('could not prepare the publishing bench database');
    }
    await benchPublish(folder, publishDatabase(), line);
  },
};

function publishDatabase(): string {
  return join(benchDataFolder(), 'publish-bench-v1.sqlite');
}

// Each section runs in its own process, so its memory figures are its own.
const requested = process.argv.slice(2);
if (requested.length === 1 && SECTIONS[requested[0]]) {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-bench-'));
  try {
    await SECTIONS[requested[0]](folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
} else {
  const names = requested.length > 0 ? requested : Object.keys(SECTIONS).filter((name) => name !== 'publish-setup');
  for (const name of names) {
    if (!SECTIONS[name]) throw new Error(`unknown bench section ${name} (known: ${Object.keys(SECTIONS).join(', ')})`);
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), name], { stdio: 'inherit', env: { ...process.env, REPDESK_LOG_LEVEL: 'error' } });
    if (child.status !== 0) process.exitCode = 1;
  }
}
