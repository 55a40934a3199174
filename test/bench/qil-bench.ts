/**
 * QIL ingestion speed: 1,000,000 trap hits from 100,000 sources (seeded, over the last day,
 * with the volume per source skewed so every level is reached by some) ingested in one
 * transaction through the contract, then the same file again (idempotent: nothing changes).
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { formatAddress } from '../../shared/address.js';
import type { QilIngestSummary } from '../../shared/qil.js';
import { createCore } from '../../main/core/app.js';
import { publicIpv4, seededRandom } from './generate.js';

const HITS = 1_000_000;
const SOURCES = 100_000;
const SPAN_MS = 24 * 3_600_000;

/**
 * Write the trap-hit log into `folder` and return its path. Its hits lie in the day before
 * `end`, so it is made for each run (in the run's own folder, removed after) rather than kept.
 */
async function trapHitFile(folder: string, end: number, seed = 20261128): Promise<string> {
  const path = join(folder, `qil-hits-${HITS}-${SOURCES}-${seed}.csv`);
  const random = seededRandom(seed);
  const sources: string[] = [];
  const seen = new Set<number>();
  while (sources.length < SOURCES) {
    const value = publicIpv4(random);
    if (seen.has(value)) continue;
    seen.add(value);
    sources.push(formatAddress(4, BigInt(value)));
  }
  const stream = createWriteStream(path);
  let buffer = 'timestamp,source,count,trap\n';
  for (let index = 0; index < HITS; index += 1) {
    // Squaring skews the choice: a few sources send much of the spam, as botnets do.
    const source = sources[Math.floor(random() ** 2 * SOURCES)];
    const at = new Date(end - Math.floor(random() * SPAN_MS)).toISOString();
    buffer += `${at},${source},${1 + Math.floor(random() ** 8 * 20)},trap-${Math.floor(random() * 50)}\n`;
    if (buffer.length > 1 << 16) {
      if (!stream.write(buffer)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
      buffer = '';
    }
  }
  await new Promise<void>((resolve, reject) => stream.end(buffer, () => resolve()).on('error', reject));
  return path;
}

/** Ingest 1M trap hits from 100k sources into a fresh database in `folder`, printing the figures. */
export async function benchQil(folder: string, print: (label: string, value: string, target: string) => void): Promise<void> {
  const now = Date.now();
  const file = await trapHitFile(folder, now);
  const core = createCore({ databasePath: join(folder, 'qil.sqlite'), now: () => new Date(now) });
  try {
    const setup = await core.dispatch('investigators.add', { name: 'Bench', roles: ['investigator'] }, { actor: null });
    if (!setup.ok) throw new Error(setup.error.message);
    let started = performance.now();
    const first = await core.dispatch('qil.ingest', { file: { path: file } }, { actor: 'Bench', localFiles: true });
    const seconds = (performance.now() - started) / 1000;
    if (!first.ok) throw new Error(first.error.message);
    const summary: QilIngestSummary = first.value;
    print(`ingest ${(HITS / 1e6).toFixed(0)}M trap hits, ${(SOURCES / 1000).toFixed(0)}k sources`, `${seconds.toFixed(2)} s`, 'under 15 s');
    print('  observations / QIL listings created', `${summary.observations} / ${summary.created}`, 'reference');
    started = performance.now();
    const again = await core.dispatch('qil.ingest', { file: { path: file } }, { actor: 'Bench', localFiles: true });
    if (!again.ok) throw new Error(again.error.message);
    if (again.value.observations !== 0 || again.value.created !== 0) throw new Error(`the second ingest changed something: ${JSON.stringify(again.value)}`);
    print('the same file again (changes nothing)', `${((performance.now() - started) / 1000).toFixed(2)} s`, 'reference');
  } finally {
    core.close();
  }
}
