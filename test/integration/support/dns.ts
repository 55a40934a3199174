/**
 * Real DNS servers for integration tests: finds the binaries (failing with the apt package to
 * install when one is missing), picks ports, starts rbldnsd / NSD / Knot as child processes with
 * their logs kept, waits until they serve, and asks thousands of questions through one `dig`
 * process per batch.
 *
 * Lessons from running them here (see shared/RECIPES.md):
 * - server ports are chosen below the kernel's ephemeral range: dig's random source port must
 *   never equal a server's port, or (both using SO_REUSEPORT) dig receives its own query;
 * - NSD needs `rrl-ratelimit: 0`, or response rate limiting drops part of a large batch;
 * - rbldnsd refuses to run as root and drops to user `rbldns`: its folder must be 755, files 644.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Family } from '../../../shared/address.js';
import { queryName } from '../../../main/core/publish/zones/names.js';

/** A binary a test needs and the Debian package that provides it. */
export type Tool = readonly [binary: string, pkg: string];

const binaries = new Map<string, string>();

export function findBinary(name: string): string | null {
  for (const directory of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin']) {
    if (directory === '') continue;
    try {
      accessSync(join(directory, name), constants.X_OK);
      return join(directory, name);
    } catch {
      // not in this directory: try the next one
    }
  }
  return null;
}

/** Look every tool up; a missing one fails the run, naming the package to install. */
export function requireTools(tools: readonly Tool[]): void {
  const missing = tools.filter(([name]) => {
    const path = findBinary(name);
    if (path !== null) binaries.set(name, path);
    return path === null;
  });
  if (missing.length > 0) {
    throw new Error(`missing tools: ${missing.map(([name, pkg]) => `${name} (apt-get install -y --no-install-recommends ${pkg})`).join(', ')}`);
  }
}

/** The path of a tool looked up by `requireTools`. */
export function binary(name: string): string {
  const path = binaries.get(name);
  if (path === undefined) throw new Error(`${name} was not looked up`);
  return path;
}

// ---------------------------------------------------------------- dig

/** One DNS response: its status, and the A and TXT data of its answer section (sorted). */
export interface Response {
  status: string;
  a: string[];
  txt: string[];
}

/** The bytes of a TXT RDATA as dig prints it (quoted strings, `\"`, `\\` and `\DDD` escapes), concatenated, as latin1. */
export function parseTxt(rdata: string): string {
  let bytes = '';
  let inside = false;
  for (let index = 0; index < rdata.length; index += 1) {
    const character = rdata[index];
    if (character === '"') {
      inside = !inside;
      continue;
    }
    if (!inside) continue;
    if (character === '\\') {
      const digits = rdata.slice(index + 1, index + 4);
      if (/^\d{3}$/.test(digits)) {
        bytes += String.fromCharCode(Number(digits));
        index += 3;
      } else {
        bytes += rdata[index + 1];
        index += 1;
      }
    } else {
      bytes += character;
    }
  }
  return bytes;
}

/** Runs one dig process over a batch of queries; answers keyed by `name TYPE` (name lowercase, no trailing dot). */
export async function dig(
  port: number,
  queries: ReadonlyArray<readonly [name: string, type: string]>,
  directory: string,
  tag: string,
  patience: readonly string[] = ['+tries=3', '+time=2'],
): Promise<Map<string, Response>> {
  const batch = join(directory, `batch-${tag}`);
  writeFileSync(batch, queries.map(([name, type]) => `${name} ${type}\n`).join(''));
  const output = await new Promise<string>((resolvePromise, reject) => {
    const child = spawn(binary('dig'), ['@127.0.0.1', '-p', String(port), '+notcp', '+norecurse', '+noall', '+comments', '+question', '+answer', ...patience, '-f', batch]);
    let text = '';
    let errors = '';
    child.stdout.setEncoding('latin1').on('data', (chunk: string) => {
      text += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(text) : reject(new Error(`dig exited ${code}: ${errors}`))));
  });
  const responses = new Map<string, Response>();
  let current: Response | null = null;
  for (const line of output.split('\n')) {
    const header = /status: ([A-Z]+)/.exec(line);
    if (line.includes('->>HEADER<<-') && header) {
      current = { status: header[1], a: [], txt: [] };
      continue;
    }
    if (current === null || line === '') continue;
    const question = /^;([^;\s]\S*)\.\s+IN\s+(\S+)$/.exec(line);
    if (question) {
      responses.set(`${question[1].toLowerCase()} ${question[2]}`, current);
      continue;
    }
    if (line.startsWith(';')) continue;
    const record = /^\S+\s+\d+\s+IN\s+(A|TXT)\s+(.*)$/.exec(line);
    if (record?.[1] === 'A') current.a.push(record[2]);
    else if (record?.[1] === 'TXT') current.txt.push(parseTxt(record[2]));
  }
  for (const response of responses.values()) {
    response.a.sort();
    response.txt.sort();
  }
  return responses;
}

// ---------------------------------------------------------------- ports and processes

function bindable(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        const socket = createSocket('udp4');
        socket.once('error', () => {
          socket.close();
          resolvePromise(false);
        });
        socket.bind(port, '127.0.0.1', () => socket.close(() => resolvePromise(true)));
      });
    });
  });
}

/** A port free for TCP and UDP, below the kernel's ephemeral range (see the file comment), not in `taken`. */
export async function freePort(taken: readonly number[] = []): Promise<number> {
  const range = /^(\d+)\s+(\d+)/.exec(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'));
  const below = Math.min(32768, range ? Number(range[1]) : 32768);
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = randomInt(10000, below);
    if (!taken.includes(port) && (await bindable(port))) return port;
  }
  throw new Error(`no free port found below ${below}`);
}

/** Servers started by a test, with what each printed; `stopAll` ends exactly these processes. */
export class ServerProcesses {
  readonly logs: Record<string, string> = {};
  private readonly children: ChildProcess[] = [];

  start(name: string, command: string, args: readonly string[]): ChildProcess {
    const child = spawn(binary(command), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.logs[name] = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.logs[name] += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.logs[name] += chunk;
    });
    this.children.push(child);
    return child;
  }

  /** Waits until the server answers NOERROR for the SOA of every origin (15 s at most). */
  async waitForSoa(name: string, port: number, origins: readonly string[], child: ChildProcess, directory: string): Promise<void> {
    const deadline = Date.now() + 15000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${this.logs[name]}`);
      const answers = await dig(port, origins.map((origin) => [origin, 'SOA'] as const), directory, `soa-${name}`, ['+tries=1', '+time=1']).catch(
        () => new Map<string, Response>(),
      );
      if (origins.every((origin) => answers.get(`${origin} SOA`)?.status === 'NOERROR')) return;
      if (Date.now() > deadline) throw new Error(`${name} did not serve ${origins.join(', ')} within 15 s:\n${this.logs[name]}`);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 150));
    }
  }

  /**
   * SIGTERM to every server this object started and that still runs, and wait until each has
   * exited (SIGKILL after 5 s): NSD writes its state files into its folder as it stops, so a
   * folder removed before it has exited is written into again (ENOTEMPTY in the removal).
   */
  async stopAll(): Promise<void> {
    await Promise.all(this.children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }));
  }
}

// ---------------------------------------------------------------- configuration

/** Writes `nsd.conf` into `directory` for NSD on 127.0.0.1@port serving `zones` (origin, file in `zoneDirectory`); returns its path. */
export function writeNsdConfig(directory: string, port: number, zoneDirectory: string, zones: ReadonlyArray<readonly [origin: string, file: string]>): string {
  const path = join(directory, 'nsd.conf');
  writeFileSync(path, [
    'server:',
    `  ip-address: 127.0.0.1@${port}`,
    '  username: ""', '  chroot: ""', '  database: ""', '  verbosity: 1',
    // response rate limiting would drop part of thousands of queries from one client
    '  rrl-ratelimit: 0', '  rrl-whitelist-ratelimit: 0',
    `  zonesdir: "${zoneDirectory}"`,
    `  zonelistfile: "${directory}/zone.list"`,
    `  xfrdfile: "${directory}/xfrd.state"`,
    `  xfrdir: "${directory}"`,
    `  pidfile: "${directory}/nsd.pid"`,
    `  logfile: "${directory}/nsd.log"`,
    'remote-control:', '  control-enable: no',
    ...zones.flatMap(([origin, file]) => ['zone:', `  name: ${origin}`, `  zonefile: "${join(zoneDirectory, file)}"`, '  provide-xfr: 127.0.0.0/8 NOKEY']),
    '',
  ].join('\n'));
  return path;
}

/** Writes `knot.conf` into `directory` for Knot on 127.0.0.1@port serving `zones` from `zoneDirectory`; returns its path. */
export function writeKnotConfig(directory: string, port: number, zoneDirectory: string, zones: ReadonlyArray<readonly [origin: string, file: string]>): string {
  const path = join(directory, 'knot.conf');
  writeFileSync(path, [
    'server:', `  listen: 127.0.0.1@${port}`, `  rundir: "${directory}"`,
    'log:', '  - target: stderr', '    any: warning',
    'database:', `  storage: "${directory}/db"`,
    'control:', `  listen: "${directory}/knot.sock"`,
    'template:', '  - id: default', `    storage: "${zoneDirectory}"`, '    zonefile-load: whole', '    journal-content: none', '    zonefile-sync: -1',
    'zone:', ...zones.flatMap(([origin, file]) => [`  - domain: ${origin}`, `    file: "${file}"`]),
    '',
  ].join('\n'));
  return path;
}

/** The names above an address that have fewer labels than an address (`2.0.192` for 192.0.2.x), with the prefix length each stands for. */
export function intermediateNames(family: Family, value: bigint, origin: string): Array<{ name: string; bits: number }> {
  const labels = queryName(family, value, origin).slice(0, -(origin.length + 1)).split('.');
  const depths = family === 4 ? [1, 2, 3] : [4, 8, 12, 16, 20, 24, 28, 31];
  return depths.map((depth) => ({ name: `${labels.slice(labels.length - depth).join('.')}.${origin}`, bits: depth * (family === 4 ? 8 : 4) }));
}
