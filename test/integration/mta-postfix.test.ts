/**
 * The service's advice proved with a real mail server: a snapshot published through the CLI
 * (an RBL address, a DUL pool, a QIL source with L = 1, a QIL source listed only at level 4)
 * is served by rbldnsd, and a throw-away Postfix with the README's configuration (a customer at
 * level 2: QIL codes 127.0.1.1-127.0.1.2) answers swaks connecting from each address: 550 for
 * RBL and DUL, 450 for QIL at L <= 2, 250 for QIL only at level 4 and for an unlisted address.
 *
 * Everything runs inside a network namespace the test creates, with its own resolv.conf
 * (/etc/netns/NAME) pointing at rbldnsd on its loopback; the test addresses exist only on that
 * namespace's loopback. The machine's own resolver and network are never touched. Needs root
 * and postfix, swaks, rbldnsd, iproute2 (ip), bsdutils (script), bind9-dnsutils (dig).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QilIngestSummary } from '../../shared/qil.js';
import { describeRun, repdesk, repdeskJson } from './support/cli.js';
import { binary, requireTools, type Tool } from './support/dns.js';

const TOOLS: readonly Tool[] = [
  ['postfix', 'postfix'],
  ['postconf', 'postfix'],
  ['swaks', 'swaks'],
  ['rbldnsd', 'rbldnsd'],
  ['ip', 'iproute2'],
  ['script', 'bsdutils'],
  ['dig', 'bind9-dnsutils'],
];
const ZONE = 'bl.example';
const NAMESPACE = `repdesk-mta-${process.pid}`;
const NETNS_FOLDER = join('/etc/netns', NAMESPACE);

/** The senders, each on the namespace's loopback, with the reply Postfix must give at RCPT. */
const SENDERS = {
  rbl: { ip: '11.50.0.2', expected: 550 },
  dul: { ip: '11.50.1.7', expected: 550 },
  qilLevel1: { ip: '11.50.2.1', expected: 450 },
  qilLevel4: { ip: '11.50.3.1', expected: 250 },
  unlisted: { ip: '11.50.4.1', expected: 250 },
} as const;

/** Run a program to completion; throws with its output when it fails (unless allowed to). */
function run(command: string, args: readonly string[], options: { mayFail?: boolean; timeout?: number } = {}): { code: number; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: options.timeout ?? 30_000 });
  if (result.error) throw result.error;
  const out = `${result.stdout}${result.stderr}`;
  if (!options.mayFail && result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${out}`);
  return { code: result.status ?? -1, out };
}

/** Run inside the namespace. */
function inNamespace(command: string, args: readonly string[], options: { mayFail?: boolean; timeout?: number } = {}): { code: number; out: string } {
  return run(binary('ip'), ['netns', 'exec', NAMESPACE, command, ...args], options);
}

/** The reply code to RCPT TO in a swaks transcript. */
function rcptReply(transcript: string): number | null {
  const lines = transcript.split('\n');
  const rcpt = lines.findIndex((line) => /^ *-> RCPT TO:/.test(line));
  if (rcpt === -1) return null;
  for (const line of lines.slice(rcpt + 1)) {
    const reply = /^<[-*~]* *(\d{3})[ -]/.exec(line);
    if (reply) return Number(reply[1]);
  }
  return null;
}

describe('a real Postfix against the published zones', () => {
  const folder = mkdtempSync('/tmp/repdesk-mta-');
  const database = join(folder, 'repdesk.sqlite');
  const out = join(folder, 'out');
  const postfixFolder = join(folder, 'postfix');
  const config = join(postfixFolder, 'etc');
  const maillog = join(postfixFolder, 'maillog');
  let rbldnsd: ChildProcess | null = null;
  let rbldnsdLog = '';
  let hasNamespace = false;
  let hasPostfix = false;

  before(async () => {
    requireTools(TOOLS);
    assert.equal(process.getuid?.(), 0, 'this test creates a network namespace and runs Postfix: it needs root (CI runs it as root)');
    const cli = async (args: readonly string[]) => {
      const result = await repdesk(['--db', database, ...args]);
      assert.equal(result.code, 0, `repdesk ${args.join(' ')}: ${describeRun(result)}`);
    };
    await cli(['investigator', 'add', 'ann', '--roles', 'admin,investigator,liaison']);
    await cli(['--actor', 'ann', 'investigator', 'add', 'pat', '--roles', 'publisher']);
    await cli(['--actor', 'ann', 'listing', 'add', SENDERS.rbl.ip, '--list', 'RBL', '--reason', 'spam-source', '--txt', 'trap hits']);
    await cli(['--actor', 'ann', 'listing', 'add', '11.50.1.0/24', '--list', 'DUL', '--reason', 'dynamic']);
    // Trap hits from the last hour: a sustained source (L = 1) and a single hit (level 4 only).
    const now = Date.now();
    const hits = [
      'timestamp,source,count,trap',
      ...Array.from({ length: 12 }, (_, index) => `${new Date(now - 60 * 60_000 + index * 5 * 60_000).toISOString()},${SENDERS.qilLevel1.ip},1,trap-${index % 3}`),
      `${new Date(now - 10 * 60_000).toISOString()},${SENDERS.qilLevel4.ip},1,trap-0`,
    ];
    writeFileSync(join(folder, 'hits.csv'), `${hits.join('\n')}\n`);
    const ingested = await repdeskJson<QilIngestSummary>(['--db', database, '--actor', 'ann', 'qil', 'ingest', join(folder, 'hits.csv')]);
    assert.equal(ingested.observations, 13);
    await cli(['keygen', '--out', join(folder, 'team.key'), '--unencrypted']);
    await cli(['--actor', 'pat', 'publish', '--out', out, '--key', join(folder, 'team.key'), '--zone', ZONE]);

    // rbldnsd drops to user rbldns: the path to the data must be readable by it.
    chmodSync(folder, 0o755);
    for (const entry of readdirSync(out, { recursive: true }) as string[]) chmodSync(join(out, entry), statSync(join(out, entry)).isDirectory() ? 0o755 : 0o644);
    chmodSync(out, 0o755);

    run(binary('ip'), ['netns', 'add', NAMESPACE]);
    hasNamespace = true;
    run(binary('ip'), ['-n', NAMESPACE, 'link', 'set', 'lo', 'up']);
    for (const { ip } of Object.values(SENDERS)) run(binary('ip'), ['-n', NAMESPACE, 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
    mkdirSync(NETNS_FOLDER, { recursive: true });
    writeFileSync(join(NETNS_FOLDER, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n');

    // `ip netns exec` execs rbldnsd in place, so the child's PID is rbldnsd's own.
    const data = join(out, 'current');
    rbldnsd = spawn(binary('ip'), ['netns', 'exec', NAMESPACE, binary('rbldnsd'), '-n', '-b', '127.0.0.1/53', '-c', '1', '-w', data,
      `rbl.${ZONE}:ip4trie:rbl.ip4trie`, `dul.${ZONE}:ip4trie:dul.ip4trie`, `qil.${ZONE}:ip4trie:qil.ip4trie`], { stdio: ['ignore', 'pipe', 'pipe'] });
    rbldnsd.stdout?.setEncoding('utf8').on('data', (chunk: string) => (rbldnsdLog += chunk));
    rbldnsd.stderr?.setEncoding('utf8').on('data', (chunk: string) => (rbldnsdLog += chunk));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (rbldnsd.exitCode !== null) throw new Error(`rbldnsd exited ${rbldnsd.exitCode}:\n${rbldnsdLog}`);
      const soa = inNamespace(binary('dig'), ['+short', '+tries=1', '+time=1', `qil.${ZONE}`, 'SOA'], { mayFail: true });
      if (soa.code === 0 && soa.out.trim() !== '') break;
      if (Date.now() > deadline) throw new Error(`rbldnsd did not answer within 15 s:\n${rbldnsdLog}`);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
    }

    mkdirSync(config, { recursive: true });
    mkdirSync(join(postfixFolder, 'queue'));
    mkdirSync(join(postfixFolder, 'data'));
    chmodSync(postfixFolder, 0o755);
    run('chown', ['postfix', join(postfixFolder, 'data')]);
    copyFileSync('/etc/postfix/master.cf', join(config, 'master.cf'));
    writeFileSync(join(config, 'main.cf'), [
      'compatibility_level = 3.6',
      `queue_directory = ${join(postfixFolder, 'queue')}`,
      `data_directory = ${join(postfixFolder, 'data')}`,
      'maillog_file_prefixes = /tmp, /var',
      `maillog_file = ${maillog}`,
      'myhostname = mx.test',
      'mydestination = mx.test',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'smtpd_peername_lookup = no',
      'local_transport = discard:local',
      'default_transport = discard:default',
      'local_recipient_maps =',
      'alias_maps =',
      'alias_database =',
      // The customer's configuration from the README, at aggressiveness level 2:
      'maps_rbl_reject_code = 550',
      'smtpd_client_restrictions =',
      `    reject_rbl_client rbl.${ZONE}=127.0.0.2,`,
      `    reject_rbl_client dul.${ZONE}=127.0.0.3,`,
      `    reject_rbl_client qil.${ZONE}=127.0.1.[1..2],`,
      '    permit',
      `rbl_reply_maps = texthash:${join(config, 'rbl_reply')}`,
      '',
    ].join('\n'));
    writeFileSync(
      join(config, 'rbl_reply'),
      `qil.${ZONE}=127.0.1.[1..2] 450 4.7.1 Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain\${rbl_reason?; $rbl_reason}\n`,
    );
    run(binary('postconf'), ['-c', config, '-F', '*/*/chroot = n']);
    // Under `script`, Postfix's fatal errors reach the output (without a terminal they print nothing).
    const started = inNamespace(binary('script'), ['-qec', `${binary('postfix')} -c ${config} start`, '/dev/null'], { mayFail: true });
    hasPostfix = true;
    assert.equal(started.code, 0, `postfix start failed:\n${started.out}`);
  });

  after(() => {
    const problems: string[] = [];
    const attempt = (what: string, work: () => void) => {
      try {
        work();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    };
    if (hasPostfix) {
      attempt('postfix stop', () => {
        inNamespace(binary('script'), ['-qec', `${binary('postfix')} -c ${config} stop`, '/dev/null'], { mayFail: true });
        // If stop failed, end the master this test started, by the PID it recorded.
        const pidFile = join(postfixFolder, 'queue', 'pid', 'master.pid');
        if (existsSync(pidFile)) {
          const pid = Number(readFileSync(pidFile, 'utf8').trim());
          if (pid > 0) {
            try {
              process.kill(pid, 'SIGTERM');
            } catch {
              // already gone: stop worked
            }
          }
        }
      });
    }
    if (rbldnsd && rbldnsd.exitCode === null) attempt('rbldnsd', () => void rbldnsd?.kill('SIGTERM'));
    if (hasNamespace) attempt('ip netns del', () => void run(binary('ip'), ['netns', 'del', NAMESPACE], { mayFail: true }));
    attempt('netns folder', () => rmSync(NETNS_FOLDER, { recursive: true, force: true }));
    attempt('work folder', () => rmSync(folder, { recursive: true, force: true }));
    if (problems.length > 0) throw new Error(`cleaning up: ${problems.join('; ')}`);
  });

  test('the published QIL zone answers 127.0.1.L for the two sources', () => {
    const answer = (ip: string) => inNamespace(binary('dig'), ['+short', '+tries=2', '+time=2', `${ip.split('.').reverse().join('.')}.qil.${ZONE}`, 'A']).out.trim();
    assert.equal(answer(SENDERS.qilLevel1.ip), '127.0.1.1');
    assert.equal(answer(SENDERS.qilLevel4.ip), '127.0.1.4');
    assert.equal(answer(SENDERS.unlisted.ip), '');
  });

  for (const [name, sender] of Object.entries(SENDERS)) {
    test(`${name} (${sender.ip}): Postfix answers ${sender.expected}`, () => {
      const swaks = inNamespace(
        binary('swaks'),
        ['--server', '127.0.0.1', '--port', '25', '--local-interface', sender.ip, '--from', 'sender@example.net', '--to', 'postmaster@mx.test', '--helo', 'sender.example.net', '--quit-after', 'RCPT', '--timeout', '30'],
        { mayFail: true, timeout: 60_000 },
      );
      const log = existsSync(maillog) ? readFileSync(maillog, 'utf8') : '(no mail log)';
      assert.equal(rcptReply(swaks.out), sender.expected, `swaks:\n${swaks.out}\npostfix log:\n${log}`);
      // Postfix saw the listed address itself, not the loopback one.
      assert.match(log, new RegExp(`connect from unknown\\[${sender.ip.replace(/\./g, '\\.')}\\]`));
    });
  }
});
