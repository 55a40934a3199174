/**
 * DUL submission figures: a 1,000,000-range submission (IPv4 and IPv6 mixed) previewed and
 * committed (as background jobs on worker threads, as the app and its progress bar run them), then a 1% different replacement previewed (the diff) and committed, with the
 * process's peak RSS and the sqlite3 shell's `.import` of the same file for scale.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { formatAddress } from '../../shared/address.js';
import { createCore } from '../../main/core/app.js';
import type { SubmissionPreview, SubmissionResult } from '../../shared/dul.js';
import { benchDataFolder, publicIpv4, seededRandom } from './generate.js';

const RANGES = 1_000_000;
const IPV6_SHARE = 0.2;
const CHANGED_SHARE = 0.01;

async function writeLines(path: string, lines: readonly string[]): Promise<void> {
  const temporary = `${path}.partial`;
  const stream = createWriteStream(temporary);
  for (let start = 0; start < lines.length; start += 10_000) {
    if (!stream.write(`${lines.slice(start, start + 10_000).join('\n')}\n`)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  renameSync(temporary, path);
}

/** Distinct public ranges: IPv4 /27 blocks and IPv6 /48 prefixes, in random order. */
function generateRanges(count: number, random: () => number, taken: Set<string>): string[] {
  const ranges: string[] = [];
  while (ranges.length < count) {
    let text: string;
    if (random() < IPV6_SHARE) {
      const high = 0x2a000000n | BigInt(Math.floor(random() * 0x00ffffff));
      const next = BigInt(Math.floor(random() * 0x10000));
      text = `${formatAddress(6, (high << 96n) | (next << 80n))}/48`;
    } else {
      text = `${formatAddress(4, BigInt((publicIpv4(random) & ~31) >>> 0))}/27`;
    }
    if (taken.has(text)) continue;
    taken.add(text);
    ranges.push(text);
  }
  return ranges;
}

/** Write (once) the submission and its 1% different replacement; return their paths. */
async function submissionFiles(): Promise<{ original: string; replacement: string }> {
  const folder = benchDataFolder();
  mkdirSync(folder, { recursive: true });
  const original = join(folder, `dul-submission-${RANGES}.txt`);
  const replacement = join(folder, `dul-submission-${RANGES}-replacement.txt`);
  if (existsSync(original) && existsSync(replacement)) return { original, replacement };
  const random = seededRandom(20261128);
  const taken = new Set<string>();
  const ranges = generateRanges(RANGES, random, taken);
  const changed = Math.round(RANGES * CHANGED_SHARE);
  const kept = ranges.slice(changed);
  const next = [...kept, ...generateRanges(changed, random, taken)];
  await writeLines(original, ranges);
  await writeLines(replacement, next);
  return { original, replacement };
}

/** Run the DUL figures in `folder` (a scratch folder), printing each beside its target. */
export async function benchDul(folder: string, print: (label: string, value: string, target: string) => void): Promise<void> {
  const { original, replacement } = await submissionFiles();
  const databasePath = join(folder, 'dul-bench.sqlite');
  const core = createCore({ databasePath });
  try {
    const check = <T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
      if (!result.ok) throw new Error(result.error.message);
      return result.value;
    };
    check(await core.dispatch('investigators.add', { name: 'Bench', roles: ['admin', 'liaison'] }, { actor: null }));
    check(await core.dispatch('isps.add', { name: 'Bench ISP' }, { actor: 'Bench' }));
    const call = { actor: 'Bench', localFiles: true };
    // As the app runs them: each preview and commit is a job on a worker thread of its own.
    const job = async <T>(operation: 'dul.preview' | 'dul.commit', input: Record<string, unknown>): Promise<T> => {
      let view = check(await core.dispatch('jobs.start', { operation, input }, call));
      while (view.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        view = check(await core.dispatch('jobs.get', { id: view.id }, call));
      }
      if (view.state !== 'done') throw new Error(`${operation} ended ${view.state}: ${view.error?.message ?? ''}`);
      return view.result as T;
    };

    let started = performance.now();
    const preview = await job<SubmissionPreview>('dul.preview', { file: { path: original }, isp: 'Bench ISP' });
    const previewSeconds = (performance.now() - started) / 1000;
    print(`preview ${preview.ranges.toLocaleString('en')} ranges (${preview.ipv4} v4, ${preview.ipv6} v6)`, `${previewSeconds.toFixed(2)} s`, 'under 15 s');

    started = performance.now();
    const committed = await job<SubmissionResult>('dul.commit', { file: { path: original }, isp: 'Bench ISP' });
    const commitSeconds = (performance.now() - started) / 1000;
    print(`commit (parse, diff, insert ${committed.submission.added.toLocaleString('en')}, history)`, `${commitSeconds.toFixed(2)} s`, 'under 15 s');
    print('  peak RSS through preview and commit', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`, 'under 600 MB');

    started = performance.now();
    const diff = await job<SubmissionPreview>('dul.preview', { file: { path: replacement }, isp: 'Bench ISP' });
    const diffSeconds = (performance.now() - started) / 1000;
    print(`diff of a 1% different replacement (+${diff.diff.added.total} -${diff.diff.removed.total})`, `${diffSeconds.toFixed(2)} s`, 'under 10 s');

    started = performance.now();
    await job<SubmissionResult>('dul.commit', { file: { path: replacement }, isp: 'Bench ISP' });
    print('commit of the replacement (delist 1M, insert 1M)', `${((performance.now() - started) / 1000).toFixed(2)} s`, 'informational');

    started = performance.now();
    const reverted = check(await core.dispatch('dul.revert', { id: committed.submission.id + 1 }, call));
    print(`revert (delist ${reverted.delisted}, restore ${reverted.restored})`, `${((performance.now() - started) / 1000).toFixed(2)} s`, 'informational');
    print('  peak RSS of the process (through the revert)', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`, 'informational');

    const shellDatabase = join(folder, 'dul-shell.sqlite');
    started = performance.now();
    const shell = spawnSync('sqlite3', [shellDatabase], { input: `CREATE TABLE t(range TEXT);\n.mode csv\n.import ${original} t\n`, encoding: 'utf8' });
    const shellSeconds = (performance.now() - started) / 1000;
    if (shell.status === 0) {
      print('sqlite3 shell .import of the same rows', `${shellSeconds.toFixed(2)} s`, 'reference');
      print('ratio commit / sqlite3 shell', `${(commitSeconds / shellSeconds).toFixed(2)}x`, 'informational');
    } else {
      print('sqlite3 shell .import', 'not run', `sqlite3 missing: ${shell.error?.message ?? shell.stderr}`);
    }
  } finally {
    core.close();
  }
}
