/**
 * `repdesk isp ...` and `repdesk dul ...` as a liaison uses them: the registry, a dry run, an
 * import, a replace, a refused file (every bad line listed, exit 1, nothing changed), a revert
 * restoring the previous set, usage errors (exit 2) and --help.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IspDetail, IspView, RevertResult, SubmissionPreview, SubmissionResult } from '../../shared/dul.js';
import { describeRun, repdesk, repdeskJson } from './support/cli.js';

describe('repdesk isp / dul', () => {
  let folder: string;
  let database: string;
  const as = (actor: string, ...args: string[]) => ['--db', database, '--actor', actor, ...args];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-dul-'));
    database = join(folder, 'repdesk.sqlite');
    for (const args of [
      ['investigator', 'add', 'root', '--roles', 'admin'],
      ['investigator', 'add', 'lia', '--roles', 'liaison'],
      ['investigator', 'add', 'pub', '--roles', 'publisher'],
    ]) {
      const run = await repdesk(as('root', ...args));
      assert.equal(run.code, 0, describeRun(run));
    }
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  function file(name: string, content: string): string {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  }

  test('the registry, a dry run, an import, a replace and a revert', async () => {
    const added = await repdeskJson<IspView>(as('lia', 'isp', 'add', 'Example Net', '--asn', '64500', '--asn', 'AS64501', '--country', 'nl', '--notes', 'cable pools'));
    assert.deepEqual([added.name, added.asns, added.country], ['Example Net', [64500, 64501], 'NL']);
    const listed = await repdesk(as('lia', 'isp', 'list'));
    assert.equal(listed.code, 0, describeRun(listed));
    assert.deepEqual(listed.out, ['Example Net (NL)\tAS64500,AS64501\t0 active DUL ranges']);

    const first = file('first.txt', '# pools\n45.10.1.9/24\n45.10.2.0/24\n2a01:4f8:100::/48\n45.10.2.0/24\n');
    const dry = await repdesk(as('lia', 'dul', 'import', first, '--isp', 'Example Net', '--dry-run'));
    assert.equal(dry.code, 0, describeRun(dry));
    assert.ok(dry.out.includes('diff against the current set: 3 added, 0 removed, 0 unchanged'), describeRun(dry));
    assert.ok(dry.out.includes('  line 2: 45.10.1.9/24 has host bits set; normalised to 45.10.1.0/24'), describeRun(dry));
    assert.ok(dry.out.includes('  line 5: 45.10.2.0/24 also stands on line 3; merged'), describeRun(dry));
    assert.equal((await repdeskJson<IspDetail>(as('lia', 'isp', 'show', 'Example Net'))).isp.activeRanges, 0, 'a dry run changes nothing');

    const committed = await repdeskJson<SubmissionResult>(
      as('lia', 'dul', 'import', first, '--isp', 'example net', '--submitted', '2026-11-20', '--valid-until', '2027-06-30', '--exclude', '45.10.1.128/25'),
    );
    assert.equal(committed.submission.added, 3);
    assert.equal(committed.submission.validUntil, '2027-07-01T00:00:00.000Z');
    assert.deepEqual(committed.submission.exclusions, ['45.10.1.128/25']);

    const second = file('second.csv', 'range,policy note\n45.10.2.0/24,kept\n45.10.3.0/24,new pool\n');
    const preview = await repdeskJson<SubmissionPreview>(as('lia', 'dul', 'import', second, '--isp', 'Example Net', '--replace', '--dry-run'));
    assert.deepEqual([preview.diff.added.items, preview.diff.removed.items, preview.diff.unchanged], [['45.10.3.0/24'], ['45.10.1.0/24', '2a01:4f8:100::/48'], 1]);
    const replaced = await repdeskJson<SubmissionResult>(as('lia', 'dul', 'import', second, '--isp', 'Example Net'));
    const shown = await repdesk(as('lia', 'isp', 'show', 'Example Net'));
    assert.equal(shown.code, 0, describeRun(shown));
    assert.ok(shown.out.includes('active ranges: 2'), describeRun(shown));
    assert.ok(shown.out.some((line) => line.startsWith('  45.10.3.0/24\t') && line.endsWith('\tnew pool')), describeRun(shown));

    const reverted = await repdeskJson<RevertResult>(as('lia', 'dul', 'revert', String(replaced.submission.id)));
    assert.deepEqual([reverted.delisted, reverted.restored], [2, 3]);
    const detail = await repdeskJson<IspDetail>(as('lia', 'isp', 'show', 'Example Net'));
    assert.deepEqual(detail.ranges.map((range) => range.range), ['45.10.1.0/24', '45.10.2.0/24', '2a01:4f8:100::/48']);
    assert.deepEqual(detail.submissions.map((submission) => [submission.id, submission.revertedBy]), [[replaced.submission.id, 'lia'], [committed.submission.id, null]]);
    const again = await repdesk(as('lia', 'dul', 'revert', String(replaced.submission.id)));
    assert.equal(again.code, 1, describeRun(again));
    assert.match(again.error[0], /already reverted/);
  });

  test('a bad file fails with every rejected line listed and changes nothing', async () => {
    await repdesk(as('lia', 'isp', 'add', 'Bad Lines ISP'));
    const bad = file('bad.txt', '45.20.1.0/24\n192.168.0.0/16\n45.20.2.0/24 pool\n\n45.20.3.0-45.20.2.0\n');
    const run = await repdesk(as('lia', 'dul', 'import', bad, '--isp', 'Bad Lines ISP'));
    assert.equal(run.code, 1, describeRun(run));
    assert.equal(run.error[0], 'repdesk: bad.txt: 3 bad lines; nothing was imported');
    assert.deepEqual(run.error.slice(1).map((line) => line.slice(0, 10)), ['  line 2: ', '  line 3: ', '  line 5: ']);
    const dry = await repdesk(as('lia', 'dul', 'import', bad, '--isp', 'Bad Lines ISP', '--dry-run'));
    assert.equal(dry.code, 1, describeRun(dry));
    assert.ok(dry.out.includes('rejected lines: 3'), describeRun(dry));
    assert.equal((await repdeskJson<IspDetail>(as('lia', 'isp', 'show', 'Bad Lines ISP'))).submissions.length, 0);
  });

  test('a signed publish leaves the excluded /28 out of the DUL zone and keeps the rest of the /16', async () => {
    await repdesk(as('lia', 'isp', 'add', 'Publish ISP'));
    const imported = await repdesk(as('lia', 'dul', 'import', file('wide.txt', '77.88.0.0/16\n'), '--isp', 'Publish ISP', '--exclude', '77.88.200.16/28'));
    assert.equal(imported.code, 0, describeRun(imported));
    const key = join(folder, 'publish.key');
    const keygen = await repdesk(['keygen', '--out', key, '--unencrypted']);
    assert.equal(keygen.code, 0, describeRun(keygen));
    const out = join(folder, 'snapshots');
    const published = await repdesk(as('pub', 'publish', '--out', out, '--key', key, '--approve-large-change'));
    assert.equal(published.code, 0, describeRun(published));
    const entries = readFileSync(join(out, 'current', 'dul.ip4trie'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('77.88.'));
    assert.ok(entries.includes('77.88.200.0/28') && entries.includes('77.88.200.32/27') && entries.includes('77.88.0.0/17'), entries.join(' '));
    const octets = (text: string) => text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
    const hole = [octets('77.88.200.16'), octets('77.88.200.31')];
    let covered = 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const first = octets(address);
      const last = first + 2 ** (32 - Number(prefix ?? 32)) - 1;
      assert.ok(last < hole[0] || first > hole[1], `${entry} covers the excluded /28`);
      covered += last - first + 1;
    }
    assert.equal(covered, 65536 - 16, 'the whole /16 but the /28 is published');
  });

  test('usage errors exit 2 and every command has --help', async () => {
    const noIsp = await repdesk(as('lia', 'dul', 'import', 'x.txt'));
    assert.equal(noIsp.code, 2, describeRun(noIsp));
    assert.match(noIsp.error[0], /--isp is required/);
    const both = await repdesk(as('lia', 'dul', 'import', 'x.txt', '--isp', 'A', '--replace', '--add'));
    assert.equal(both.code, 2, describeRun(both));
    const badId = await repdesk(as('lia', 'dul', 'revert', 'latest'));
    assert.equal(badId.code, 2, describeRun(badId));
    const badAsn = await repdesk(as('lia', 'isp', 'add', 'Y', '--asn', 'sixty'));
    assert.equal(badAsn.code, 2, describeRun(badAsn));
    for (const command of [['dul', 'import'], ['dul', 'revert'], ['isp', 'add'], ['isp', 'update'], ['isp', 'list'], ['isp', 'show']]) {
      const help = await repdesk([...command, '--help']);
      assert.equal(help.code, 0, describeRun(help));
      assert.match(help.out[0], new RegExp(`^Usage: repdesk ${command.join(' ')}`));
    }
  });
});
