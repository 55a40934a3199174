/**
 * DUL submissions end to end through the core's dispatch: the ISP registry, parsing (BOM, CRLF,
 * comments, quoted fields with newlines, host bits, duplicates), rejected lines and refused
 * files (nothing changes), the preview's overlaps and diff, replace / add / revert round trips
 * (the previous set restored byte for byte), the ISP's limits at publish time (valid-until,
 * exclusions: checked against a brute-force oracle and in the rbldnsd text), and the import
 * as a background job.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatCidr, formatRange, parseRange, rangeToCidrs, type AddressRange, type Cidr, type Family } from '../../../shared/address.js';
import type { SubmissionPreview } from '../../../shared/dul.js';
import { defaultSettings } from '../../../shared/settings.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { resolveZones } from '../../../main/core/publish/resolve/resolve.js';
import { writeRbldnsd } from '../support/zone-text.js';
import { applyExclusions } from '../../../main/core/rule/dul-limits.js';
import { parseTermDate } from '../../../main/core/dul/submission-file.js';
import { mulberry32, randomInt } from '../support/random.js';
import { readListings, zoneSegments } from '../support/published.js';
import { ok, refused } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const LIAISON: CallContext = { actor: 'lia', localFiles: true };

/** Order ranges as the preview lists them: by address. */
function compareText(a: string, b: string): number {
  const left = range(a);
  const right = range(b);
  return left.family - right.family || (left.first < right.first ? -1 : left.first > right.first ? 1 : 0);
}

function range(text: string): AddressRange {
  const parsed = parseRange(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return { family: parsed.value.family, first: parsed.value.first, last: parsed.value.last };
}

describe('DUL submissions', () => {
  let folder: string;
  let databasePath: string;
  let core: Core;
  let now: number;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-dul-'));
    databasePath = join(folder, 'repdesk.sqlite');
    now = NOW;
    core = createCore({ databasePath, now: () => new Date(now) });
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['admin'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'lia', roles: ['liaison'] }, { actor: 'admin' }));
    await ok(core.dispatch('investigators.add', { name: 'ivan', roles: ['investigator', 'reviewer'] }, { actor: 'admin' }));
    await ok(core.dispatch('isps.add', { name: 'Example Net', asns: [64500], country: 'de', ispContacts: ['noc@example.net'] }, LIAISON));
    await ok(core.dispatch('isps.add', { name: 'Other ISP', asns: [64501] }, LIAISON));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function file(name: string, content: string | Buffer): string {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  }

  /** Everything a refused import must leave alone. */
  function databaseState(): unknown {
    const database = new Database(databasePath, { readonly: true });
    try {
      return {
        listings: database.prepare('SELECT * FROM listings ORDER BY id').all(),
        submissions: database.prepare('SELECT * FROM dul_submissions ORDER BY id').all(),
        exclusions: database.prepare('SELECT * FROM dul_exclusions').all(),
        events: database.prepare('SELECT id, hash FROM events ORDER BY id').all(),
      };
    } finally {
      database.close();
    }
  }

  /** The ISP's active DUL set as stored: hex keys in address order. */
  function activeSet(isp: string): string[] {
    const database = new Database(databasePath, { readonly: true });
    try {
      return (
        database
          .prepare(
            `SELECT hex(l.first) || '-' || hex(l.last) AS range FROM listings l JOIN dul_submissions s ON s.id = l.submission_id JOIN isps i ON i.id = s.isp_id
             WHERE i.name = ? AND l.status = 'active' ORDER BY l.family, l.first, l.last`,
          )
          .all(isp) as Array<{ range: string }>
      ).map((row) => row.range);
    } finally {
      database.close();
    }
  }

  const submit = (path: string, extra: Record<string, unknown> = {}) => core.dispatch('dul.commit', { file: { path }, isp: 'Example Net', ...extra }, LIAISON);
  const preview = (path: string, extra: Record<string, unknown> = {}) => ok(core.dispatch('dul.preview', { file: { path }, isp: 'Example Net', ...extra }, LIAISON));

  test('the ISP registry: add, list, get, update; names are unique; changes need the liaison role', async () => {
    const isps = await ok(core.dispatch('isps.list', {}, LIAISON));
    assert.deepEqual(isps.map((isp) => [isp.name, isp.country, isp.asns, isp.activeRanges]), [
      ['Example Net', 'DE', [64500], 0],
      ['Other ISP', null, [64501], 0],
    ]);
    await refused(core.dispatch('isps.add', { name: 'example net' }, LIAISON), 'conflict', /already in the registry/);
    await refused(core.dispatch('isps.add', { name: 'Third' }, { actor: 'ivan', localFiles: true }), 'forbidden', /liaison role/);
    const updated = await ok(core.dispatch('isps.update', { name: 'example net', asns: [64502, 64500], notes: 'static blocks in 45.10.200.0/21', liaisonContacts: ['lia'] }, LIAISON));
    assert.deepEqual([updated.name, updated.asns, updated.notes, updated.liaisonContacts, updated.ispContacts], ['Example Net', [64500, 64502], 'static blocks in 45.10.200.0/21', ['lia'], ['noc@example.net']]);
    await refused(core.dispatch('isps.get', { name: 'Nobody' }, LIAISON), 'not-found', /no ISP named "Nobody"/);
  });

  test('parsing: BOM, CRLF, comments, blank lines, a header, quoted notes with newlines, host bits and duplicates reported with line numbers', async () => {
    const path = file(
      'sub.csv',
      '\uFEFFrange,policy note,valid-until\r\n' +
        '# dynamic pools\r\n' +
        '\r\n' +
        '45.10.1.7/24,"pool A\r\nsecond line",2027-01-31\r\n' +
        '45.10.2.0/24,,\r\n' +
        '2a01:4f8:100::/48,v6 pool\r\n' +
        '45.10.1.0/24,again\r\n',
    );
    const result = await preview(path);
    assert.equal(result.lines, 4);
    assert.equal(result.ranges, 3);
    assert.deepEqual([result.ipv4, result.ipv6], [2, 1]);
    assert.deepEqual(result.normalisations.items, ['line 4: 45.10.1.7/24 has host bits set; normalised to 45.10.1.0/24']);
    assert.deepEqual(result.duplicates.items, ['line 8: 45.10.1.0/24 also stands on line 4; merged']);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(result.diff.added.items, ['45.10.1.0/24', '45.10.2.0/24', '2a01:4f8:100::/48']);
    const committed = await ok(submit(path));
    assert.equal(committed.submission.added, 3);
    const detail = await ok(core.dispatch('isps.get', { name: 'Example Net' }, LIAISON));
    const pool = detail.ranges.find((entry) => entry.range === '45.10.1.0/24');
    assert.equal(pool?.policyNote, 'pool A\nsecond line');
    assert.equal(pool?.validUntil, '2027-02-01T00:00:00.000Z');
    assert.equal(detail.isp.activeRanges, 3);
  });

  test('rejected lines: each with its number and reason, and nothing committed unless the user confirms exactly those lines', async () => {
    const path = file(
      'bad.csv',
      [
        '45.10.1.0/24',
        '45.10.2.0/24;pool B',
        '10.0.0.0/8',
        '45.10.3.0/33',
        '45.10.4.0/24,note,not-a-date',
        '45.10.5.0/24,note,2026-01-01',
        '45.10.6.0/24,a,b,c',
        '2001:db8::/32',
        '045.10.7.0/24',
      ].join('\n') + '\n',
    );
    const before = databaseState();
    const { details = [] } = await refused(submit(path), 'invalid-input', /bad.csv: 8 bad lines; nothing was imported/);
    assert.equal(details.length, 8);
    assert.match(details[0], /^line 2: fields are separated by commas, not ";"/);
    assert.match(details[1], /^line 3: 10\.0\.0\.0\/8 overlaps 10\.0\.0\.0\/8, private \(RFC 1918\): reserved or private space is never listed/);
    assert.match(details[2], /^line 4: .*prefix \/33 is out of range/);
    assert.match(details[3], /^line 5: valid-until "not-a-date" is not a date/);
    assert.match(details[4], /^line 6: valid-until 2026-01-01 has already passed/);
    assert.match(details[5], /^line 7: expected "range\[,policy note\]\[,valid-until\]", found 4 fields/);
    assert.match(details[6], /^line 8: 2001:db8::\/32 overlaps 2001:db8::\/32, documentation/);
    assert.match(details[7], /^line 9: .*leading zero/);
    assert.deepEqual(databaseState(), before);

    const shown = await preview(path);
    assert.deepEqual(shown.rejectedLines, [2, 3, 4, 5, 6, 7, 8, 9]);
    await refused(submit(path, { confirmRejected: [2, 3, 4] }), 'invalid-input', /8 bad lines/);
    assert.deepEqual(databaseState(), before);
    const accepted = await ok(submit(path, { confirmRejected: shown.rejectedLines }));
    assert.equal(accepted.submission.added, 1);
    assert.equal(activeSet('Example Net').length, 1);
  });

  test('files that are not a submission are refused before reading, and nothing changes', async () => {
    const before = databaseState();
    const sparse = join(folder, 'huge.txt');
    const handle = openSync(sparse, 'w');
    ftruncateSync(handle, 2 * 1024 ** 3);
    closeSync(handle);
    await refused(submit(sparse), 'invalid-input', /huge\.txt is 2\.0 GiB, over the import limit/);
    await refused(submit(file('sheet.txt', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]))), 'invalid-input', /ZIP archive \(an \.xlsx\/\.ods spreadsheet\?\)/);
    await refused(submit(file('latin1.txt', Buffer.from('45.10.1.0/24 # Gr\xfc\xdfe\n', 'latin1'))), 'invalid-input', /not UTF-8/);
    await refused(submit(file('comments.txt', '# nothing\n\n')), 'invalid-input', /no ranges to list/);
    await refused(submit(file('ok.txt', '45.10.1.0/24\n'), { isp: 'Nobody' }), 'not-found', /no ISP named "Nobody"/);
    await refused(submit(file('ok2.txt', '45.10.1.0/24\n'), { validUntil: '2026-11-01' }), 'invalid-input', /--valid-until 2026-11-01 has already passed/);
    await refused(submit(file('ok5.txt', '45.10.1.0/24\n'), { effective: '2027-02-01', validUntil: '2027-01-31' }), 'invalid-input', /--effective 2027-02-01 is not before --valid-until 2027-01-31/);
    await refused(core.dispatch('dul.commit', { file: { path: file('ok3.txt', '45.10.1.0/24\n') }, isp: 'Example Net' }, { actor: 'ivan', localFiles: true }), 'forbidden', /liaison role/);
    await refused(submit(file('ok4.txt', '45.10.1.0/24\n'), { exclude: ['45.10.2.0/28'] }), 'invalid-input', /exclusion 45\.10\.2\.0\/28 is not inside the submission/);
    assert.deepEqual(databaseState(), before);
  });

  test('the preview shows overlaps with another ISP\'s DUL ranges, GAL entries and active RBL listings', async () => {
    await ok(core.dispatch('dul.commit', { file: { path: file('other.txt', '45.10.8.0/22\n') }, isp: 'Other ISP' }, LIAISON));
    await ok(core.dispatch('listings.add', { range: '45.10.20.5', list: 'GAL', reason: 'approved' }, { actor: 'ivan', localFiles: true }));
    await ok(core.dispatch('listings.add', { range: '45.10.30.0/30', list: 'RBL', reason: 'spam-source' }, { actor: 'ivan', localFiles: true }));
    const delisted = await ok(core.dispatch('listings.add', { range: '45.10.40.1', list: 'RBL', reason: 'spam-source' }, { actor: 'ivan', localFiles: true }));
    await ok(core.dispatch('listings.delist', { id: delisted.listing.id, why: 'cleaned' }, { actor: 'ivan', localFiles: true }));
    const result = await preview(file('mine.txt', '45.10.9.0/24\n45.10.20.0/24\n45.10.30.0/24\n45.10.40.0/24\n45.10.50.0/24\n'));
    assert.deepEqual(
      result.otherIspOverlaps.items.map((item) => [item.line, item.range, item.otherRange, item.isp]),
      [[1, '45.10.9.0/24', '45.10.8.0/22', 'Other ISP']],
    );
    assert.deepEqual(result.galOverlaps.items.map((item) => [item.range, item.otherRange]), [['45.10.20.0/24', '45.10.20.5']]);
    assert.deepEqual(result.rblOverlaps.items.map((item) => [item.range, item.otherRange]), [['45.10.30.0/24', '45.10.30.0/30']]);
    assert.equal(result.diff.added.total, 5, 'overlaps are shown, not merged away');
  });

  test('replace, add and revert: the diff is exact and a revert restores the previous set byte for byte', async () => {
    const random = mulberry32(5);
    const pool = Array.from({ length: 60 }, (_, index) => (index % 3 === 2 ? `2a01:4f8:${index.toString(16)}::/48` : `45.${10 + (index % 7)}.${index}.0/24`));
    const pick = () => pool.filter(() => random() < 0.5);
    const sets = [pick(), pick(), pick()];
    const history: string[][] = [activeSet('Example Net')];
    const ids: number[] = [];
    for (const [index, set] of sets.entries()) {
      const path = file(`set${index}.txt`, `${set.join('\n')}\n`);
      const before = new Set(history[history.length - 1]);
      const shown: SubmissionPreview = await preview(path);
      const committed = await ok(submit(path));
      ids.push(committed.submission.id);
      const after = activeSet('Example Net');
      const afterKeys = new Set(after);
      assert.equal(after.length, new Set(set).size);
      assert.equal(shown.diff.added.total, [...afterKeys].filter((key) => !before.has(key)).length);
      assert.equal(shown.diff.removed.total, [...before].filter((key) => !afterKeys.has(key)).length);
      assert.equal(shown.diff.unchanged, [...afterKeys].filter((key) => before.has(key)).length);
      assert.deepEqual(committed.submission.added, shown.diff.added.total);
      history.push(after);
    }
    const extra = file('extra.txt', `45.99.0.0/24\n${sets[2][0]}\n`);
    const added = await ok(submit(extra, { mode: 'add' }));
    assert.equal(added.preview.diff.removed.total, 0);
    assert.equal(added.preview.diff.unchanged, 1);
    assert.equal(activeSet('Example Net').length, history[3].length + 1);
    await refused(core.dispatch('dul.revert', { id: ids[2] }, LIAISON), 'conflict', new RegExp(`#${added.submission.id} of Example Net came after #${ids[2]}; revert it first`));
    await ok(core.dispatch('dul.revert', { id: added.submission.id }, LIAISON));
    assert.deepEqual(activeSet('Example Net'), history[3]);
    for (let index = ids.length - 1; index >= 0; index -= 1) {
      const reverted = await ok(core.dispatch('dul.revert', { id: ids[index] }, LIAISON));
      assert.equal(reverted.submission.revertedBy, 'lia');
      assert.deepEqual(activeSet('Example Net'), history[index], `after reverting submission ${index}`);
    }
    await refused(core.dispatch('dul.revert', { id: ids[0] }, LIAISON), 'conflict', /already reverted/);
    const audit = await ok(core.dispatch('audit.verify', {}, LIAISON));
    assert.equal(audit.ok, true);
  });

  test('every list of a preview is browsable in full, page by page, beyond the excerpt', async () => {
    const previewFolder = join(folder, 'previews');
    process.env.REPDESK_PREVIEW_DIR = previewFolder;
    try {
      // 2,600 current /24s; the new file keeps the even ones and adds 2,400 others: 1,300 removed, 2,400 added.
      const current = Array.from({ length: 2600 }, (_, index) => `45.${10 + Math.floor(index / 256)}.${index % 256}.0/24`);
      await ok(submit(file('current.txt', `${current.join('\n')}\n`)));
      const fresh = Array.from({ length: 2400 }, (_, index) => `46.${10 + Math.floor(index / 256)}.${index % 256}.0/24`);
      const next = [...current.filter((_, index) => index % 2 === 0), ...fresh, '46.99.0.1/24'];
      const shown = await preview(file('next.txt', `${next.join('\n')}\n`));
      assert.ok(shown.spool, 'a preview is spooled');
      assert.equal(shown.diff.added.items.length, 1000, 'the result carries the excerpt only');
      const all = async (list: 'added' | 'removed' | 'normalisations', size: number) => {
        const items: unknown[] = [];
        for (let offset = 0; ; offset += size) {
          const page = await ok(core.dispatch('dul.previewItems', { spool: shown.spool, list, offset, limit: size }, LIAISON));
          items.push(...page.items);
          if (page.items.length < size) {
            assert.equal(page.total, items.length);
            return items;
          }
        }
      };
      const expectedAdded = [...fresh, '46.99.0.0/24'].sort((a, b) => compareText(a, b));
      const added = await all('added', 333);
      assert.equal(added.length, 2401);
      assert.deepEqual([...added].sort((a, b) => compareText(a as string, b as string)), expectedAdded);
      assert.deepEqual(added.slice(0, 1000), shown.diff.added.items, 'the excerpt is the first page of the full list');
      const removed = await all('removed', 1000);
      assert.deepEqual(
        [...removed].sort((a, b) => compareText(a as string, b as string)),
        current.filter((_, index) => index % 2 === 1).sort((a, b) => compareText(a, b)),
      );
      assert.deepEqual(await all('normalisations', 7), shown.normalisations.items);
      const middle = await ok(core.dispatch('dul.previewItems', { spool: shown.spool, list: 'added', offset: 1999, limit: 3 }, LIAISON));
      assert.deepEqual(middle.items, added.slice(1999, 2002), 'a page across a checkpoint');
      const past = await ok(core.dispatch('dul.previewItems', { spool: shown.spool, list: 'added', offset: 5000 }, LIAISON));
      assert.deepEqual(past, { total: 2401, items: [] });
      await refused(core.dispatch('dul.previewItems', { spool: '../../etc/passwd', list: 'added' }, LIAISON), 'invalid-input', /preview id/);
      await refused(core.dispatch('dul.previewItems', { spool: 'f'.repeat(32), list: 'added' }, LIAISON), 'not-found', /run the preview again/);
      const committed = await ok(submit(file('next2.txt', `${next.join('\n')}\n`)));
      assert.equal(committed.preview.spool, null, 'a commit leaves no spool behind');
      assert.equal(readdirSync(previewFolder).length, 1, 'only the preview made a spool');
    } finally {
      delete process.env.REPDESK_PREVIEW_DIR;
    }
  });

  test('a revert restores the policy notes and valid-until of the previous set, and each record names its submission in its history', async () => {
    const first = await ok(submit(file('a.csv', '45.10.1.0/24,pool A,2027-03-01\n45.10.2.0/24\n')));
    await ok(submit(file('b.txt', '45.10.3.0/24\n')));
    await ok(core.dispatch('dul.revert', { id: first.submission.id + 1 }, LIAISON));
    const detail = await ok(core.dispatch('isps.get', { name: 'Example Net' }, LIAISON));
    assert.deepEqual(
      detail.ranges.map((entry) => [entry.range, entry.submissionId, entry.policyNote, entry.validUntil]),
      [
        ['45.10.1.0/24', first.submission.id, 'pool A', '2027-03-02T00:00:00.000Z'],
        ['45.10.2.0/24', first.submission.id, null, null],
      ],
    );
    const events = await ok(core.dispatch('listings.history', { id: detail.ranges[0].listingId }, LIAISON));
    assert.deepEqual(events.map((event) => event.action), ['listings.restored']);
    assert.match(events[0].reason ?? '', new RegExp(`DUL submission #${first.submission.id + 1} of Example Net reverted`));
  });

  test('a replace and a revert record one listings.delisted event per contiguous run of ids, leaving out what was already delisted', async () => {
    const first = await ok(submit(file('a.txt', '45.10.1.0/24\n45.10.2.0/24\n45.10.3.0/24\n')));
    // An RBL listing in between makes a gap in the ISP's ids.
    await ok(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source' }, { actor: 'ivan' }));
    const second = await ok(submit(file('b.txt', '45.10.4.0/24\n45.10.5.0/24\n'), { mode: 'add' }));
    const idsOf = (submission: number) => {
      const database = new Database(databasePath, { readonly: true });
      try {
        return database.prepare('SELECT id FROM listings WHERE submission_id = ? ORDER BY id').pluck().all(submission) as number[];
      } finally {
        database.close();
      }
    };
    const [a1, a2, a3] = idsOf(first.submission.id);
    const [b1, b2] = idsOf(second.submission.id);
    assert.equal(b1, a3 + 2, 'the RBL listing took the id between the two submissions');
    await ok(core.dispatch('listings.delist', { id: a2, why: 'returned to the ISP' }, LIAISON));
    const runs = (reason: string) => {
      const database = new Database(databasePath, { readonly: true });
      try {
        return database.prepare("SELECT subject_id, subject_last FROM events WHERE action = 'listings.delisted' AND reason = ? ORDER BY id").raw().all(reason);
      } finally {
        database.close();
      }
    };

    const third = await ok(submit(file('c.txt', '45.20.1.0/24\n45.20.2.0/24\n45.20.3.0/24\n')));
    assert.deepEqual(runs(`replaced by DUL submission #${third.submission.id} of Example Net`), [[a1, null], [a3, null], [b1, b2]]);

    const [c1, c2, c3] = idsOf(third.submission.id);
    await ok(core.dispatch('listings.delist', { id: c2, why: 'not dynamic after all' }, LIAISON));
    const reverted = await ok(core.dispatch('dul.revert', { id: third.submission.id }, LIAISON));
    assert.equal(reverted.delisted, 2);
    assert.equal(reverted.restored, 4);
    assert.deepEqual(runs(`DUL submission #${third.submission.id} of Example Net reverted`), [[c1, null], [c3, null]]);
    const detail = await ok(core.dispatch('isps.get', { name: 'Example Net' }, LIAISON));
    assert.deepEqual(detail.ranges.map((entry) => entry.range), ['45.10.1.0/24', '45.10.3.0/24', '45.10.4.0/24', '45.10.5.0/24']);
  });

  test('valid-until: a DUL range past it is not in force at publish time (submission-wide and per line)', async () => {
    await ok(submit(file('terms.csv', '45.10.1.0/24\n45.10.2.0/24,short,2026-12-01\n'), { validUntil: '2027-01-01' }));
    const dulAt = (time: number) =>
      readListings(core.connection.read, new Date(time))
        .filter((listing) => listing.list === 'DUL')
        .map((listing) => formatRange(listing));
    assert.deepEqual(dulAt(NOW), ['45.10.1.0/24', '45.10.2.0/24']);
    assert.deepEqual(dulAt(Date.UTC(2026, 11, 1, 23, 59)), ['45.10.1.0/24', '45.10.2.0/24']);
    assert.deepEqual(dulAt(Date.UTC(2026, 11, 2, 0, 0)), ['45.10.1.0/24']);
    assert.deepEqual(dulAt(Date.UTC(2027, 0, 2, 0, 0)), []);
    const zone = resolveZones(readListings(core.connection.read, new Date(Date.UTC(2027, 0, 2))), defaultSettings()).zones.find((entry) => entry.name === 'DUL');
    assert.deepEqual(zoneSegments(zone, 4).map((segment) => formatRange({ family: 4, first: segment.first, last: segment.last })), ['127.0.0.2']);
  });

  test('effective date: a submission effective later waits, and the set it replaces stays in force until then', async () => {
    const dulAt = (time: number) =>
      readListings(core.connection.read, new Date(time))
        .filter((listing) => listing.list === 'DUL')
        .map((listing) => formatRange(listing));
    await ok(submit(file('old.txt', '45.10.1.0/24\n45.10.2.0/24\n')));
    // Replaced on 2026-12-10, then again (still before the first replacement is in force) on 2026-12-20.
    const second = await ok(submit(file('new.txt', '45.10.2.0/24\n45.10.3.0/24\n'), { effective: '2026-12-10' }));
    assert.equal(second.submission.effectiveAt, '2026-12-10T00:00:00.000Z');
    assert.deepEqual(activeSet('Example Net').length, 2, "the ISP's current set is the new one");
    assert.deepEqual(dulAt(NOW), ['45.10.1.0/24', '45.10.2.0/24'], 'before the effective date the previous set is published');
    assert.deepEqual(dulAt(Date.UTC(2026, 11, 9, 23, 59)), ['45.10.1.0/24', '45.10.2.0/24']);
    assert.deepEqual(dulAt(Date.UTC(2026, 11, 10)), ['45.10.2.0/24', '45.10.3.0/24'], 'from the effective date the new set');
    const third = await ok(submit(file('newer.txt', '45.10.4.0/24\n'), { effective: '2026-12-20' }));
    assert.deepEqual(dulAt(NOW), ['45.10.1.0/24', '45.10.2.0/24'], 'a set that never came into force is not published by its replacement');
    assert.deepEqual(dulAt(Date.UTC(2026, 11, 15)), ['45.10.2.0/24', '45.10.3.0/24']);
    assert.deepEqual(dulAt(Date.UTC(2026, 11, 20)), ['45.10.4.0/24']);
    await ok(core.dispatch('dul.revert', { id: third.submission.id }, LIAISON));
    assert.deepEqual(dulAt(NOW), ['45.10.1.0/24', '45.10.2.0/24'], 'reverting the pending replacement changes nothing before the second date');
    assert.deepEqual(dulAt(Date.UTC(2026, 11, 20)), ['45.10.2.0/24', '45.10.3.0/24'], 'and the second set is in force after it');
    await ok(core.dispatch('dul.revert', { id: second.submission.id }, LIAISON));
    assert.deepEqual(dulAt(NOW), ['45.10.1.0/24', '45.10.2.0/24']);
    assert.deepEqual(dulAt(Date.UTC(2026, 11, 20)), ['45.10.1.0/24', '45.10.2.0/24'], 'after both reverts the first set is in force for good');
  });

  test('exclusions: a /16 minus a /24 minus a /28 publishes exactly the brute-force CIDR set, and the /28 is absent from the rbldnsd file', async () => {
    const committed = await ok(submit(file('big.txt', '45.10.0.0/16\n2a01:4f8::/32\n'), { exclude: ['45.10.7.0/24', '45.10.200.16/28', '2a01:4f8:5::/48'] }));
    assert.deepEqual(committed.submission.exclusions, ['45.10.7.0/24', '45.10.200.16/28', '2a01:4f8:5::/48']);
    const resolution = resolveZones(readListings(core.connection.read, new Date(now)), defaultSettings());
    assert.equal(resolution.inForce.DUL.length, 2, 'pieces of a listing count once');
    const zone = resolution.zones.find((entry) => entry.name === 'DUL');
    assert.ok(zone);
    const published = zoneSegments(zone, 4).filter((segment) => segment.first !== 0x7f000002n).flatMap((segment) => rangeToCidrs({ family: 4, first: segment.first, last: segment.last }));
    const expected = bruteForceCidrs(4, range('45.10.0.0/16'), (address) => !contains('45.10.7.0/24', address) && !contains('45.10.200.16/28', address));
    assert.deepEqual(published.map(formatCidr), expected.map(formatCidr));
    assert.equal(expected.length, 8 - 1 + 11, 'the /16 less a /24 is 8 blocks; the /28 hole turns the /17 holding it into 28 - 17 = 11 blocks');

    let text = '';
    writeRbldnsd(
      zoneSegments(zone, 4),
      { origin: 'dul.bl.example', family: 4, serial: 2026112801, nameServers: ['ns1.bl.example'], hostmaster: 'hostmaster.bl.example', ttl: 2100, refresh: 3600, retry: 900, expire: 604800, negativeTtl: 300, created: NOW / 1000, expires: NOW / 1000 + 86400 },
      (chunk) => (text += chunk),
    );
    const entries = text.split('\n').filter((line) => /^\d/.test(line));
    assert.deepEqual(entries.filter((line) => !line.startsWith('127.0.0.2')), expected.map(formatCidr));
    for (const line of entries) {
      const block = range(line);
      assert.ok(!(block.first <= range('45.10.200.31').first && block.last >= range('45.10.200.16').first), `${line} covers the excluded /28`);
    }
    const v6 = zoneSegments(zone, 6).filter((segment) => segment.first !== 0xffff7f000002n).map((segment) => formatRange({ family: 6, first: segment.first, last: segment.last }));
    assert.deepEqual(v6, ['2a01:4f8::-2a01:4f8:4:ffff:ffff:ffff:ffff:ffff', '2a01:4f8:6::-2a01:4f8:ffff:ffff:ffff:ffff:ffff:ffff']);

    const reverted = await ok(core.dispatch('dul.revert', { id: committed.submission.id }, LIAISON));
    assert.equal(reverted.delisted, 2);
    assert.equal(readListings(core.connection.read, new Date(now)).filter((listing) => listing.list === 'DUL').length, 0);
  });

  test('exclusions against a brute-force oracle on random holes', () => {
    const random = mulberry32(11);
    for (let round = 0; round < 50; round += 1) {
      const base = 0x2d0a0000n;
      const listing = { id: 1, list: 'DUL', family: 4 as Family, first: base, last: base + 1023n };
      const holes: AddressRange[] = Array.from({ length: randomInt(random, 1, 5) }, () => {
        const first = base + BigInt(randomInt(random, -20, 1030));
        return { family: 4 as Family, first, last: first + BigInt(randomInt(random, 0, 90)) };
      });
      const sorted = [...holes].sort((a, b) => (a.first < b.first ? -1 : 1));
      const merged: AddressRange[] = [];
      for (const hole of sorted) {
        const previous = merged[merged.length - 1];
        if (previous && hole.first <= previous.last + 1n) merged[merged.length - 1] = { ...previous, last: hole.last > previous.last ? hole.last : previous.last };
        else merged.push(hole);
      }
      const pieces = applyExclusions([listing], new Map([[1, 7]]), new Map([[7, 3]]), new Map([['3/4', merged]]));
      const covered = new Set<bigint>();
      for (const piece of pieces) for (let address = piece.first; address <= piece.last; address += 1n) covered.add(address);
      for (let address = base - 30n; address <= base + 1130n; address += 1n) {
        const expected = address >= listing.first && address <= listing.last && !holes.some((hole) => hole.first <= address && address <= hole.last);
        assert.equal(covered.has(address), expected, `round ${round}, address ${address - base}`);
      }
    }
  });

  test('the import runs as a background job, and its result is the commit', async () => {
    const lines = Array.from({ length: 70_000 }, (_, index) => `45.${20 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`);
    const path = file('job.txt', `${lines.join('\n')}\n`);
    const started = await ok(core.dispatch('jobs.start', { operation: 'dul.commit', input: { file: { path }, isp: 'Example Net' } }, LIAISON));
    let job = started;
    while (job.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = await ok(core.dispatch('jobs.get', { id: started.id }, LIAISON));
    }
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    assert.equal((job.result as { submission: { added: number } }).submission.added, 70_000);
    assert.equal(activeSet('Example Net').length, 70_000);
  });

  test('term dates: a bare day runs to its end; nonsense and impossible days are refused', () => {
    assert.equal(parseTermDate('2027-01-31', 'valid-until', true).toISOString(), '2027-02-01T00:00:00.000Z');
    assert.equal(parseTermDate('2027-01-31', 'received', false).toISOString(), '2027-01-31T00:00:00.000Z');
    assert.equal(parseTermDate('2027-01-31T10:00:00+02:00', 'valid-until', true).toISOString(), '2027-01-31T08:00:00.000Z');
    assert.throws(() => parseTermDate('2027-02-30', 'valid-until', true), /not a date/);
    assert.throws(() => parseTermDate('31/01/2027', 'valid-until', true), /not a date/);
  });
});

function contains(text: string, address: bigint): boolean {
  const block = range(text);
  return block.first <= address && address <= block.last;
}

/** The minimal CIDR cover of the addresses of `within` that pass `isIncluded`, by splitting blocks in halves. */
function bruteForceCidrs(family: Family, within: AddressRange, isIncluded: (address: bigint) => boolean): Cidr[] {
  const bits = family === 4 ? 32 : 128;
  const result: Cidr[] = [];
  const visit = (first: bigint, prefix: number) => {
    const size = 1n << BigInt(bits - prefix);
    let count = 0n;
    for (let address = first; address < first + size; address += 1n) if (isIncluded(address)) count += 1n;
    if (count === 0n) return;
    if (count === size) {
      result.push({ family, first, prefix });
      return;
    }
    visit(first, prefix + 1);
    visit(first + size / 2n, prefix + 1);
  };
  const prefix = bits - (within.last - within.first + 1n).toString(2).length + 1;
  visit(within.first, prefix);
  return result;
}
