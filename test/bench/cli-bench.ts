/**
 * What a person (or a cron job) waits for at the command line: each figure is the `repdesk`
 * process from start to exit, run as a child process, with its peak RSS as the kernel counts it
 * (GNU time's %M), beside the side-by-side anchors of the issue run in the same bench: `node -e 0`
 * for start-up, the sqlite3 shell's `.import` of the same lines into an indexed table for imports.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatAddress } from '../../shared/address.js';
import { listingImportFile, publicIpv4, seededRandom } from './generate.js';

type Print = (label: string, value: string, target: string) => void;

/** dist/test/bench -> the package root. */
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/repdesk.js');

export interface ProcessFigure {
  /** Wall time, start to exit. */
  readonly seconds: number;
  /** User + system CPU time: steadier than the wall time on a shared machine. */
  readonly cpuSeconds: number;
  readonly peakMb: number;
}

/**
 * Run a command under GNU time: wall seconds and peak RSS of the process (its largest child
 * included when it waits for one). Throws with the command's output when it fails.
 */
export function timeProcess(command: string, args: readonly string[], options: SpawnSyncOptions = {}): ProcessFigure {
  const run = spawnSync('/usr/bin/time', ['-f', 'REPDESK-BENCH %e %U %S %M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  const stderr = String(run.stderr ?? '');
  const figures = /REPDESK-BENCH ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(stderr);
  if (run.error) throw run.error;
  if (!figures) throw new Error(`${command} ${args.join(' ')}: no timing (is GNU time installed?)\n${stderr.slice(-2000)}`);
  if (run.status !== 0 && options.env?.REPDESK_BENCH_ALLOW_FAILURE !== '1') throw new Error(`${command} ${args.join(' ')} exited ${run.status}\n${stderr.slice(-2000)}`);
  return { seconds: Number(figures[1]), cpuSeconds: Number(figures[2]) + Number(figures[3]), peakMb: Number(figures[4]) / 1024 };
}

/** `repdesk ARGS` as a child process. */
export function timeRepdesk(args: readonly string[], options: SpawnSyncOptions = {}): ProcessFigure {
  return timeProcess(process.execPath, [BIN, ...args], { ...options, env: { ...process.env, REPDESK_LOG_LEVEL: 'error', ...options.env } });
}

/** The median run of `times` (by wall time); its peak RSS is the largest seen. */
export function medianOf(times: number, run: () => ProcessFigure): ProcessFigure & { readonly runs: number } {
  const figures = Array.from({ length: times }, run).sort((a, b) => a.seconds - b.seconds);
  const median = figures[Math.floor(figures.length / 2)];
  return { seconds: median.seconds, cpuSeconds: median.cpuSeconds, peakMb: Math.max(...figures.map((figure) => figure.peakMb)), runs: times };
}

export function describe(figure: ProcessFigure): string {
  return `${figure.seconds.toFixed(2)} s (cpu ${figure.cpuSeconds.toFixed(2)}) ${figure.peakMb.toFixed(0)} MB`;
}

/** The sqlite3 shell's `.import` of a one-column file into a table with an index on it. */
export function sqliteImport(file: string, databasePath: string): ProcessFigure {
  const script = `CREATE TABLE t(range TEXT);\nCREATE INDEX t_range ON t(range);\n.mode csv\n.import ${file} t\n`;
  return timeProcess('sqlite3', [databasePath], { input: script });
}

export async function benchCli(folder: string, print: Print): Promise<void> {
  const help = medianOf(7, () => timeRepdesk(['--help']));
  const node = medianOf(7, () => timeProcess(process.execPath, ['-e', '0']));
  print('node -e 0 (anchor)', describe(node), 'reference');
  print(`repdesk --help (median of ${help.runs})`, describe(help), 'under 0.25 s');
  const verify = medianOf(5, () => timeRepdesk(['verify', join(folder, 'no-such-snapshot'), '--pubkey', join(folder, 'no-such.pub')], { env: { REPDESK_BENCH_ALLOW_FAILURE: '1' } }));
  print('repdesk verify (no database; refuses a missing folder)', describe(verify), 'under 0.3 s');

  // Imports into a new database, as a cron job runs them: the whole process, follow-up work included.
  const singles = await listingImportFile({ singles: 1_000_000, ranges: 0 }, 31);
  const singlesDb = join(folder, 'singles.sqlite');
  timeRepdesk(['--db', singlesDb, 'investigator', 'add', 'Bench', '--roles', 'investigator']);
  const singlesImport = timeRepdesk(['--db', singlesDb, '--actor', 'Bench', 'import', singles, '--list', 'RBL', '--reason', 'spam-source']);
  print('repdesk import 1,000,000 single IPv4', describe(singlesImport), 'under 5 s, 400 MB');

  const mixed = await listingImportFile();
  const databasePath = join(folder, 'cli.sqlite');
  timeRepdesk(['--db', databasePath, 'investigator', 'add', 'Bench', '--roles', 'investigator']);
  const imported = timeRepdesk(['--db', databasePath, '--actor', 'Bench', 'import', mixed, '--list', 'RBL', '--reason', 'spam-source']);
  const anchor = sqliteImport(mixed, join(folder, 'anchor.sqlite'));
  print('repdesk import 1.2M lines (1M singles + 200k ranges)', describe(imported), 'ratio <= 3 (bar), <= 2 (goal)');
  print('sqlite3 shell .import into an indexed table (anchor)', describe(anchor), 'reference');
  print('ratio repdesk import / sqlite3 .import', `${(imported.seconds / anchor.seconds).toFixed(2)}x (cpu ${(imported.cpuSeconds / anchor.cpuSeconds).toFixed(2)}x)`, '<= 3 (bar), <= 2 (goal)');

  // One address, then 100,000, on the 1.2M listings just imported.
  const random = seededRandom(5);
  const one = medianOf(5, () => timeRepdesk(['--db', databasePath, 'lookup', formatAddress(4, BigInt(publicIpv4(random)))]));
  print(`repdesk lookup IP on 1.2M listings (median of ${one.runs})`, describe(one), 'under 0.3 s, 100 MB');
  const addresses = join(folder, 'addresses.txt');
  writeFileSync(addresses, Array.from({ length: 100_000 }, () => formatAddress(4, BigInt(publicIpv4(random)))).join('\n') + '\n');
  const bulk = timeRepdesk(['--db', databasePath, 'lookup', '--file', addresses, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  print('repdesk lookup --file of 100,000 addresses', describe(bulk), 'under 3 s');
}
