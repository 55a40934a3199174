/**
 * The connection keeps its statements prepared: a raw one (rows as arrays, for bulk reads) or a
 * plucked one (one column as an array) is prepared once per text like the others, apart from
 * them (the same text read as objects stays objects), a loop inside a loop over the same text works for both kinds, and both are kept up to
 * one bound, the oldest dropped first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, type Connection } from '../../../main/core/db/connection.js';
import { sql } from '../../../main/core/db/sql.js';

let folder: string;
let connection: Connection;
const prepared: string[] = [];
const originalPrepare = Database.prototype.prepare;

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-statements-'));
  connection = openDatabase(join(folder, 'repdesk.sqlite'));
  Database.prototype.prepare = function (this: Database.Database, text: string) {
    prepared.push(text);
    return originalPrepare.call(this, text);
  } as typeof Database.prototype.prepare;
});

after(() => {
  Database.prototype.prepare = originalPrepare;
  connection.close();
  rmSync(folder, { recursive: true, force: true });
});

const numbers = (values: number[]) => sql`SELECT value FROM json_each(${JSON.stringify(values)}) ORDER BY value`;
const timesPrepared = (text: string) => prepared.filter((each) => each === text).length;

describe('raw statements', () => {
  test('are prepared once per text, and answer each call with its own values', () => {
    const text = numbers([]).text;
    for (let round = 0; round < 50; round += 1) {
      assert.deepEqual([...connection.read.iterateRaw(numbers([round, round + 1]))], [[round], [round + 1]]);
    }
    assert.equal(timesPrepared(text), 1);
  });

  test('stay raw, and the same text read as objects stays objects', () => {
    const query = numbers([7]);
    assert.deepEqual([...connection.read.iterateRaw(query)], [[7]]);
    assert.deepEqual([...connection.read.iterate<{ value: number }>(query)], [{ value: 7 }]);
    assert.deepEqual([...connection.read.iterateRaw(query)], [[7]]);
    assert.deepEqual(connection.read.all(query), [{ value: 7 }]);
  });

  test('a loop inside a loop over the same text, and a loop left early, both work', () => {
    const pairs: number[][] = [];
    for (const [outer] of connection.read.iterateRaw(numbers([1, 2, 3]))) {
      for (const [inner] of connection.read.iterateRaw(numbers([10, 20]))) pairs.push([outer as number, inner as number]);
    }
    assert.deepEqual(pairs, [[1, 10], [1, 20], [2, 10], [2, 20], [3, 10], [3, 20]]);
    for (const [value] of connection.read.iterateRaw(numbers([4, 5, 6]))) if (value === 4) break;
    assert.deepEqual([...connection.read.iterateRaw(numbers([8, 9]))], [[8], [9]]);
  });

  test('are kept up to a bound, as the others are: the oldest is dropped and prepared again when asked', () => {
    const first = sql`SELECT ${1} AS kept`;
    assert.deepEqual([...connection.read.iterateRaw(first)], [[1]]);
    assert.deepEqual(connection.read.get(first), { kept: 1 });
    const before = timesPrepared(first.text);
    for (let index = 0; index < 100; index += 1) assert.deepEqual([...connection.read.iterateRaw({ text: `SELECT ${index} AS other`, values: [] })], [[index]]);
    assert.deepEqual(connection.read.get(first), { kept: 1 });
    assert.deepEqual([...connection.read.iterateRaw(first)], [[1]]);
    assert.equal(timesPrepared(first.text), before, 'dropped after only 100 others');
    for (let index = 0; index < 600; index += 1) {
      const other = { text: `SELECT ${index} AS other`, values: [] };
      assert.deepEqual([...connection.read.iterateRaw(other)], [[index]]);
      assert.deepEqual(connection.read.get(other), { other: index });
    }
    assert.deepEqual([...connection.read.iterateRaw(first)], [[1]]);
    assert.deepEqual(connection.read.get(first), { kept: 1 });
    assert.equal(timesPrepared(first.text), before + 2, 'the oldest statements were still kept after 600 others');
  });
});

describe('a column read as one array', () => {
  test('gives the first column of every row, and the same text read as objects or raw stays so', () => {
    const query = numbers([3, 1, 2]);
    assert.deepEqual(connection.read.column<number>(query), [1, 2, 3]);
    assert.deepEqual(connection.read.all(query), [{ value: 1 }, { value: 2 }, { value: 3 }]);
    assert.deepEqual([...connection.read.iterateRaw(query)], [[1], [2], [3]]);
    assert.deepEqual(connection.read.column<number>(numbers([])), []);
    assert.deepEqual(connection.read.get(query), { value: 1 });
  });
});

describe('statements read as objects', () => {
  test('a loop inside a loop over the same text works', () => {
    const pairs: number[][] = [];
    for (const outer of connection.read.iterate<{ value: number }>(numbers([1, 2]))) {
      for (const inner of connection.read.iterate<{ value: number }>(numbers([5, 6]))) pairs.push([outer.value, inner.value]);
    }
    assert.deepEqual(pairs, [[1, 5], [1, 6], [2, 5], [2, 6]]);
  });
});
