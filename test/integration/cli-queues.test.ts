/**
 * `repdesk nominations ...`, `repdesk delisting ...` and `repdesk queues summary` as scripts use
 * them: the templates round-trip through import, bundles and request files import (or are
 * refused with every bad row named, exit 1, nothing changed), the queues list as JSON with
 * status, assignee and listings, decisions from the command line, usage errors exit 2.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DelistingSummaryView, DelistingView, ImportResult, NominationSummaryView, NominationView, QueuesSummary } from '../../shared/queues.js';
import { describeRun, repdesk, repdeskJson } from './support/cli.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/repdesk.js');

describe('repdesk nominations / delisting / queues', () => {
  let folder: string;
  let database: string;
  const as = (actor: string, ...args: string[]) => ['--db', database, '--actor', actor, ...args];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-queues-'));
    database = join(folder, 'repdesk.sqlite');
    for (const args of [
      ['investigator', 'add', 'root', '--roles', 'admin,investigator'],
      ['investigator', 'add', 'ivy', '--roles', 'investigator'],
      ['investigator', 'add', 'rex', '--roles', 'reviewer'],
      ['settings', 'set', 'queues', '{"resolvers":["127.0.0.1:9"],"dnsTimeoutMs":200}'],
      ['listing', 'add', '82.0.2.0/24', '--list', 'RBL', '--reason', 'spam-source'],
    ]) {
      const run = await repdesk(as(args[0] === 'listing' ? 'ivy' : 'root', ...args));
      assert.equal(run.code, 0, describeRun(run));
    }
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  function file(name: string, content: string): string {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  }

  test('templates, bundle import, list --json, approval with a conflict resolved on the command line', async () => {
    const mtas = join(folder, 'mtas.csv');
    const written = await repdesk(as('ivy', 'nominations', 'template', 'mtas', '--out', mtas));
    assert.equal(written.code, 0, describeRun(written));
    const printed = await repdesk(as('ivy', 'nominations', 'template', 'helos'));
    assert.deepEqual(printed.out, ['helo', '# example: mail.example.com']);
    writeFileSync(mtas, `${readFileSync(mtas, 'utf8')}82.0.2.25,mail.good.example,good.example,Good Mail,NL,ESP\n88.51.100.25,mx.good.example,good.example,Good Mail,NL,ESP\n`);
    file('helos.csv', 'helo\nmail.good.example\n');
    file('bundle.json', JSON.stringify({ contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' }, mtas: 'mtas.csv', helos: 'helos.csv' }));
    const nomination = await repdeskJson<NominationView>(as('ivy', 'nominations', 'import', join(folder, 'bundle.json')));
    assert.deepEqual(nomination.ips, ['82.0.2.25', '88.51.100.25']);
    const listed = await repdeskJson<NominationSummaryView[]>(as('ivy', 'nominations', 'list', '--status', 'open'));
    assert.deepEqual(listed.map((item) => [item.id, item.status, item.assignee]), [[nomination.id, 'new', null]]);
    const shown = await repdesk(as('rex', 'nominations', 'show', String(nomination.id), '--open'));
    assert.equal(shown.code, 0, describeRun(shown));
    assert.ok(shown.out.some((line) => /FLAG listed: RBL #1 82\.0\.2\.0\/24/.test(line)), describeRun(shown));
    const refusedRun = await repdesk(as('rex', 'nominations', 'decide', String(nomination.id), '--approve', '--why', 'verified'));
    assert.equal(refusedRun.code, 1);
    assert.match(refusedRun.error.join('\n'), /1 IP is on a blocklist[\s\S]*82\.0\.2\.25: on RBL #1 82\.0\.2\.0\/24 \(spam-source, by ivy\): delist or refuse/);
    const forbiddenRun = await repdesk(as('ivy', 'nominations', 'decide', String(nomination.id), '--approve', '--why', 'verified', '--refuse', '82.0.2.25'));
    assert.equal(forbiddenRun.code, 1);
    assert.match(forbiddenRun.error[0], /ivy does not have the reviewer role/);
    const approved = await repdeskJson<NominationView>(as('rex', 'nominations', 'decide', String(nomination.id), '--approve', '--why', 'verified', '--refuse', '82.0.2.25'));
    assert.equal(approved.status, 'approved');
    assert.deepEqual(approved.mtas.map((mta) => mta.outcome), ['refused', 'approved']);
    const after = await repdeskJson<NominationSummaryView[]>(as('ivy', 'nominations', 'list'));
    assert.deepEqual(after[0].galListingIds, approved.galListingIds);
    // The listings it concerns: the RBL listing its checks found, and the GAL listing it made.
    assert.deepEqual(after[0].listingIds, [1, ...approved.galListingIds]);
    const usage = await repdesk(as('rex', 'nominations', 'decide', String(nomination.id), '--approve', '--reject', '--why', 'x'));
    assert.equal(usage.code, 2);
  });

  test('delisting import, list --json through bin/repdesk.js, decide, summary', async () => {
    const bad = file('bad.csv', 'ip,requester,reason,received\n82.0.2.7,a@b.example,@SUM(1),\n82.0.2.400,a@b.example,r,\n');
    const before = await repdeskJson<DelistingSummaryView[]>(as('ivy', 'delisting', 'list'));
    const refusedRun = await repdesk(as('ivy', 'delisting', 'import', bad));
    assert.equal(refusedRun.code, 1);
    assert.match(refusedRun.error[0], /bad\.csv: 2 bad rows; nothing was imported/);
    assert.match(refusedRun.error[1], /bad\.csv line 2: the reason starts with "@"/);
    assert.match(refusedRun.error[2], /bad\.csv line 3: ip: /);
    assert.deepEqual(await repdeskJson<DelistingSummaryView[]>(as('ivy', 'delisting', 'list')), before);
    const good = file('requests.json', JSON.stringify([
      { ip: '82.0.2.7', requester: 'ops@isp.example', reason: 'fixed', received: '2020-01-01' },
      { ip: '93.0.113.9', requester: 'ops@isp.example', reason: 'blocked?' },
    ]));
    const imported = await repdeskJson<ImportResult>(as('ivy', 'delisting', 'import', good));
    assert.equal(imported.created.length, 2);
    assert.equal(imported.closed, 1);
    const spawned = spawnSync(process.execPath, [BIN, '--db', database, 'delisting', 'list', '--json'], { encoding: 'utf8', env: { ...process.env, REPDESK_LOG_LEVEL: 'error' } });
    assert.equal(spawned.status, 0, spawned.stderr);
    const requests = JSON.parse(spawned.stdout) as DelistingSummaryView[];
    const routed = requests.find((request) => request.ip === '82.0.2.7');
    assert.deepEqual([routed?.status, routed?.assignee, routed?.listingIds, routed?.isOverdue], ['new', 'ivy', [1], true]);
    assert.deepEqual(requests.find((request) => request.ip === '93.0.113.9')?.status, 'closed-unlisted');
    const overdue = await repdeskJson<DelistingSummaryView[]>(as('ivy', 'delisting', 'list', '--overdue', '--assignee', 'me'));
    assert.deepEqual(overdue.map((request) => request.id), [routed?.id]);
    const summary = await repdeskJson<QueuesSummary>(as('ivy', 'queues', 'summary'));
    assert.deepEqual([summary.delisting.open, summary.delisting.overdue, summary.delisting.byAssignee[0]], [1, 1, { assignee: 'ivy', isMe: true, count: 1 }]);
    const tooLong = await repdesk(as('ivy', 'delisting', 'decide', String(routed?.id), '--remove-temporarily', '--until', '2099-01-01', '--why', 'x'));
    assert.equal(tooLong.code, 1);
    assert.match(tooLong.error[0], /a temporary removal lasts at most 14 days/);
    // --draft prints what would go out, without deciding; --reply-file sends an edited reply, stored in the request's thread.
    const draft = await repdesk(as('ivy', 'delisting', 'decide', String(routed?.id), '--remove-temporarily', '--draft'));
    assert.equal(draft.code, 0, describeRun(draft));
    const drafted = draft.out.join('\n');
    assert.match(drafted, /^From: abuse-desk@bl\.example\nTo: /);
    assert.match(drafted, /until \w+day \d+ \w+ \d{4}, \d{2}:\d{2} UTC\. On that date it returns to the list by itself, whatever happens in the meantime\./);
    assert.equal((await repdeskJson<DelistingView>(as('ivy', 'delisting', 'show', String(routed?.id)))).status, 'new', '--draft decides nothing');
    const replyFile = join(folder, 'reply.txt');
    writeFileSync(replyFile, 'Hello,\n\nRemoved for two weeks; it comes back by itself after that.\n\nThe reputation team\n');
    const decided = await repdeskJson<DelistingView>(as('ivy', 'delisting', 'decide', String(routed?.id), '--remove-temporarily', '--why', 'cleaned up', '--reply-file', replyFile));
    assert.equal(decided.status, 'removed-temporarily');
    assert.equal(decided.decision?.reply, readFileSync(replyFile, 'utf8'));
    const thread = await repdesk(as('ivy', 'threads', 'show', String(decided.threadId)));
    assert.match(thread.out.join('\n'), /outbound abuse-desk@bl\.example -> [^\n]*: Re: Delisting request for 82\.0\.2\.7/);
    assert.match(thread.out.join('\n'), /sending: No mail relay is configured/);
    assert.equal(decided.listings[0].status, 'suppressed');
    assert.equal(decided.listings[0].suppressedUntil, decided.until);
    const text = await repdesk(as('ivy', 'delisting', 'show', String(routed?.id)));
    assert.match(text.out.join('\n'), /#1 RBL 82\.0\.2\.0\/24 suppressed until/);
  });
});
