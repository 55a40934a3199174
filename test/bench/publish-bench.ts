/**
 * Publishing at scale: 1,000,000 RBL addresses, 200,000 DUL ranges and 100,000 IPv6 entries,
 * both formats, signed. Prints the time, the peak RSS, and beside them two anchors: the zone
 * writers alone (every file on one thread from zones resolved beforehand) and the sqlite3
 * shell's time to dump the same rows to a file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatAddress } from '../../shared/address.js';
import { createCore, type Core } from '../../main/core/app.js';
import { LISTS, type ListName } from '../../shared/domain.js';
import { readSettings } from '../../main/core/settings/settings.js';
import { readListingsInForce } from '../../main/core/rule/listings-in-force.js';
import { resolveZones } from '../../main/core/publish/resolve/resolve.js';
import { zoneFileJobs } from '../../main/core/publish/write-folder.js';
import { writeZoneFile } from '../../main/core/publish/zone-files.js';
import { generateKeyPair } from '../../main/core/snapshot/index.js';
import { benchDataFolder, listingImportFile, publicIpv4Network, seededRandom } from './generate.js';
import { describe, timeRepdesk } from './cli-bench.js';

async function writeLines(path: string, count: number, line: (index: number) => string): Promise<string> {
  if (existsSync(path)) return path;
  mkdirSync(benchDataFolder(), { recursive: true });
  const stream = createWriteStream(`${path}.partial`);
  let buffer = '';
  for (let index = 0; index < count; index += 1) {
    buffer += `${line(index)}\n`;
    if (buffer.length > 1 << 16) {
      if (!stream.write(buffer)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
      buffer = '';
    }
  }
  stream.write(buffer);
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  renameSync(`${path}.partial`, path);
  return path;
}

/** Build the publishing bench database (in its own process, so the publish figures are its own). */
export async function preparePublishDatabase(databasePath: string): Promise<void> {
  const rblFile = await listingImportFile({ singles: 1_000_000, ranges: 0 }, 31);
  const random = seededRandom(32);
  // ISP dynamic pools: mostly /24s, some wider, none narrower (ISPs submit pools, not hosts).
  const dulPrefixes = [16, 18, 20, 21, 22, 23, 24, 24, 24, 24];
  // v2: no pool touches special-purpose space (imports refuse it).
  const dulFile = await writeLines(join(benchDataFolder(), 'dul-v2-200000-pools-32.txt'), 200_000, () => {
    const prefix = dulPrefixes[Math.floor(random() * dulPrefixes.length)];
    return `${formatAddress(4, BigInt(publicIpv4Network(random, prefix)))}/${prefix}`;
  });
  const v6File = await writeLines(join(benchDataFolder(), 'v6-100000-33.txt'), 100_000, (index) => {
    const prefix = [48, 56, 64, 128][index % 4];
    let value = 0x2a00n + BigInt(Math.floor(random() * 0x100));
    for (let word = 0; word < 7; word += 1) value = (value << 16n) | BigInt(Math.floor(random() * 0x10000));
    const host = BigInt(128 - prefix);
    return `${formatAddress(6, (value >> host) << host)}/${prefix}`;
  });

  const core = createCore({ databasePath });
  check(await core.dispatch('investigators.add', { name: 'Bench', roles: ['investigator', 'liaison', 'publisher'] }, { actor: null }));
  check(await core.dispatch('listings.importFile', { file: { path: rblFile }, list: 'RBL', reason: 'spam-source' }, actor));
  check(await core.dispatch('listings.importFile', { file: { path: dulFile }, list: 'DUL', reason: 'dynamic' }, actor));
  check(await core.dispatch('listings.importFile', { file: { path: v6File }, list: 'RBL', reason: 'open-proxy' }, actor));
  core.close();
}

const actor = { actor: 'Bench', localFiles: true };

function check<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/**
 * The writers' own time, the anchor a publish is measured against: the snapshot's zone files
 * (both formats, the combined zones with their combining) written one after the other on this
 * thread, hashed and fsynced, from zones resolved beforehand (the read and the resolving are not
 * counted, nor a second thread).
 */
async function timeWritersAlone(core: Core, folder: string): Promise<{ seconds: number; cpuSeconds: number }> {
  const read = core.connection.read;
  const settings = readSettings(read);
  const now = new Date();
  const resolution = resolveZones(read.withoutMemoryMap(() => readListingsInForce(read, now)), settings, { withCombined: false });
  const out = join(folder, 'writers-alone');
  mkdirSync(out);
  const created = Math.floor(now.getTime() / 1000);
  const jobs = zoneFileJobs({
    folder: out,
    serial: 2026120701,
    zone: 'bl.example',
    settings,
    resolution,
    listingsInForce: Object.fromEntries(LISTS.map((list) => [list, resolution.inForce[list].length])) as Record<ListName, number>,
    created,
    expires: created + 3600,
    previousManifestSha256: null,
    preparedBy: 'Bench',
    approvedBy: null,
    history: { event: 1, hash: '00'.repeat(32) },
    checkpoint: null,
    progress: () => undefined,
  });
  global.gc?.();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  // Each file's fsync waited for before the next file: nothing overlapped.
  for (const job of jobs) await writeZoneFile(out, job).synced;
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  rmSync(out, { recursive: true, force: true });
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Publish from the prepared database (copied, so every run starts from the same state). */
export async function benchPublish(folder: string, databaseTemplate: string, print: (label: string, value: string, target: string) => void): Promise<void> {
  const databasePath = join(folder, 'publish.sqlite');
  copyFileSync(databaseTemplate, databasePath);
  const key = generateKeyPair();
  const core = createCore({ databasePath, signingKey: () => key });
  const out = join(folder, 'snapshots');
  global.gc?.();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = check(await core.dispatch('publish.run', { out, zone: 'bl.example' }, actor));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (!result.published) throw new Error(`not published: ${JSON.stringify(result.safety)}`);
  const bytes = result.files.reduce((total, file) => total + file.size, 0);
  print('publish 1M RBL + 200k DUL + 100k IPv6, signed, in-process', `${seconds.toFixed(2)} s`, 'under 8 s');
  // On a shared machine the wall time varies with the neighbours' load; the CPU time much less.
  print('  CPU time (user + system)', `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`, 'informational');
  print('  files written (both formats)', `${result.files.length} files, ${(bytes / 1024 / 1024).toFixed(0)} MB`, 'informational');
  print('  peak RSS of the process', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`, 'under 800 MB');
  const writers = await timeWritersAlone(core, folder);
  print('zone writers alone: every file, one thread, on the resolved zones', `${writers.seconds.toFixed(2)} s (cpu ${writers.cpuSeconds.toFixed(2)})`, 'reference');
  core.close();

  const dump = join(folder, 'dump.txt');
  const shellStarted = performance.now();
  const shell = spawnSync('sh', ['-c', `sqlite3 -list ${databasePath} "SELECT list, hex(first), hex(last), reason, txt FROM listings WHERE status = 'active'" > ${dump}`]);
  const shellSeconds = (performance.now() - shellStarted) / 1000;
  if (shell.status === 0) {
    print('sqlite3 shell dump of the same rows to a file', `${shellSeconds.toFixed(2)} s (${(statSync(dump).size / 1024 / 1024).toFixed(0)} MB)`, 'reference');
    print('ratio publish / sqlite3 dump', `${(seconds / shellSeconds).toFixed(2)}x`, 'informational');
  } else {
    print('sqlite3 shell dump', 'not run', 'sqlite3 missing');
  }
  rmSync(out, { recursive: true, force: true });

  // The command a cron job runs, start to exit, on a fresh copy of the same database.
  copyFileSync(databaseTemplate, databasePath);
  const keyFile = join(folder, 'publisher.key');
  timeRepdesk(['keygen', '--out', keyFile, '--unencrypted']);
  const cli = timeRepdesk(['--db', databasePath, '--actor', 'Bench', 'publish', '--out', out, '--key', keyFile, '--zone', 'bl.example']);
  print('repdesk publish (the whole process), both formats, signed', describe(cli), 'under 5 s');
  print('ratio repdesk publish / zone writers alone', `${(cli.seconds / writers.seconds).toFixed(2)}x`, 'at most 2x');
  if (shell.status === 0) print('ratio repdesk publish / sqlite3 dump', `${(cli.seconds / shellSeconds).toFixed(2)}x`, 'informational');
  rmSync(out, { recursive: true, force: true });
}
