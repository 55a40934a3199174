/**
 * The one rule's two forms agree: on random listings (every stored status, suppressions that
 * ended and that run on, expiries past and ahead, DUL listings of submissions that take effect
 * later, were reverted, or were made after the time asked about, and listings a pending replace
 * took out), at several times, the SQL conditions (publishing's in-force read, the listings
 * table's status filter) pick exactly the rows the per-listing form says, and every row has
 * exactly one standing. A few hand-made cases pin down what the rule says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STANDINGS, STATUSES, type ListingStatus, type Standing } from '../../../shared/domain.js';
import { openDatabase } from '../../../main/core/db/connection.js';
import { sql } from '../../../main/core/db/sql.js';
import { inForceSql, isInForce, readTerms, replacedByPending, standingOf, standingSql, type InForceTerms } from '../../../main/core/rule/in-force.js';
import { committedSql } from '../../../main/core/rule/unfinished.js';
import { mulberry32, pick, randomInt } from '../support/random.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 28, 12, 0, 0);
const iso = (offsetHours: number) => new Date(BASE + offsetHours * HOUR).toISOString();

interface Row {
  id: number;
  status: ListingStatus;
  suppressed_until: string | null;
  expires_at: string | null;
  submission_id: number | null;
}

function randomDatabase(seed: number) {
  const random = mulberry32(seed);
  const { write: db, close } = openDatabase(':memory:');
  db.run(sql`INSERT INTO investigators (id, name, roles, created_at) VALUES (1, 'ana', 'liaison', ${iso(-100)})`);
  db.run(sql`INSERT INTO isps (id, name, created_at, updated_at) VALUES (1, 'Example Net', ${iso(-100)}, ${iso(-100)})`);
  // Submissions: made before or after the times asked about, effective earlier or later, some reverted.
  const submissions: number[] = [];
  for (let id = 1; id <= 8; id += 1) {
    const created = randomInt(random, -48, 24);
    const effective = random() < 0.25 ? null : created + randomInt(random, -4, 48);
    const reverted = random() < 0.3 ? created + randomInt(random, 1, 30) : null;
    db.run(sql`INSERT INTO dul_submissions (id, isp_id, mode, source, received_at, effective_at, investigator_id, added, removed, unchanged, created_at, reverted_at)
      VALUES (${id}, 1, 'replace', 'pools.txt', ${iso(created)}, ${effective === null ? null : iso(effective)}, 1, 0, 0, 0, ${iso(created)}, ${reverted === null ? null : iso(reverted)})`);
    submissions.push(id);
  }
  const rows: Row[] = [];
  const key = Buffer.alloc(16);
  for (let id = 1; id <= 600; id += 1) {
    const status = pick(random, STATUSES);
    const isDul = random() < 0.5;
    const suppressedUntil = status === 'suppressed' || random() < 0.05 ? (random() < 0.1 ? null : iso(randomInt(random, -30, 30))) : null;
    const expiresAt = random() < 0.5 ? iso(randomInt(random, -30, 30)) : null;
    const submission = isDul && random() < 0.8 ? pick(random, submissions) : null;
    key.writeUInt32BE(0x2d0a0000 + id, 12);
    key.writeUInt32BE(0xffff, 8);
    db.run(sql`INSERT INTO listings (id, list, family, first, last, prefix, reason, investigator_id, status, suppressed_until, expires_at, created_at, updated_at, submission_id, level)
      VALUES (${id}, ${isDul ? 'DUL' : 'QIL'}, 4, ${key}, ${key}, 32, 'dynamic', 1, ${status}, ${suppressedUntil}, ${expiresAt}, ${iso(-50)}, ${iso(-50)}, ${submission}, ${isDul ? null : 1})`);
    rows.push({ id, status, suppressed_until: suppressedUntil, expires_at: expiresAt, submission_id: submission });
  }
  // Listings some replaces took out of the ISP's set.
  for (const row of rows) {
    if (random() < 0.15) db.run(sql`INSERT OR IGNORE INTO dul_replaced (submission_id, listing_id) VALUES (${pick(random, submissions)}, ${row.id})`);
  }
  return { db, rows, close };
}

function perListing(db: ReturnType<typeof randomDatabase>['db'], rows: readonly Row[], terms: InForceTerms) {
  const isReplaced = replacedByPending(db, terms);
  return rows.map((row) => {
    const fields = { status: row.status, suppressedUntil: row.suppressed_until, expiresAt: row.expires_at, submissionId: row.submission_id };
    return { id: row.id, inForce: isInForce(row.id, fields, terms, isReplaced), standing: standingOf(row.id, fields, terms, isReplaced) };
  });
}

function idsWhere(db: ReturnType<typeof randomDatabase>['db'], condition: ReturnType<typeof sql>): number[] {
  return db.all<{ id: number }>(sql`SELECT l.id FROM listings l WHERE ${condition} ORDER BY l.id`).map((row) => row.id);
}

for (const seed of [1, 2, 3, 4, 5]) {
  test(`seed ${seed}: the SQL form and the per-listing form pick the same listings at every time`, () => {
    const { db, rows, close } = randomDatabase(seed);
    try {
      let pendingSeen = 0;
      for (const hours of [-36, -12, -1, 0, 1, 6, 18, 36, 72]) {
        const terms = readTerms(db, iso(hours));
        if (terms.waiting.size > 0) pendingSeen += 1;
        const expected = perListing(db, rows, terms);
        const inForce = expected.filter((row) => row.inForce).map((row) => row.id);
        assert.deepEqual(idsWhere(db, inForceSql(terms, 'l')), inForce, `in force at ${terms.at}`);
        assert.deepEqual(idsWhere(db, inForceSql(terms, 'l', true)), inForce, `in force at ${terms.at} (+status form)`);
        const seen = new Set<number>();
        for (const standing of STANDINGS) {
          const ids = expected.filter((row) => row.standing === standing).map((row) => row.id);
          for (const isUnary of [false, true]) assert.deepEqual(idsWhere(db, standingSql(standing, terms, committedSql('l'), 'l', isUnary)), ids, `${standing} at ${terms.at}${isUnary ? ' (+status form)' : ''}`);
          for (const id of ids) seen.add(id);
        }
        assert.equal(seen.size, rows.length, 'every listing has exactly one standing');
        assert.deepEqual(expected.filter((row) => row.standing === 'active').map((row) => row.id), inForce, 'active is in force');
      }
      assert.ok(pendingSeen > 0, 'some times have a submission still waiting for its effective date');
    } finally {
      close();
    }
  });
}

test('the rule, case by case', () => {
  const terms: InForceTerms = { at: iso(0), waiting: new Set([7]), replacing: new Set([7]) };
  const replaced = new Set([42]);
  const standing = (status: ListingStatus, change: { until?: number | null; expires?: number | null; submission?: number | null; id?: number } = {}): Standing =>
    standingOf(
      change.id ?? 1,
      {
        status,
        suppressedUntil: change.until === undefined || change.until === null ? null : iso(change.until),
        expiresAt: change.expires === undefined || change.expires === null ? null : iso(change.expires),
        submissionId: change.submission ?? null,
      },
      terms,
      (id) => replaced.has(id),
    );
  assert.equal(standing('active'), 'active');
  assert.equal(standing('active', { expires: -1 }), 'expired', 'past its expiry: not active, whatever the stored status');
  assert.equal(standing('active', { expires: 0 }), 'expired', 'an expiry at the very time has passed');
  assert.equal(standing('active', { expires: 1 }), 'active');
  assert.equal(standing('suppressed', { until: -1 }), 'active', 'a removal that has ended is back in force');
  assert.equal(standing('suppressed', { until: 1 }), 'suppressed');
  assert.equal(standing('suppressed', { until: null }), 'suppressed', 'removed until further notice');
  assert.equal(standing('suppressed', { until: -1, expires: -2 }), 'expired');
  assert.equal(standing('active', { submission: 7 }), 'pending', 'its submission takes effect later');
  assert.equal(standing('active', { submission: 8 }), 'active');
  assert.equal(standing('delisted', { id: 42 }), 'active', 'a pending replace keeps what it replaces in force until its date');
  assert.equal(standing('delisted', { id: 42, expires: -1 }), 'delisted');
  assert.equal(standing('delisted'), 'delisted');
  assert.equal(standing('expired'), 'expired');
});
