/**
 * `repdesk lookup` with many addresses, through the real binary: arguments, --file and standard
 * input, answered in one process with one index load; --json one object per address and line;
 * entries that are not addresses named with where they stand, the others still answered.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRun, repdesk, runProgram, type Run } from './support/cli.js';

const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bin', 'repdesk.js');

interface JsonAnswer {
  readonly ip?: string;
  readonly listings?: ReadonlyArray<{ id: number; list: string; range: string }>;
  readonly input?: string;
  readonly error?: string;
}

describe('repdesk lookup with many addresses', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-lookup-'));
  const database = join(folder, 'repdesk.sqlite');
  const lookup = (args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Run =>
    runProgram(process.execPath, [BIN, '--db', database, 'lookup', ...args], { input: options.input ?? '', env: { REPDESK_LOG_LEVEL: 'error', ...options.env } });
  const jsonLines = (run: Run): JsonAnswer[] => run.out.map((line) => JSON.parse(line) as JsonAnswer);

  before(async () => {
    for (const args of [
      ['investigator', 'add', 'Ana', '--roles', 'investigator,liaison'],
      ['--actor', 'Ana', 'listing', 'add', '11.0.0.0/8', '--list', 'RBL', '--reason', 'spam-source'],
      ['--actor', 'Ana', 'listing', 'add', '23.5.0.0/16', '--list', 'DUL', '--reason', 'dynamic'],
      ['--actor', 'Ana', 'listing', 'add', '2a01:4f8::/32', '--list', 'RBL', '--reason', 'open-relay'],
    ]) {
      const run = await repdesk(['--db', database, ...args]);
      assert.equal(run.code, 0, describeRun(run));
    }
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test('several arguments: each address answered in order', () => {
    const run = lookup(['11.1.2.3', '45.0.0.1', '2a01:4f8::25']);
    assert.equal(run.code, 0, describeRun(run));
    assert.deepEqual(run.error, []);
    assert.match(run.out[0], /^11\.1\.2\.3: 1 listing$/);
    assert.match(run.out[1], /RBL 11\.0\.0\.0\/8 active spam-source .*: answers here$/);
    // What a mail server sees, per list and combined, then the next address.
    assert.equal(run.out[2], 'a mail server sees:');
    assert.match(run.out[3], /^ {2}RBL +127\.0\.0\.2 "RBL: Spam source; see https:\/\/lookup\.example\/ip\/11\.1\.2\.3" \(#\d+\)$/);
    assert.match(run.out[4], /^ {2}DUL +not listed$/);
    assert.match(run.out[8], /^ {2}combined +127\.0\.0\.2$/);
    assert.equal(run.out[9], '45.0.0.1: not listed');
    assert.match(run.out[10], /^2a01:4f8::25: 1 listing$/);
  });

  test('--file of 25,000 addresses: one JSON object per address, one index load for all of them', () => {
    const addresses: string[] = ['# addresses from the abuse desk', ''];
    for (let index = 0; index < 25_000; index += 1) addresses.push(index % 3 === 0 ? `11.${(index >> 8) & 255}.${index & 255}.7` : index % 3 === 1 ? `23.5.${index & 255}.9` : `45.${(index >> 8) & 255}.${index & 255}.1`);
    const path = join(folder, 'addresses.txt');
    writeFileSync(path, `${addresses.join('\n')}\n`);
    const run = lookup(['--file', path, '--json'], { env: { REPDESK_LOG_LEVEL: 'info' } });
    assert.equal(run.code, 0, describeRun(run).slice(0, 2000));
    const answers = jsonLines(run);
    assert.equal(answers.length, 25_000);
    assert.deepEqual(answers.slice(0, 3).map((answer) => [answer.ip, answer.listings?.map((listing) => listing.list)]), [
      ['11.0.0.7', ['RBL']],
      ['23.5.1.9', ['DUL']],
      ['45.0.2.1', []],
    ]);
    assert.equal(answers.filter((answer) => answer.listings?.length === 1).length, 16_667);
    // 25,000 addresses are three calls of the core; the index is built once for the process.
    assert.equal(run.error.filter((line) => / index built: /.test(line)).length, 1, run.error.join('\n'));
  });

  test('standard input: one or more per line, blank lines and # comments skipped', () => {
    const run = lookup(['--json'], { input: '11.2.3.4\n# a comment\n\n23.5.9.9, 45.1.1.1\n2a01:4f8::1\r\n' });
    assert.equal(run.code, 0, describeRun(run));
    assert.deepEqual(
      jsonLines(run).map((answer) => [answer.ip, answer.listings?.length]),
      [
        ['11.2.3.4', 1],
        ['23.5.9.9', 1],
        ['45.1.1.1', 0],
        ['2a01:4f8::1', 1],
      ],
    );
  });

  test('entries that are not addresses are named with where they stand; the others are answered; exit 1', () => {
    const run = lookup(['11.1.1.1', '010.1.1.1', 'mail.example', '--json']);
    assert.equal(run.code, 1, describeRun(run));
    const answers = jsonLines(run);
    assert.equal(answers.length, 3);
    assert.equal(answers[0].ip, '11.1.1.1');
    assert.deepEqual([answers[1].input, answers[2].input], ['010.1.1.1', 'mail.example']);
    assert.match(answers[1].error ?? '', /leading zero/);
    assert.match(run.error[0], /^repdesk: 2 of 3 entries are not addresses/);
    assert.match(run.error[1], /argument 2: .*010\.1\.1\.1/);
    assert.match(run.error[2], /argument 3: .*mail\.example/);

    const path = join(folder, 'mixed.txt');
    writeFileSync(path, '11.1.1.1\n\n300.1.1.1\n');
    const fromFile = lookup(['--file', path]);
    assert.equal(fromFile.code, 1);
    assert.equal(fromFile.out[0], '11.1.1.1: 1 listing');
    assert.match(fromFile.error.join('\n'), /line 3: .*300\.1\.1\.1/);
  });

  test('a missing or binary --file is refused by name; no address at all is a usage error', () => {
    const missing = lookup(['--file', join(folder, 'nope.txt')]);
    assert.equal(missing.code, 1);
    assert.match(missing.error[0], /nope\.txt: no such file/);
    const binary = join(folder, 'list.xlsx');
    writeFileSync(binary, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2]));
    assert.match(lookup(['--file', binary]).error[0], /ZIP archive/);
    const empty = lookup([], { input: '# nothing here\n\n' });
    assert.equal(empty.code, 2);
    assert.match(empty.error[0], /missing argument/);
  });
});
