/**
 * What is live is what is recorded: real `repdesk publish` processes killed (SIGKILL) at each
 * named step, paused there while another connection holds the database's write lock longer
 * than the busy timeout, and run two at once into one folder (one of them held between reading
 * what another left unfinished and taking the folder's lock). After each, once a new process
 * has opened the database (which settles an unfinished publish), `<out>/current`, the
 * `snapshots` table, the dashboard's last publish and the large-change approval agree, nothing
 * is left half-written, `repdesk verify` passes on `current` and `audit verify` on the history.
 * Uses the test-only hooks REPDESK_TEST_KILL_AT / REPDESK_TEST_PAUSE_AT (crash-points.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DashboardView } from '../../shared/dashboard.js';
import { PUBLISH_STEPS } from '../../main/core/snapshot/index.js';
import { describeChild, pauseAt, runChild, startChild, type ChildRun } from './support/processes.js';

describe('publish: killed, blocked and concurrent publishes leave current, the records and the approval in agreement', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-crash-'));
  const database = join(folder, 'repdesk.sqlite');
  const key = join(folder, 'repdesk.key');
  const out = join(folder, 'snapshots');
  let host = 1;
  let pauses = 0;

  const repdesk = (args: readonly string[], env: Record<string, string> = {}) => runChild(['--db', database, ...args], env);
  const must = (args: readonly string[], env: Record<string, string> = {}): ChildRun => {
    const run = repdesk(args, env);
    assert.equal(run.code, 0, `repdesk ${args.join(' ')}: ${describeChild(run)}`);
    return run;
  };
  const publishArgs = (actor: string, ...extra: string[]) => ['--actor', actor, 'publish', '--out', out, '--key', key, ...extra];
  const addListing = () => must(['--actor', 'admin', 'listing', 'add', `45.20.${host >> 8}.${host++ & 255}`, '--list', 'RBL', '--reason', 'spam-source']);
  const nextPause = () => join(folder, `pause-${(pauses += 1)}`);

  function query<Row>(text: string, ...values: unknown[]): Row[] {
    const handle = new Database(database, { readonly: true });
    try {
      return handle.prepare(text).all(...values) as Row[];
    } finally {
      handle.close();
    }
  }

  const currentSerial = (): number | null => (existsSync(join(out, 'current')) ? Number(readlinkSync(join(out, 'current'))) : null);

  /**
   * Open the database in a new process (the dashboard, as a cron job would), then check that
   * everything agrees. Returns the current serial and what that process logged.
   */
  function settleAndAgree(what: string): { current: number | null; log: string } {
    const dashboard = must(['dashboard', '--json']);
    const view = JSON.parse(dashboard.out) as DashboardView;
    const rows = query<{ serial: number; state: string; manifest_sha256: string }>('SELECT serial, state, manifest_sha256 FROM snapshots ORDER BY serial');
    const current = currentSerial();
    assert.deepEqual(rows.filter((row) => row.state !== 'live'), [], `${what}: no snapshot left prepared`);
    const newest = rows.at(-1) ?? null;
    assert.equal(newest?.serial ?? null, current, `${what}: current is the newest recorded snapshot`);
    assert.equal(view.publishing.latest?.serial ?? null, current, `${what}: the dashboard's last publish is current`);
    if (newest) {
      const manifest = readFileSync(join(out, String(newest.serial), 'manifest.json'));
      assert.equal(createHash('sha256').update(manifest).digest('hex'), newest.manifest_sha256, `${what}: current's manifest is the recorded one`);
    }
    const approvals = query<{ id: number; used_by_serial: number | null }>('SELECT id, used_by_serial FROM publish_approvals');
    const live = new Set(rows.map((row) => row.serial));
    for (const approval of approvals) {
      assert.ok(approval.used_by_serial === null || live.has(approval.used_by_serial), `${what}: approval #${approval.id} is used by snapshot ${approval.used_by_serial}, which is not recorded`);
    }
    assert.deepEqual(readdirSync(out).filter((name) => name.startsWith('.')), [], `${what}: no .incoming-*, .current-* or lock left in ${out}`);
    if (current !== null) must(['verify', join(out, 'current'), '--pubkey', `${key}.pub`]);
    must(['audit', 'verify']);
    return { current, log: dashboard.error };
  }

  before(() => {
    must(['keygen', '--out', key, '--unencrypted']);
    must(['investigator', 'add', 'admin', '--roles', 'investigator,admin']);
    must(['--actor', 'admin', 'investigator', 'add', 'pat', '--roles', 'publisher']);
    must(['--actor', 'admin', 'investigator', 'add', 'quinn', '--roles', 'publisher']);
    addListing();
    must(publishArgs('pat'));
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test('a kill at each step: before the switch the attempt is rolled back and its approval released; after it, the snapshot is recorded live', () => {
    // Every change needs a second publisher: each attempt uses an approval.
    must(['--actor', 'admin', 'settings', 'set', 'publish', '{"maxAddedPerList":0}']);
    try {
      killAtEachStep();
    } finally {
      must(['--actor', 'admin', 'settings', 'set', 'publish', '{"maxAddedPerList":10000}']);
    }
  });

  function killAtEachStep(): void {
    for (const step of PUBLISH_STEPS) {
      const before = currentSerial() as number;
      addListing();
      const asked = repdesk(publishArgs('pat'));
      assert.equal(asked.code, 1, `${step}: ${describeChild(asked)}`);
      assert.match(asked.error, /needs a second publisher's approval/);
      const request = query<{ id: number }>('SELECT id FROM publish_approvals ORDER BY id DESC LIMIT 1')[0].id;

      const killed = repdesk(publishArgs('quinn', '--approve-large-change'), { REPDESK_TEST_KILL_AT: step });
      assert.equal(killed.signal, 'SIGKILL', `${step}: the publish killed itself there: ${describeChild(killed)}`);
      const attempted = query<{ serial: number }>(`SELECT max(subject_id) AS serial FROM events WHERE subject_type = 'snapshot' AND action = 'snapshot.prepared'`)[0].serial;
      assert.ok(attempted > before, `${step}: a snapshot was prepared`);

      const { current, log } = settleAndAgree(`killed at ${step}`);
      const [approval] = query<{ approved_by: number | null; used_by_serial: number | null }>('SELECT approved_by, used_by_serial FROM publish_approvals WHERE id = ?', request);
      const settled = query<{ details: string }>(`SELECT details FROM events WHERE action = 'snapshot.reconciled' AND subject_id = ?`, attempted);
      const isAfterSwitch = step === 'switch' || step === 'commit';
      if (isAfterSwitch) {
        assert.equal(current, attempted, `${step}: the switched snapshot stays current`);
        assert.equal(approval.used_by_serial, attempted, `${step}: the approval is used by it`);
      } else {
        assert.equal(current, before, `${step}: the previous snapshot stays current`);
        assert.equal(existsSync(join(out, String(attempted))), false, `${step}: no folder of the attempt`);
        assert.equal(approval.used_by_serial, null, `${step}: the approval is released`);
        assert.notEqual(approval.approved_by, null, `${step}: and still approved`);
      }
      if (step === 'commit') {
        assert.deepEqual(settled, [], 'killed after the commit: nothing to settle');
      } else {
        assert.equal(settled.length, 1, `${step}: one event says what was found and done`);
        const details = JSON.parse(settled[0].details) as { outcome: string; found: string; done: string; by: string };
        assert.equal(details.outcome, isAfterSwitch ? 'finished' : 'rolled back', `${step}: ${details.found}`);
        assert.equal(details.by, 'start-up');
        assert.match(log, new RegExp(`recovered an unfinished publish: .*snapshot ${attempted}`), `${step}: the log says so`);
      }
      if (!isAfterSwitch) {
        // The approval still serves: the publisher who asked publishes the change now.
        must(publishArgs('pat'));
        assert.equal(query<{ used_by_serial: number }>('SELECT used_by_serial FROM publish_approvals WHERE id = ?', request)[0].used_by_serial, currentSerial());
      }
    }
  }

  test('the write lock held longer than the busy timeout before the publish: it fails cleanly, nothing switched or recorded', () => {
    addListing();
    const before = currentSerial();
    const rows = query('SELECT serial, state FROM snapshots');
    const holder = new Database(database);
    let run: ChildRun;
    try {
      holder.exec('BEGIN IMMEDIATE');
      run = repdesk(publishArgs('pat'));
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    assert.equal(run.code, 1, describeChild(run));
    assert.match(run.error, /the database is busy/);
    assert.equal(currentSerial(), before);
    assert.deepEqual(query('SELECT serial, state FROM snapshots'), rows);
    settleAndAgree('lock held before the publish');
  });

  test('the write lock taken while the snapshot is written: the publish fails before the switch, and is rolled back at the next start', async () => {
    addListing();
    const before = currentSerial();
    const pause = pauseAt('signature', nextPause());
    const child = startChild(['--db', database, ...publishArgs('pat')], pause.env);
    await pause.reached(child.done);
    const holder = new Database(database);
    let run: ChildRun;
    try {
      holder.exec('BEGIN IMMEDIATE');
      pause.release();
      run = await child.done;
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    assert.equal(run.code, 1, describeChild(run));
    assert.match(run.error, /the database is busy/);
    assert.equal(currentSerial(), before, 'nothing was switched');
    const { current } = settleAndAgree('lock taken while writing');
    assert.equal(current, before);
    must(publishArgs('pat'));
    settleAndAgree('the next publish');
  });

  test('the write lock held across the switch: the switched snapshot is recorded live once the lock is released', async () => {
    addListing();
    const before = currentSerial() as number;
    const pause = pauseAt('switch', nextPause());
    const child = startChild(['--db', database, ...publishArgs('pat')], pause.env);
    await pause.reached(child.done);
    const holder = new Database(database);
    holder.exec('BEGIN IMMEDIATE');
    pause.release();
    // Longer than the busy timeout (5 s), shorter than the publish's patience after a switch.
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 7000));
    holder.exec('ROLLBACK');
    holder.close();
    const run = await child.done;
    assert.equal(run.code, 0, describeChild(run));
    assert.match(run.error, /the database is busy, still trying to record it as live/);
    const { current } = settleAndAgree('lock held across the switch');
    assert.ok((current as number) > before);
  });

  test('two publishes into one folder: the second waits for the first, or is refused after --wait; never interleaved', async () => {
    addListing();
    const pause = pauseAt('files', nextPause());
    const first = startChild(['--db', database, ...publishArgs('pat')], pause.env);
    await pause.reached(first.done);
    const refused = repdesk(publishArgs('quinn', '--wait', '1'));
    assert.equal(refused.code, 1, describeChild(refused));
    assert.match(refused.error, new RegExp(`another publish into ${out} is running \\(process ${first.pid} on .*\\); try again when it has finished`));
    pause.release();
    assert.equal((await first.done).code, 0);
    settleAndAgree('a publish refused while another ran');

    // Started together: each waits its turn; the manifests chain one after the other.
    addListing();
    const runs = await Promise.all([startChild(['--db', database, ...publishArgs('pat')]).done, startChild(['--db', database, ...publishArgs('quinn')]).done]);
    for (const run of runs) assert.equal(run.code, 0, describeChild(run));
    settleAndAgree('two publishes at once');
    const [older, newer] = query<{ serial: number }>('SELECT serial FROM snapshots ORDER BY serial DESC LIMIT 2').reverse();
    const newerManifest = JSON.parse(readFileSync(join(out, String(newer.serial), 'manifest.json'), 'utf8')) as { previousManifestSha256: string };
    assert.equal(newerManifest.previousManifestSha256, createHash('sha256').update(readFileSync(join(out, String(older.serial), 'manifest.json'))).digest('hex'));
  });

  test('a publish that finishes while another one, starting, waits to settle what it read as unfinished: the finished one stays live', async () => {
    // The race behind a flaky ENOENT on the newest manifest: the second publish read the first's
    // row while it was still prepared (no manifest recorded yet), the first then went live, and the
    // second, taking the lock, judged the stale row and removed the live snapshot's folder.
    addListing();
    const firstPause = pauseAt('files', nextPause());
    const first = startChild(['--db', database, ...publishArgs('pat')], firstPause.env);
    await firstPause.reached(first.done);
    const secondPause = pauseAt('reconcile', nextPause());
    const second = startChild(['--db', database, ...publishArgs('quinn')], secondPause.env);
    await secondPause.reached(second.done);
    firstPause.release();
    const firstRun = await first.done;
    assert.equal(firstRun.code, 0, describeChild(firstRun));
    const published = currentSerial() as number;
    secondPause.release();
    const secondRun = await second.done;
    assert.equal(secondRun.code, 0, describeChild(secondRun));
    assert.doesNotMatch(secondRun.error, /recovered an unfinished publish/, 'the second publish found nothing to recover');
    assert.ok(existsSync(join(out, String(published), 'manifest.json')), 'the first snapshot is still there');
    const { current } = settleAndAgree('a publish finished while another waited to settle it');
    assert.ok((current as number) > published, 'the second one went live after it');
    assert.deepEqual(query(`SELECT subject_id FROM events WHERE action = 'snapshot.reconciled' AND subject_id = ?`, published), [], 'nothing was reconciled about the first');
  });

  test('a stale lock (its process is gone, as a kill leaves it) is taken over', async () => {
    const gone = startChild(['--help']);
    await gone.done;
    const lock = join(out, '.publish.lock');
    writeFileSync(lock, JSON.stringify({ pid: gone.pid, started: null, host: hostname(), at: new Date().toISOString() }));
    addListing();
    must(publishArgs('pat', '--wait', '1'));
    assert.equal(existsSync(lock), false);
    settleAndAgree('a stale lock');
  });
});
