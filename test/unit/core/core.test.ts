import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { defaultSettings } from '../../../shared/settings.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { SCHEMA_VERSION } from '../../../main/core/db/migrate.js';
import { MIGRATIONS } from '../../../main/core/db/migrations/index.js';
import { ok, refused } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const HOUR = 3_600_000;

const as = (actor: string | null): CallContext => ({ actor, localFiles: true });

describe('core', () => {
  let folder: string;
  let databasePath: string;
  let core: Core;
  let now: number;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-core-'));
    databasePath = join(folder, 'repdesk.sqlite');
    now = NOW;
    core = createCore({ databasePath, now: () => new Date(now) });
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Everything a refused call must leave alone. */
  function snapshot(): unknown {
    const database = new Database(databasePath, { readonly: true });
    try {
      return {
        investigators: database.prepare('SELECT * FROM investigators ORDER BY id').all(),
        listings: database.prepare('SELECT * FROM listings ORDER BY id').all(),
        events: database.prepare('SELECT id, hash FROM events ORDER BY id').all(),
        settings: database.prepare('SELECT * FROM settings ORDER BY key').all(),
      };
    } finally {
      database.close();
    }
  }

  async function unchangedBy(work: () => Promise<unknown>): Promise<void> {
    const before = snapshot();
    await work();
    assert.deepEqual(snapshot(), before, 'a refused call changed the database');
  }

  /** A team: admin (admin + investigator), ivan (investigator), lia (liaison), rita (reviewer). */
  async function team(): Promise<void> {
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, as(null)));
    await ok(core.dispatch('investigators.add', { name: 'ivan', roles: ['investigator'] }, as('admin')));
    await ok(core.dispatch('investigators.add', { name: 'lia', roles: ['liaison'] }, as('admin')));
    await ok(core.dispatch('investigators.add', { name: 'rita', roles: ['reviewer'] }, as('admin')));
  }

  describe('roles and bootstrap', () => {
    test('the first investigator of an empty database becomes an admin, whoever asks', async () => {
      const first = await ok(core.dispatch('investigators.add', { name: 'Alice', roles: ['investigator'] }, as(null)));
      assert.deepEqual(first.roles, ['investigator', 'admin']);
      assert.equal(first.active, true);
      assert.deepEqual(await ok(core.dispatch('session.whoami', {}, as('alice'))), { actor: 'Alice', roles: ['investigator', 'admin'], session: null });
      assert.deepEqual(await ok(core.dispatch('session.whoami', {}, as('stranger'))), { actor: 'stranger', roles: [], session: null });
    });

    test('after bootstrap, only an admin adds people; a refused add changes nothing', async () => {
      await team();
      await unchangedBy(async () => {
        await refused(core.dispatch('investigators.add', { name: 'eve', roles: ['admin'] }, as('ivan')), 'forbidden', /ivan does not have the admin role \(has: investigator\)/);
        await refused(core.dispatch('investigators.add', { name: 'eve', roles: ['investigator'] }, as(null)), 'forbidden', /say who you are/);
        await refused(core.dispatch('investigators.add', { name: 'eve', roles: ['investigator'] }, as('mallory')), 'forbidden', /"mallory" is not a known investigator/);
        await refused(core.dispatch('investigators.add', { name: 'IVAN', roles: ['reviewer'] }, as('admin')), 'conflict', /already exists/);
      });
      const names = (await ok(core.dispatch('investigators.list', {}, as(null)))).map((person) => person.name);
      assert.deepEqual(names, ['admin', 'ivan', 'lia', 'rita']);
      const added = await ok(core.dispatch('investigators.add', { name: 'eve', roles: ['publisher', 'investigator'] }, as('admin')));
      assert.deepEqual(added.roles, ['investigator', 'publisher'], 'roles are kept in canonical order, and no admin is given');
    });

    test('unknown and missing actors are refused for every change', async () => {
      await team();
      await unchangedBy(async () => {
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source' }, as('mallory')), 'forbidden', /not a known investigator/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source' }, as(null)), 'forbidden', /--actor NAME or REPDESK_ACTOR/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source' }, as('')), 'forbidden', /say who you are/);
        await refused(core.dispatch('settings.update', { lookupUrl: 'https://x.example/$' }, as(null)), 'forbidden', /admin role/);
        await refused(core.dispatch('investigators.update', { name: 'ivan', active: false }, as('mallory')), 'forbidden', /not a known/);
      });
    });

    test('each list needs its role: liaison for DUL, investigator for RBL, reviewer for GAL; admin implies none of them', async () => {
      await team();
      await unchangedBy(async () => {
        await refused(core.dispatch('listings.add', { range: '88.51.100.0/24', list: 'DUL', reason: 'dynamic' }, as('ivan')), 'forbidden', /ivan does not have the liaison role/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source' }, as('lia')), 'forbidden', /lia does not have the investigator role/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source' }, as('rita')), 'forbidden', /investigator role/);
        await refused(core.dispatch('listings.add', { range: '93.0.113.10', list: 'GAL', reason: 'approved' }, as('ivan')), 'forbidden', /ivan does not have the reviewer role/);
        await refused(core.dispatch('listings.add', { range: '93.0.113.10', list: 'GAL', reason: 'approved' }, as('admin')), 'forbidden', /reviewer role/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.9', list: 'QIL', reason: 'botnet' }, as('lia')), 'forbidden', /investigator role/);
      });
      assert.equal((await ok(core.dispatch('listings.add', { range: '88.51.100.0/24', list: 'DUL', reason: 'dynamic' }, as('lia')))).listing.investigator, 'lia');
      assert.equal((await ok(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source' }, as('ivan')))).listing.investigator, 'ivan');
      assert.equal((await ok(core.dispatch('listings.add', { range: '93.0.113.10', list: 'GAL', reason: 'approved' }, as('rita')))).listing.investigator, 'rita');
      assert.equal((await ok(core.dispatch('listings.add', { range: '82.0.2.2', list: 'MML', reason: 'marketing' }, as('ivan')))).listing.list, 'MML');
    });

    test('an inactive investigator is refused; the last active admin cannot be removed', async () => {
      await team();
      const changed = await ok(core.dispatch('investigators.update', { name: 'ivan', active: false }, as('admin')));
      assert.equal(changed.active, false);
      await unchangedBy(async () => {
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source' }, as('ivan')), 'forbidden', /ivan is no longer active/);
        await refused(core.dispatch('investigators.update', { name: 'admin', roles: ['investigator'] }, as('admin')), 'conflict', /at least one active admin/);
        await refused(core.dispatch('investigators.update', { name: 'admin', active: false }, as('admin')), 'conflict', /at least one active admin/);
        await refused(core.dispatch('investigators.update', { name: 'nobody', active: false }, as('admin')), 'not-found', /no investigator named "nobody"/);
        await refused(core.dispatch('investigators.update', { name: 'lia' }, as('admin')), 'invalid-input', /nothing to change/);
      });
      assert.deepEqual(await ok(core.dispatch('session.whoami', {}, as('ivan'))), { actor: 'ivan', roles: [], session: null });
      await ok(core.dispatch('investigators.update', { name: 'ivan', active: true }, as('admin')));
      await ok(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source' }, as('ivan')));
    });
  });

  describe('listings', () => {
    beforeEach(team);

    test('the reason must fit the list', async () => {
      await unchangedBy(async () => {
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'dynamic' }, as('ivan')), 'invalid-input', /reason dynamic does not belong on RBL \(allowed: spam-source, spam-support, open-relay, open-proxy, botnet\)/);
        await refused(core.dispatch('listings.add', { range: '88.51.100.0/24', list: 'DUL', reason: 'spam-source' }, as('lia')), 'invalid-input', /does not belong on DUL/);
        await refused(core.dispatch('listings.add', { range: '93.0.113.1', list: 'GAL', reason: 'marketing' }, as('rita')), 'invalid-input', /does not belong on GAL/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'QIL', reason: 'open-relay' }, as('ivan')), 'invalid-input', /does not belong on QIL/);
      });
    });

    test('QIL takes level and expiry from the settings; --level and --expires are QIL-only', async () => {
      const defaults = (await ok(core.dispatch('listings.add', { range: '82.0.2.1', list: 'QIL', reason: 'botnet' }, as('ivan')))).listing;
      assert.equal(defaults.level, 2);
      assert.equal(defaults.expiresAt, new Date(NOW + 24 * HOUR).toISOString());
      await ok(core.dispatch('settings.update', { qil: { defaultLevel: 4, defaultExpiryHours: 6 } }, as('admin')));
      const changed = (await ok(core.dispatch('listings.add', { range: '82.0.2.2', list: 'QIL', reason: 'botnet' }, as('ivan')))).listing;
      assert.equal(changed.level, 4);
      assert.equal(changed.expiresAt, new Date(NOW + 6 * HOUR).toISOString());
      const explicit = (await ok(core.dispatch('listings.add', { range: '82.0.2.3', list: 'QIL', reason: 'spam-source', level: 1, expires: '2026-12-01T00:00:00Z' }, as('ivan')))).listing;
      assert.equal(explicit.level, 1);
      assert.equal(explicit.expiresAt, '2026-12-01T00:00:00.000Z');
      const dateOnly = (await ok(core.dispatch('listings.add', { range: '82.0.2.4', list: 'QIL', reason: 'botnet', expires: '2026-12-02' }, as('ivan')))).listing;
      assert.equal(dateOnly.expiresAt, '2026-12-02T00:00:00.000Z');

      const rbl = (await ok(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'botnet' }, as('ivan')))).listing;
      assert.equal(rbl.level, null);
      assert.equal(rbl.expiresAt, null);
      await unchangedBy(async () => {
        await refused(core.dispatch('listings.add', { range: '82.0.2.9', list: 'RBL', reason: 'botnet', level: 2 }, as('ivan')), 'invalid-input', /--level applies to QIL entries only/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.9', list: 'RBL', reason: 'botnet', expires: '2026-12-01T00:00:00Z' }, as('ivan')), 'invalid-input', /--expires applies to QIL entries only/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.9', list: 'QIL', reason: 'botnet', expires: '2026-11-28T11:59:59Z' }, as('ivan')), 'invalid-input', /is in the past/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.9', list: 'QIL', reason: 'botnet', expires: new Date(NOW).toISOString() }, as('ivan')), 'invalid-input', /in the past/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.9', list: 'QIL', reason: 'botnet', expires: 'tomorrow' }, as('ivan')), 'invalid-input', /expires/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.9', list: 'QIL', reason: 'botnet', level: 5 }, as('ivan')), 'invalid-input', /level/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.9', list: 'QIL', reason: 'botnet', level: 0 }, as('ivan')), 'invalid-input', /level/);
      });
    });

    test('a duplicate active listing is a conflict; after delisting the range can be listed again', async () => {
      const { listing, notes } = await ok(core.dispatch('listings.add', { range: '82.0.2.77/24', list: 'RBL', reason: 'spam-source' }, as('ivan')));
      assert.equal(listing.range, '82.0.2.0/24');
      assert.match(notes[0], /host bits/);
      await unchangedBy(async () => {
        await refused(core.dispatch('listings.add', { range: '82.0.2.0/24', list: 'RBL', reason: 'open-relay' }, as('ivan')), 'conflict', new RegExp(`82\\.0\\.2\\.0/24 is already listed on RBL as #${listing.id}`));
        // The same range written another way is the same range.
        await refused(core.dispatch('listings.add', { range: '82.0.2.0-82.0.2.255', list: 'RBL', reason: 'spam-source' }, as('ivan')), 'conflict', /already listed/);
        await refused(core.dispatch('listings.add', { range: '::ffff:82.0.2.0/120', list: 'RBL', reason: 'spam-source' }, as('ivan')), 'conflict', /already listed/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source', txt: 'line one\nline two' }, as('ivan')), 'invalid-input', /one line of printable text/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.300', list: 'RBL', reason: 'spam-source' }, as('ivan')), 'invalid-input', /over 255/);
      });
      // Another list may hold the same range.
      await ok(core.dispatch('listings.add', { range: '82.0.2.0/24', list: 'MML', reason: 'marketing' }, as('ivan')));
      await ok(core.dispatch('listings.delist', { id: listing.id, why: 'cleaned' }, as('ivan')));
      const again = await ok(core.dispatch('listings.add', { range: '82.0.2.0/24', list: 'RBL', reason: 'spam-source', txt: '  Listed: see $  ' }, as('ivan')));
      assert.notEqual(again.listing.id, listing.id);
      assert.equal(again.listing.txt, 'Listed: see $');
    });

    test('special-purpose space is never listed: private, loopback, documentation, the whole space, an IPv4-mapped whole space', async () => {
      const cases: Array<[string, RegExp]> = [
        ['10.1.2.3', /10\.1\.2\.3 overlaps 10\.0\.0\.0\/8, private \(RFC 1918\)/],
        ['127.0.0.2', /overlaps 127\.0\.0\.0\/8, loopback/],
        ['192.0.2.0/24', /overlaps 192\.0\.2\.0\/24, documentation \(TEST-NET-1\)/],
        ['2001:db8::/48', /overlaps 2001:db8::\/32, documentation/],
        ['0.0.0.0/0', /0\.0\.0\.0\/0 overlaps 0\.0\.0\.0\/8/],
        ['::/0', /::\/0 overlaps ::\/127/],
        ['::ffff:0:0/96', /0\.0\.0\.0\/0 overlaps 0\.0\.0\.0\/8/],
        ['11.0.0.0-100.64.0.0', /overlaps 100\.64\.0\.0\/10, shared carrier-grade NAT space/],
      ];
      await unchangedBy(async () => {
        for (const [range, message] of cases) await refused(core.dispatch('listings.add', { range, list: 'RBL', reason: 'spam-source' }, as('ivan')), 'invalid-input', message);
      });
      const path = join(folder, 'mixed.txt');
      writeFileSync(path, '11.2.3.4\n192.168.1.0/24\n2a01::/32\n::ffff:0:0/96\n');
      const before = snapshot();
      const result = await core.dispatch('listings.importFile', { file: { path }, list: 'RBL', reason: 'spam-source' }, as('ivan'));
      assert.deepEqual(snapshot(), before, 'a refused import changed the database');
      assert.ok(!result.ok);
      assert.match(result.error.message, /mixed\.txt: 2 bad lines; nothing was imported/);
      assert.deepEqual(result.error.details, [
        'line 2: 192.168.1.0/24 overlaps 192.168.0.0/16, private (RFC 1918): reserved or private space is never listed',
        'line 4: 0.0.0.0/0 overlaps 0.0.0.0/8, "this network": reserved or private space is never listed',
      ]);
    });

    test('TXT: a hidden character that changes how it reads is refused by name; a $ stands for the queried address', async () => {
      await unchangedBy(async () => {
        await refused(core.dispatch('listings.add', { range: '11.2.3.4', list: 'RBL', reason: 'spam-source', txt: 'spam \u202etxet desrever' }, as('ivan')), 'invalid-input', /U\+202E RIGHT-TO-LEFT OVERRIDE \(a bidirectional control\)/);
        await refused(core.dispatch('listings.add', { range: '11.2.3.4', list: 'RBL', reason: 'spam-source', txt: 'one\u2028two' }, as('ivan')), 'invalid-input', /U\+2028 LINE SEPARATOR/);
        await refused(core.dispatch('listings.add', { range: '11.2.3.4', list: 'RBL', reason: 'spam-source', txt: 'isolate \u2067x\u2069' }, as('ivan')), 'invalid-input', /U\+2067 RIGHT-TO-LEFT ISOLATE/);
        await refused(core.dispatch('listings.add', { range: '11.2.3.4', list: 'RBL', reason: 'spam-source', txt: 'zero\u200bwidth' }, as('ivan')), 'invalid-input', /U\+200B ZERO WIDTH SPACE/);
        await refused(core.dispatch('listings.add', { range: '11.2.3.4', list: 'RBL', reason: 'spam-source', txt: 'next line\u0085here' }, as('ivan')), 'invalid-input', /one line of printable text/);
      });
      const listed = await ok(core.dispatch('listings.add', { range: '11.2.3.4', list: 'RBL', reason: 'spam-source', txt: 'Listed: $ sent spam (Ελληνικά, עברית)' }, as('ivan')));
      assert.equal(listed.listing.txt, 'Listed: $ sent spam (Ελληνικά, עברית)');
    });

    test('delist: status, history, the role of the list, and refusals', async () => {
      const dul = (await ok(core.dispatch('listings.add', { range: '88.51.100.0/24', list: 'DUL', reason: 'dynamic' }, as('lia')))).listing;
      await unchangedBy(async () => {
        await refused(core.dispatch('listings.delist', { id: dul.id, why: 'not dynamic' }, as('ivan')), 'forbidden', /liaison role/);
        await refused(core.dispatch('listings.delist', { id: 999, why: 'x' }, as('lia')), 'not-found', /no listing #999/);
        await refused(core.dispatch('listings.delist', { id: dul.id, why: '   ' }, as('lia')), 'invalid-input', /why: a reason is required/);
        await refused(core.dispatch('listings.delist', { id: dul.id }, as('lia')), 'invalid-input', /why/);
      });
      now += HOUR;
      const delisted = await ok(core.dispatch('listings.delist', { id: dul.id, why: 'ISP confirmed static' }, as('lia')));
      assert.equal(delisted.status, 'delisted');
      assert.equal(delisted.updatedAt, new Date(NOW + HOUR).toISOString());
      assert.equal(delisted.createdAt, new Date(NOW).toISOString());
      assert.equal(delisted.range, '88.51.100.0/24');
      await unchangedBy(() => refused(core.dispatch('listings.delist', { id: dul.id, why: 'again' }, as('lia')), 'conflict', /already delisted/));
      const history = await ok(core.dispatch('listings.history', { id: dul.id }, as(null)));
      assert.deepEqual(history.map((event) => [event.action, event.actor, event.reason]), [
        ['listing.delisted', 'lia', 'ISP confirmed static'],
        ['listing.created', 'lia', null],
      ]);
      assert.equal((await ok(core.dispatch('listings.get', { id: dul.id }, as(null)))).status, 'delisted');
    });
  });

  describe('settings', () => {
    beforeEach(team);

    test('a valid update merges deeply and is recorded', async () => {
      const updated = await ok(core.dispatch('settings.update', { returnCodes: { DUL: '127.0.0.5' } }, as('admin')));
      assert.equal(updated.returnCodes.DUL, '127.0.0.5');
      assert.equal(updated.returnCodes.RBL, '127.0.0.2');
      assert.deepEqual(await ok(core.dispatch('settings.get', {}, as(null))), updated);
    });

    test('unknown keys and bad values are refused by name and nothing changes', async () => {
      await ok(core.dispatch('settings.update', { qil: { defaultLevel: 3 } }, as('admin')));
      const before = await ok(core.dispatch('settings.get', {}, as(null)));
      await unchangedBy(async () => {
        await refused(core.dispatch('settings.update', { qill: { defaultLevel: 1 } }, as('admin')), 'invalid-input', /unknown setting "qill"/);
        await refused(core.dispatch('settings.update', { qil: { defaultLevel: 9 } }, as('admin')), 'invalid-input', /qil\.defaultLevel/);
        await refused(core.dispatch('settings.update', { qil: { defaultLevel: 'high' } }, as('admin')), 'invalid-input', /qil\.defaultLevel/);
        await refused(core.dispatch('settings.update', { qil: 5 }, as('admin')), 'invalid-input', /qil/);
        await refused(core.dispatch('settings.update', { returnCodes: { RBL: '10.0.0.2' } }, as('admin')), 'invalid-input', /returnCodes\.RBL: a return code is an address in 127\.0\.0\.0\/8/);
        await refused(core.dispatch('settings.update', { import: { maxFileBytes: -1 } }, as('admin')), 'invalid-input', /import\.maxFileBytes/);
        await refused(core.dispatch('settings.update', { lookupUrl: '' }, as('admin')), 'invalid-input', /lookupUrl/);
        // A misspelt nested key must not be silently dropped (the change would be lost without a word).
        await refused(core.dispatch('settings.update', { qil: { defaultLevle: 1 } }, as('admin')), 'invalid-input', /qil\.defaultLevle/);
        await refused(core.dispatch('settings.update', { returnCodes: { PBL: '127.0.0.10' } }, as('admin')), 'invalid-input', /returnCodes\.PBL/);
        await refused(core.dispatch('settings.update', { qil: { defaultLevel: 1 } }, as('ivan')), 'forbidden', /admin role/);
      });
      assert.deepEqual(await ok(core.dispatch('settings.get', {}, as(null))), before);
      assert.notDeepEqual(before, defaultSettings());
    });
  });

  describe('the contract is checked before the core runs', () => {
    test('payloads failing their schema are invalid-input and change nothing (even the bootstrap)', async () => {
      await unchangedBy(async () => {
        // Valid in every field but one extra key: were it to reach the core, it would bootstrap an admin.
        await refused(core.dispatch('investigators.add', { name: 'eve', roles: ['investigator'], admin: true }, as(null)), 'invalid-input', /Unrecognized key/);
        await refused(core.dispatch('investigators.add', { name: 'eve', roles: 'investigator' }, as(null)), 'invalid-input', /roles/);
        await refused(core.dispatch('investigators.add', { name: 'eve', roles: ['root'] }, as(null)), 'invalid-input', /roles\.0/);
        await refused(core.dispatch('investigators.add', { name: 'eve; DROP TABLE', roles: ['investigator'] }, as(null)), 'invalid-input', /name/);
        await refused(core.dispatch('investigators.add', { name: 'eve', roles: [] }, as(null)), 'invalid-input', /roles/);
        await refused(core.dispatch('investigators.add', null, as(null)), 'invalid-input', /name/);
        await refused(core.dispatch('investigators.add', ['eve'], as(null)), 'invalid-input', /input/);
        await refused(core.dispatch('investigators.add', 'eve', as(null)), 'invalid-input', /input/);
      });
      assert.deepEqual(await ok(core.dispatch('investigators.list', {}, as(null))), []);
      await team();
      await unchangedBy(async () => {
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam-source', id: 7 }, as('ivan')), 'invalid-input', /Unrecognized key.*"id"/);
        await refused(core.dispatch('listings.add', { range: 3221225985, list: 'RBL', reason: 'spam-source' }, as('ivan')), 'invalid-input', /range/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'rbl', reason: 'spam-source' }, as('ivan')), 'invalid-input', /list/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'RBL', reason: 'spam' }, as('ivan')), 'invalid-input', /reason/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'QIL', reason: 'botnet', level: '2' }, as('ivan')), 'invalid-input', /level/);
        await refused(core.dispatch('listings.add', { range: '82.0.2.1', list: 'QIL', reason: 'botnet', level: 2.5 }, as('ivan')), 'invalid-input', /level/);
        await refused(core.dispatch('listings.add', { range: '', list: 'RBL', reason: 'spam-source' }, as('ivan')), 'invalid-input', /range/);
        await refused(core.dispatch('listings.add', { range: '1'.repeat(201), list: 'RBL', reason: 'spam-source' }, as('ivan')), 'invalid-input', /range/);
        await refused(core.dispatch('listings.delist', { id: '1', why: 'x' }, as('ivan')), 'invalid-input', /id/);
        await refused(core.dispatch('listings.delist', { id: -1, why: 'x' }, as('ivan')), 'invalid-input', /id/);
        await refused(core.dispatch('listings.importFile', { file: { path: '/etc/hostname' }, list: 'RBL', reason: 'spam-source', extra: 1 }, as('ivan')), 'invalid-input', /Unrecognized key/);
        await refused(core.dispatch('lookup', { ip: '82.0.2.1', verbose: true }, as('ivan')), 'invalid-input', /Unrecognized key/);
        await refused(core.dispatch('audit.verify', { fix: true }, as('ivan')), 'invalid-input', /Unrecognized key/);
      });
    });

    test('dispatchUnknown refuses names that are not operations, including inherited ones', async () => {
      for (const name of ['listings.drop', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'listings.add ']) {
        await unchangedBy(() => refused(core.dispatchUnknown(name, {}, as(null)), 'not-found', /no operation named/));
      }
      // A known name through dispatchUnknown is still schema-checked.
      await unchangedBy(() => refused(core.dispatchUnknown('investigators.add', { name: 'eve', roles: ['investigator'], x: 1 }, as(null)), 'invalid-input', /Unrecognized key/));
      const whoami = await core.dispatchUnknown('session.whoami', {}, as(null));
      assert.ok(whoami.ok);
    });
  });

  describe('database and migrations', () => {
    test('a fresh file gets the latest user_version and WAL', () => {
      const database = new Database(databasePath, { readonly: true });
      try {
        assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
        assert.equal(database.pragma('user_version', { simple: true }), SCHEMA_VERSION);
        assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
        const tables = (database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((row) => row.name);
        for (const table of ['events', 'investigators', 'listings', 'settings']) assert.ok(tables.includes(table), `table ${table} missing: ${tables.join(', ')}`);
      } finally {
        database.close();
      }
      // Opening again applies nothing and keeps the data.
      core.close();
      core = createCore({ databasePath });
      assert.equal(core.index.size, 0);
    });

    test('a database from a newer RepDesk is refused with a clear message, and not left open', () => {
      core.close();
      const raw = new Database(databasePath);
      raw.pragma(`user_version = ${SCHEMA_VERSION + 7}`);
      raw.close();
      assert.throws(
        () => createCore({ databasePath }),
        new RegExp(`schema version ${SCHEMA_VERSION + 7}, newer than this RepDesk understands \\(${SCHEMA_VERSION}\\); use a newer RepDesk`),
      );
      // The refused file must not stay open in this process (a leaked handle keeps it locked on Windows).
      if (existsSync('/proc/self/fd')) {
        const open = readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`).startsWith(databasePath);
          } catch {
            return false;
          }
        });
        assert.deepEqual(open, [], 'the database file is still open after the refusal');
      }
      const check = new Database(databasePath, { readonly: true });
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION + 7, 'the newer file was not changed');
      check.close();
      core = createCore({ databasePath: ':memory:' }); // for afterEach
    });

    test('listing rows refuse DELETE and a change of list or range; status may change', async () => {
      await team();
      const listing = (await ok(core.dispatch('listings.add', { range: '82.0.2.0/24', list: 'RBL', reason: 'spam-source' }, as('ivan')))).listing;
      const raw = new Database(databasePath);
      try {
        assert.throws(() => raw.prepare('DELETE FROM listings WHERE id = ?').run(listing.id), /listings are never deleted; delist instead/);
        assert.throws(() => raw.prepare('UPDATE listings SET first = last WHERE id = ?').run(listing.id), /keeps its list and range/);
        assert.throws(() => raw.prepare('UPDATE listings SET last = first WHERE id = ?').run(listing.id), /keeps its list and range/);
        assert.throws(() => raw.prepare("UPDATE listings SET list = 'MML' WHERE id = ?").run(listing.id), /keeps its list and range/);
        assert.throws(() => raw.prepare('UPDATE listings SET family = 6 WHERE id = ?').run(listing.id), /keeps its list and range/);
        assert.throws(() => raw.prepare("UPDATE listings SET level = 2 WHERE id = ?").run(listing.id), /CHECK constraint/);
        assert.equal(raw.prepare("UPDATE listings SET status = 'suppressed' WHERE id = ?").run(listing.id).changes, 1);
      } finally {
        raw.close();
      }
      const after = await ok(core.dispatch('lookup', { ip: '82.0.2.5' }, as(null)));
      assert.deepEqual(after.listings.map((row) => [row.id, row.range, row.status]), [[listing.id, '82.0.2.0/24', 'suppressed']]);
    });
  });
});
