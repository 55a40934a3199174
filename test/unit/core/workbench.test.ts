/**
 * The investigator's workbench in the core, on a real SQLite file: the listings query (every
 * filter, every sort, keyset paging through ties), record edits with history, bulk actions
 * (one event per record, all-or-nothing, cancel), CSV escaping, full text and saved views.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperationInput } from '../../../shared/contract.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { AppError } from '../../../main/core/errors.js';
import { csvCell, csvLine } from '../../../shared/csv.js';
import { runBulkAction } from '../../../main/core/workbench/edits.js';
import { SORT_COLUMNS, type ListingFilter, type ListingPage, type ListingSort, type ListingTableRow, type PageCursor } from '../../../shared/workbench.js';
import { sql } from '../../../main/core/db/sql.js';
import { ok, refused } from '../support/results.js';

const START = Date.UTC(2026, 10, 1, 12, 0, 0);
const DAY = 86_400_000;

describe('workbench', () => {
  let folder: string;
  let core: Core;
  let now = START;
  const alice = { actor: 'Alice', localFiles: true };
  const ids: Record<string, number> = {};

  const add = async (key: string, input: OperationInput<'listings.add'>, actor: CallContext = alice) => {
    ids[key] = (await ok(core.dispatch('listings.add', input, actor))).listing.id;
    now += DAY;
  };
  const query = async (filter: ListingFilter, sort: ListingSort = { column: 'id', descending: false }) =>
    (await ok(core.dispatch('listings.query', { filter, sort, limit: 1000 }, alice))).rows.map((row) => row.id);
  const eventCount = () => core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM events`)?.count ?? 0;
  const snapshotOfListings = () => JSON.stringify(core.connection.read.all(sql`SELECT * FROM listings ORDER BY id`));

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-workbench-'));
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(now) });
    await ok(core.dispatch('investigators.add', { name: 'Alice', roles: ['investigator', 'liaison', 'reviewer'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'Bob', roles: ['investigator'] }, alice));
    await add('rbl24', { range: '82.0.2.0/24', list: 'RBL', reason: 'spam-source', txt: 'Snowshoe spam from this block' });
    await add('rblOne', { range: '82.0.2.77', list: 'RBL', reason: 'open-relay', txt: 'Open relay answering on port 25' }, { actor: 'Bob' });
    await add('dul16', { range: '82.0.0.0/16', list: 'DUL', reason: 'dynamic' });
    await add('gal', { range: '82.0.2.200', list: 'GAL', reason: 'approved' });
    await add('v6', { range: '2001:db7::/48', list: 'RBL', reason: 'spam-support', txt: 'Hosting for a spam gang' });
    await add('range', { range: '88.51.100.10-88.51.100.20', list: 'MML', reason: 'marketing' });
    await add('qil', { range: '93.0.113.9', list: 'QIL', reason: 'botnet', level: 2, expires: new Date(now + 2 * DAY).toISOString() });
    // Twenty listings with the same created/changed time: the ties keyset paging must get through.
    const file = join(folder, 'ties.txt');
    writeFileSync(file, Array.from({ length: 20 }, (_, index) => `93.0.113.${100 + index}`).join('\n') + '\n');
    await ok(core.dispatch('listings.importFile', { file: { path: file }, list: 'RBL', reason: 'botnet' }, alice));
    now += DAY;
    await ok(core.dispatch('isps.add', { name: 'Example Net' }, alice));
    const pools = join(folder, 'pools.csv');
    writeFileSync(pools, '45.10.1.0/24,cable modems in Springfield\n45.10.2.0/24\n');
    await ok(core.dispatch('dul.commit', { file: { path: pools }, isp: 'Example Net' }, alice));
    now += DAY;
    // Evidence rows as the evidence helper writes them (its code is not on this branch).
    const write = core.connection.write;
    write.run(sql`INSERT INTO samples (id, sha256, raw, size, subject, body_text, imported_at, imported_by) VALUES
      (1, ${Buffer.alloc(32, 1)}, ${Buffer.from('x')}, 1, 'Cheap watches', 'Buy replica chronographs today', '2026-11-01', 1)`);
    write.run(sql`INSERT INTO sample_links (listing_id, sample_id, linked_at, linked_by) VALUES (${ids.rbl24}, 1, '2026-11-01', 1), (${ids.v6}, 1, '2026-11-01', 1)`);
    write.run(sql`INSERT INTO threads (id, listing_id, subject, created_at, created_by) VALUES (1, ${ids.rblOne}, 'Delisting request', '2026-11-02', 1)`);
    write.run(sql`INSERT INTO thread_messages (thread_id, direction, subject, body_text, created_at, created_by) VALUES
      (1, 'inbound', 'Please delist', 'We have closed the misconfigured mailserver relay', '2026-11-02', 1)`);
  });

  after(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('every filter selects exactly its listings', async () => {
    const tied = (await query({ reason: 'botnet', list: 'RBL' })).length;
    assert.equal(tied, 20);
    assert.deepEqual(await query({ list: 'DUL', isp: 'Example Net' }), (await query({ isp: 'Example Net' })));
    assert.equal((await query({ isp: 'Example Net' })).length, 2);
    assert.deepEqual(await query({ list: 'GAL' }), [ids.gal]);
    assert.deepEqual(await query({ reason: 'open-relay' }), [ids.rblOne]);
    assert.deepEqual(await query({ investigator: 'Bob' }), [ids.rblOne]);
    // Contains IP: address-aware, nested ranges all found, the neighbour outside not.
    assert.deepEqual(await query({ ip: '82.0.2.77' }), [ids.rbl24, ids.rblOne, ids.dul16].sort((a, b) => a - b));
    assert.deepEqual(await query({ ip: '82.0.3.1' }), [ids.dul16]);
    assert.deepEqual(await query({ ip: '88.51.100.15' }), [ids.range]);
    assert.deepEqual(await query({ ip: '88.51.100.21' }), []);
    assert.deepEqual(await query({ ip: '2001:db7:0:ffff::1' }), [ids.v6]);
    // Overlaps CIDR: containing, inside and partly overlapping all count.
    assert.deepEqual(await query({ cidr: '82.0.2.128/25' }), [ids.rbl24, ids.dul16, ids.gal].sort((a, b) => a - b));
    assert.deepEqual(await query({ cidr: '88.51.100.0-88.51.100.10' }), [ids.range]);
    assert.deepEqual(await query({ cidr: '88.51.100.21/32' }), []);
    assert.deepEqual(await query({ cidr: '2001:db7::/32' }), [ids.v6]);
    // Dates: a day includes the whole day; from/to bounds.
    const createdDay = new Date(START + DAY).toISOString().slice(0, 10);
    assert.deepEqual(await query({ createdFrom: createdDay, createdTo: createdDay }), [ids.rblOne]);
    assert.deepEqual(await query({ createdTo: new Date(START).toISOString().slice(0, 10) }), [ids.rbl24]);
    assert.equal((await query({ changedFrom: new Date(START + 7 * DAY).toISOString() })).length, 22);
    // Free text: TXT, notes, samples and correspondence.
    assert.deepEqual(await query({ q: 'snowshoe' }), [ids.rbl24]);
    assert.deepEqual(await query({ q: 'springfield cable' }), await query({ isp: 'Example Net', ip: '45.10.1.1' }));
    assert.deepEqual(await query({ q: 'replica chrono' }), [ids.rbl24, ids.v6].sort((a, b) => a - b));
    assert.deepEqual(await query({ q: 'misconfigured' }), [ids.rblOne]);
    assert.deepEqual(await query({ q: 'relay' }), [ids.rblOne]);
    // Filters combine with AND.
    assert.deepEqual(await query({ ip: '82.0.2.77', list: 'RBL', investigator: 'Alice' }), [ids.rbl24]);
  });

  test('bad filter values are refused with a message naming the filter', async () => {
    await refused(core.dispatch('listings.query', { filter: { ip: '82.0.2.300' } }, alice), 'invalid-input', /^ip: /);
    await refused(core.dispatch('listings.query', { filter: { cidr: '10.0.0.0/33' } }, alice), 'invalid-input', /^cidr: .*prefix/);
    await refused(core.dispatch('listings.query', { filter: { investigator: 'Nobody' } }, alice), 'invalid-input', /investigator: no one is named "Nobody"/);
    await refused(core.dispatch('listings.query', { filter: { isp: 'Nowhere' } }, alice), 'invalid-input', /isp: no ISP/);
    await refused(core.dispatch('listings.query', { filter: { createdFrom: '2026-11-05', createdTo: '2026-11-01' } }, alice), 'invalid-input', /createdFrom .* is after createdTo/);
    await refused(core.dispatch('listings.query', { filter: { q: '"*"' } }, alice), 'invalid-input', /no letters or digits/);
    await refused(core.dispatch('listings.query', { filter: { list: 'XYZ' } }, alice), 'invalid-input', /filter\.list/);
  });

  test('every sort pages through all rows in order, ties broken by id, with no row lost or repeated', async () => {
    const all = (await ok(core.dispatch('listings.query', { filter: {}, sort: { column: 'id', descending: false }, limit: 1000, withCount: true }, alice)));
    assert.equal(all.total, all.rows.length);
    const rows = all.rows;
    const keyOf: Record<(typeof SORT_COLUMNS)[number], (row: ListingTableRow) => string> = {
      changed: (row) => row.updatedAt,
      created: () => '', // id order: ids are given in creation order
      range: (row) => row.range, // checked separately below: address order is not text order
      expires: (row) => row.expiresAt ?? '',
      id: () => '',
    };
    for (const column of SORT_COLUMNS) {
      for (const descending of [false, true]) {
        const paged: ListingTableRow[] = [];
        let after: PageCursor | null = null;
        let pages = 0;
        do {
          const page: ListingPage = await ok(core.dispatch('listings.query', { filter: {}, sort: { column, descending }, after, limit: 3 }, alice));
          paged.push(...page.rows);
          after = page.next;
          pages += 1;
        } while (after && pages < 100);
        const shown = column === 'expires' ? rows.filter((row) => row.expiresAt !== null) : rows;
        assert.equal(paged.length, shown.length, `${column} ${descending ? 'desc' : 'asc'}: every row once`);
        assert.equal(new Set(paged.map((row) => row.id)).size, shown.length, `${column}: no repeats`);
        if (column === 'range') {
          const v6At = paged.findIndex((row) => row.family === 6);
          assert.ok(descending ? v6At === 0 : v6At === paged.length - 1, 'IPv6 sorts after IPv4');
          continue;
        }
        const expected = [...shown].sort((a, b) => {
          const ka = keyOf[column](a);
          const kb = keyOf[column](b);
          const order = ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
          return descending ? -order : order;
        });
        assert.deepEqual(paged.map((row) => row.id), expected.map((row) => row.id), `${column} ${descending ? 'desc' : 'asc'}`);
      }
    }
  });

  test('rows carry the columns the table shows: ISP, sample count, QIL expiry and level', async () => {
    const page = await ok(core.dispatch('listings.query', { filter: { q: 'replica' } }, alice));
    assert.deepEqual(page.rows.map((row) => row.samples), [1, 1]);
    const dul = await ok(core.dispatch('listings.query', { filter: { isp: 'Example Net' } }, alice));
    assert.deepEqual(dul.rows.map((row) => row.isp), ['Example Net', 'Example Net']);
    const qil = await ok(core.dispatch('listings.query', { filter: { list: 'QIL' } }, alice));
    assert.equal(qil.rows[0].level, 2);
    assert.ok(qil.rows[0].expiresAt);
    // Its expiry has passed: still stored as active, no longer published; the others are.
    assert.deepEqual([qil.rows[0].status, qil.rows[0].standing], ['active', 'expired']);
    assert.ok(dul.rows.every((row) => row.standing === 'active'));
  });

  test('search.text finds listings, samples and messages with their listing ids', async () => {
    const hits = await ok(core.dispatch('search.text', { q: 'relay', limit: 10 }, alice));
    assert.deepEqual(
      hits.map((hit) => [hit.kind, hit.listingIds]),
      [
        ['listing', [ids.rblOne]],
        ['message', [ids.rblOne]],
      ],
    );
    assert.match(hits[0].snippet, /\[relay\]/i);
    const samples = await ok(core.dispatch('search.text', { q: 'watches', limit: 10 }, alice));
    assert.deepEqual(samples.map((hit) => [hit.kind, hit.listingIds]), [['sample', [ids.rbl24, ids.v6].sort((a, b) => a - b)]]);
    assert.match(samples[0].snippet, /\[watches\]/i, "FTS5's own snippet of the sample");
    assert.match(hits[1].snippet, /\[relay\]/i, "FTS5's own snippet of the message");
  });

  test('the record shows the CIDR decomposition, the address count and the TXT a mail server gets', async () => {
    const record = await ok(core.dispatch('listings.record', { id: ids.range }, alice));
    assert.deepEqual(record.cidrs, ['88.51.100.10/31', '88.51.100.12/30', '88.51.100.16/30', '88.51.100.20/32']);
    assert.equal(record.addressCount, '11');
    assert.equal(record.ownAnswer.a, '127.0.0.4');
    assert.equal(record.queriedAddress, '88.51.100.10');
    assert.deepEqual(record.atAddress.answer, { ...record.ownAnswer, level: null });
    assert.equal(record.role, 'answers');
    const rbl = await ok(core.dispatch('listings.record', { id: ids.rbl24 }, alice));
    assert.match(rbl.ownAnswer.txt, /^RBL: Spam source - Snowshoe spam from this block; see .*82\.0\.2\.0/);
    assert.equal(rbl.isPublished, true);
    assert.equal(rbl.notPublished, null);
    // The QIL entry's expiry has passed (its stored status still says active): not in the next zone.
    const qil = await ok(core.dispatch('listings.record', { id: ids.qil }, alice));
    assert.equal(qil.status, 'active');
    assert.ok(qil.expiresAt !== null && qil.expiresAt <= new Date(now).toISOString());
    assert.equal(qil.isPublished, false);
    assert.equal(qil.notPublished, 'expired');
    assert.equal(rbl.samples, 1);
    const one = await ok(core.dispatch('listings.record', { id: ids.rblOne }, alice));
    assert.equal(one.threads, 1);
    const v6 = await ok(core.dispatch('listings.record', { id: ids.v6 }, alice));
    assert.equal(v6.addressCount, (2n ** 80n).toString());
    const related = await ok(core.dispatch('listings.related', { id: ids.rbl24 }, alice));
    assert.deepEqual(
      related.overlapping.map((other) => [other.id, other.relation]),
      [
        [ids.dul16, 'contains'],
        [ids.rblOne, 'inside'],
        [ids.gal, 'inside'],
      ],
    );
    assert.deepEqual(related.galInside.map((other) => other.id), [ids.gal]);
  });

  test('edits validate, need a reason and append history; change-list links both records', async () => {
    await refused(core.dispatch('listings.edit', { action: 'txt', id: ids.rbl24, why: ' ', txt: 'x' }, alice), 'invalid-input', /a reason is required/);
    await refused(core.dispatch('listings.edit', { action: 'txt', id: ids.rbl24, why: 'typo', txt: 'costs $1' }, alice), 'invalid-input', /cannot contain "\$1"/);
    await refused(core.dispatch('listings.edit', { action: 'reason', id: ids.rbl24, why: 'x', reason: 'marketing' }, alice), 'invalid-input', /does not belong on RBL/);
    await refused(core.dispatch('listings.edit', { action: 'suppress', id: ids.rbl24, why: 'x', until: '2020-01-01' }, alice), 'invalid-input', /not in the future/);
    await refused(core.dispatch('listings.edit', { action: 'relist', id: ids.rbl24, why: 'x' }, alice), 'conflict', /already active/);
    await refused(core.dispatch('listings.edit', { action: 'reassign', id: ids.gal, why: 'x', investigator: 'Bob' }, alice), 'conflict', /Bob does not have the reviewer role/);
    await refused(core.dispatch('listings.edit', { action: 'txt', id: ids.rbl24, why: 'x', txt: 'y' }, { actor: 'Nobody' }), 'forbidden', /not a known investigator/);

    const before = eventCount();
    await ok(core.dispatch('listings.edit', { action: 'txt', id: ids.rbl24, why: 'clearer text', txt: 'Snowshoe spam, 40 hosts' }, alice));
    await ok(core.dispatch('listings.edit', { action: 'reason', id: ids.rbl24, why: 'they host the senders', reason: 'spam-support' }, alice));
    await ok(core.dispatch('listings.edit', { action: 'reassign', id: ids.rbl24, why: 'Bob takes the case', investigator: 'Bob' }, alice));
    const until = new Date(now + 3 * DAY).toISOString();
    await ok(core.dispatch('listings.edit', { action: 'suppress', id: ids.rbl24, why: 'ISP is cleaning up', until }, alice));
    const removed = await ok(core.dispatch('listings.record', { id: ids.rbl24 }, alice));
    assert.deepEqual([removed.isPublished, removed.notPublished, removed.suppressedUntil], [false, 'removed', until]);
    await ok(core.dispatch('listings.edit', { action: 'relist', id: ids.rbl24, why: 'cleanup failed' }, alice));
    assert.equal((await ok(core.dispatch('listings.record', { id: ids.rbl24 }, alice))).notPublished, null);
    assert.equal(eventCount(), before + 5);
    const history = await ok(core.dispatch('listings.history', { id: ids.rbl24 }, alice));
    assert.deepEqual(history.slice(0, 5).map((event) => [event.action, event.reason]), [
      ['listing.relisted', 'cleanup failed'],
      ['listing.suppressed', 'ISP is cleaning up'],
      ['listing.reassigned', 'Bob takes the case'],
      ['listing.updated', 'they host the senders'],
      ['listing.updated', 'clearer text'],
    ]);
    assert.deepEqual(await query({ q: 'snowshoe hosts' }), [ids.rbl24], 'the TXT index follows the edit');
    assert.deepEqual(await query({ q: 'block' }), [], 'the old TXT is no longer found');

    const moved = await ok(core.dispatch('listings.edit', { action: 'change-list', id: ids.range, why: 'it is spam, not marketing', list: 'RBL', reason: 'spam-source' }, alice));
    assert.equal(moved.replaced, ids.range);
    const old = await ok(core.dispatch('listings.get', { id: ids.range }, alice));
    const created = await ok(core.dispatch('listings.get', { id: moved.id }, alice));
    assert.equal(old.status, 'delisted');
    assert.equal((await ok(core.dispatch('listings.record', { id: ids.range }, alice))).notPublished, 'delisted');
    assert.deepEqual([created.list, created.range, created.status], ['RBL', '88.51.100.10-88.51.100.20', 'active']);
    const oldHistory = await ok(core.dispatch('listings.history', { id: ids.range }, alice));
    const newHistory = await ok(core.dispatch('listings.history', { id: moved.id }, alice));
    assert.equal(oldHistory[0].details.to, moved.id);
    assert.equal(newHistory[0].details.movedFrom, ids.range);
    assert.equal((await ok(core.dispatch('audit.verify', {}, alice))).ok, true);
  });

  test('a bulk action over a filter writes one event per record; a cancel or a failure leaves nothing changed', async () => {
    const filter: ListingFilter = { list: 'RBL', reason: 'botnet' };
    const listingsBefore = snapshotOfListings();
    const eventsBefore = eventCount();
    let calls = 0;
    assert.throws(
      () =>
        runBulkAction(core.connection.write, core.index, 'Alice', { action: 'delist', target: { filter }, why: 'cleanup' }, new Date(now), (progress) => {
          calls += 1;
          if (progress.stage === 'committing') throw new AppError('cancelled', 'cancelled; nothing was changed');
        }),
      /cancelled/,
    );
    assert.ok(calls > 1);
    assert.equal(snapshotOfListings(), listingsBefore, 'a cancel leaves every record as it was');
    assert.equal(eventCount(), eventsBefore, 'and writes no history');

    // One id that does not exist fails the whole action.
    const some = (await query(filter)).slice(0, 3);
    await refused(core.dispatch('listings.bulk', { action: 'delist', target: { ids: [...some, 999_999] }, why: 'x' }, alice), 'not-found', /no listing #999999; nothing was changed/);
    assert.equal(snapshotOfListings(), listingsBefore);

    await ok(core.dispatch('listings.edit', { action: 'delist', id: some[0], why: 'early' }, alice));
    const result = await ok(core.dispatch('listings.bulk', { action: 'delist', target: { filter }, why: 'botnet taken down' }, alice));
    assert.deepEqual([result.changed, result.skipped], [19, 1]);
    assert.match(result.skippedReasons[0], /already delisted/);
    assert.equal(eventCount(), eventsBefore + 1 + 19, 'one event per changed record');
    const events = core.connection.read.all<{ subject_id: number }>(sql`SELECT subject_id FROM events WHERE reason = 'botnet taken down'`);
    assert.equal(new Set(events.map((event) => event.subject_id)).size, 19);
    assert.deepEqual(await query({ ...filter, status: 'active' }), []);

    const extended = await ok(core.dispatch('listings.bulk', { action: 'extend', target: { filter: { list: 'QIL' } }, why: 'still hitting traps', expires: new Date(now + 30 * DAY).toISOString() }, alice));
    assert.equal(extended.changed, 1);
    await refused(core.dispatch('listings.bulk', { action: 'reassign', target: { filter: {} }, why: 'x', investigator: 'Ghost' }, alice), 'invalid-input', /no one is named "Ghost"/);
    await refused(core.dispatch('listings.bulk', { action: 'delist', target: { filter: { ip: '10.9.9.9' } }, why: 'x' }, alice), 'invalid-input', /no listings match/);
    assert.equal((await ok(core.dispatch('audit.verify', {}, alice))).ok, true);
  });

  test('CSV cells that a spreadsheet would run are neutralised, and quoting follows RFC 4180', async () => {
    assert.equal(csvCell('=HYPERLINK("http://evil")'), `"'=HYPERLINK(""http://evil"")"`);
    assert.equal(csvCell('+1 555'), "'+1 555");
    assert.equal(csvCell('-2+3'), "'-2+3");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\tcmd'), "'\tcmd");
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell(-5), '-5', 'numbers the export writes itself are not text a user typed');
    assert.equal(csvCell(null), '');
    assert.equal(csvLine(['a', 1, null]), 'a,1,\r\n');

    await ok(core.dispatch('listings.edit', { action: 'txt', id: ids.v6, why: 'test', txt: '=cmd|calc, "quoted"' }, alice));
    const exported = await ok(core.dispatch('listings.export', { target: { ids: [ids.v6, ids.gal] } }, alice));
    assert.equal(exported.rows, 2);
    const lines = exported.csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,range,list,status,reason,investigator,txt,created,changed,expires,level,isp,samples,standing');
    assert.match(exported.csv, /,"'=cmd\|calc, ""quoted""",/);
    const all = await ok(core.dispatch('listings.export', { target: { filter: { list: 'RBL' } } }, alice));
    assert.equal(all.rows, (await query({ list: 'RBL' })).length);
  });

  test('saved views belong to their investigator and are stored in canonical form', async () => {
    await ok(core.dispatch('views.save', { name: 'my open RBL listings', query: 'status=active&list=RBL&investigator=Alice&sort=changed.desc' }, alice));
    await ok(core.dispatch('views.save', { name: 'relays', query: 'reason=open-relay' }, { actor: 'Bob' }));
    assert.deepEqual(
      (await ok(core.dispatch('views.list', {}, alice))).map((view) => [view.name, view.query]),
      [['my open RBL listings', 'list=RBL&status=active&investigator=Alice&sort=changed.desc']],
    );
    assert.deepEqual((await ok(core.dispatch('views.list', {}, { actor: 'Bob' }))).map((view) => view.name), ['relays']);
    await refused(core.dispatch('views.save', { name: 'bad', query: 'status=gone' }, alice), 'invalid-input', /query: status/);
    await refused(core.dispatch('views.save', { name: 'bad', query: 'colour=red' }, alice), 'invalid-input', /unknown filter "colour"/);
    await refused(core.dispatch('views.save', { name: 'x', query: 'list=RBL' }, { actor: null }), 'forbidden', /belong to an investigator/);
    await refused(core.dispatch('views.delete', { name: 'relays' }, alice), 'not-found', /no saved view named "relays"/);
    await ok(core.dispatch('views.delete', { name: 'relays' }, { actor: 'Bob' }));
    assert.deepEqual(await ok(core.dispatch('views.list', {}, { actor: 'Bob' })), []);
  });
});
