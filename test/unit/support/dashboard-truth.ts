/**
 * The dashboard's figures counted the slow way, for tests: every listing in force by the one
 * rule's per-listing form, its addresses one by one, per list, ISP, country and investigator.
 */
import assert from 'node:assert/strict';
import { readAddressKeyHex } from '../../../shared/address.js';
import type { DashboardView } from '../../../shared/dashboard.js';
import { LISTS } from '../../../shared/domain.js';
import { openDatabase } from '../../../main/core/db/connection.js';
import { sql } from '../../../main/core/db/sql.js';
import { InForceAt, type RuleRow } from '../../../main/core/rule/in-force.js';

export interface Expected {
  entries: number;
  v4: Set<number>;
  v6: Set<bigint>;
}

/**
 * Brute force over the listings table: every listing in force at `now` by the rule's per-listing
 * form, its addresses (IPv4) and /64s (IPv6) one by one, per list, ISP, country and investigator.
 */
export function bruteForce(databasePath: string, now: number): { lists: Map<string, Expected>; isps: Map<string, Expected>; countries: Map<string, Expected>; investigators: Map<string, number> } {
  const connection = openDatabase(databasePath, { readonly: true });
  try {
    const rule = new InForceAt(connection.read, new Date(now));
    const rows = connection.read.all<RuleRow & { list: string; first: string; last: string; investigator: string; isp: string | null; country: string | null }>(
      sql`SELECT l.id, l.status, l.suppressed_until, l.expires_at, l.submission_id, l.list, hex(l.first) AS first, hex(l.last) AS last, i.name AS investigator,
            isp.name AS isp, isp.country FROM listings l JOIN investigators i ON i.id = l.investigator_id
          LEFT JOIN dul_submissions s ON s.id = l.submission_id LEFT JOIN isps isp ON isp.id = s.isp_id`,
    );
    const lists = new Map<string, Expected>();
    const isps = new Map<string, Expected>();
    const countries = new Map<string, Expected>();
    const investigators = new Map<string, number>();
    const add = (map: Map<string, Expected>, key: string, first: string, last: string) => {
      let entry = map.get(key);
      if (!entry) map.set(key, (entry = { entries: 0, v4: new Set(), v6: new Set() }));
      entry.entries += 1;
      const a = readAddressKeyHex(first);
      const b = readAddressKeyHex(last);
      if (a.family === 4) for (let unit = Number(a.value); unit <= Number(b.value); unit += 1) entry.v4.add(unit);
      else for (let unit = a.value >> 64n; unit <= b.value >> 64n; unit += 1n) entry.v6.add(unit);
    };
    for (const row of rows) {
      if (rule.standing(row) !== 'active') continue;
      add(lists, row.list, row.first, row.last);
      if (row.isp !== null) {
        add(isps, row.isp, row.first, row.last);
        add(countries, (row.country ?? '').trim().toUpperCase(), row.first, row.last);
      }
      investigators.set(row.investigator, (investigators.get(row.investigator) ?? 0) + 1);
    }
    return { lists, isps, countries, investigators };
  } finally {
    connection.close();
  }
}

/** Brute force: listings stored active of a list whose expiry has passed at `now` (the dashboard's "lapsed"). */
export function lapsedCount(databasePath: string, list: string, now: number): number {
  const connection = openDatabase(databasePath, { readonly: true });
  try {
    const rows = connection.read.all<{ expires_at: string }>(sql`SELECT expires_at FROM listings WHERE list = ${list} AND status = 'active' AND expires_at IS NOT NULL`);
    return rows.filter((row) => Date.parse(row.expires_at) <= now).length;
  } finally {
    connection.close();
  }
}

/** Assert that every figure of `view` equals the brute-force count at `now`. */
export function assertFiguresMatch(view: DashboardView, databasePath: string, now: number, step: string): void {
  const expected = bruteForce(databasePath, now);
  for (const list of LISTS) {
    const figures = view.lists.find((entry) => entry.list === list);
    const truth = expected.lists.get(list) ?? { entries: 0, v4: new Set(), v6: new Set() };
    assert.ok(figures, `${step}: ${list} is missing`);
    assert.equal(figures.active, truth.entries, `${step}: ${list} active entries`);
    assert.equal(figures.ipv4Addresses, String(truth.v4.size), `${step}: ${list} IPv4 addresses`);
    assert.equal(figures.ipv6Slash64s, String(truth.v6.size), `${step}: ${list} IPv6 /64s`);
    assert.equal(figures.lapsed, lapsedCount(databasePath, list, now), `${step}: ${list} lapsed`);
  }
  for (const country of view.countries) {
    for (const isp of country.isps) {
      const truth = expected.isps.get(isp.name);
      assert.ok(truth, `${step}: ${isp.name} has no DUL listing in force but is shown`);
      assert.equal(isp.entries, truth.entries, `${step}: ${isp.name} entries`);
      assert.equal(isp.ipv4Addresses, String(truth.v4.size), `${step}: ${isp.name} IPv4 addresses`);
      assert.equal(isp.ipv6Slash64s, String(truth.v6.size), `${step}: ${isp.name} IPv6 /64s`);
    }
    const truth = expected.countries.get(country.country ?? '');
    assert.ok(truth, `${step}: ${country.country} has no DUL listing in force but is shown`);
    assert.equal(country.entries, truth.entries, `${step}: ${country.country} entries`);
    assert.equal(country.ipv4Addresses, String(truth.v4.size), `${step}: ${country.country} IPv4 addresses (overlaps across its ISPs once)`);
    assert.equal(country.ipv6Slash64s, String(truth.v6.size), `${step}: ${country.country} IPv6 /64s`);
  }
  assert.equal(
    view.countries.reduce((sum, country) => sum + country.isps.length, 0),
    expected.isps.size,
    `${step}: every ISP with DUL listings in force is shown`,
  );
  assert.equal(view.countries.length, expected.countries.size, `${step}: every country with DUL listings in force is shown`);
  for (const person of view.investigators) assert.equal(person.assigned, expected.investigators.get(person.name) ?? 0, `${step}: ${person.name} assigned`);
  for (const [name, count] of expected.investigators) assert.ok(view.investigators.some((person) => person.name === name && person.assigned === count), `${step}: ${name} is shown with ${count}`);
}
