/**
 * The QIL queries that run once per source in a million-hit ingest, and for the score chart,
 * use the primary keys they were written for (the statements the code runs, imported from it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';
import { SOURCE_HITS_SQL, SOURCE_STATE_SQL } from '../../../main/core/qil/ingest.js';

const plan = planReader();

const key = Buffer.alloc(16);

for (const { name, query, expected } of [
  { name: 'a source state by address', query: SOURCE_STATE_SQL, expected: /^SEARCH qil_sources USING PRIMARY KEY \(source=\?\)$/ },
  {
    name: "a source's hits in time order (replay, chart) without sorting",
    query: SOURCE_HITS_SQL,
    expected: /^SEARCH qil_observations USING PRIMARY KEY \(source=\?\)$/,
  },
]) {
  test(name, () => {
    const detail = plan(query, [key]);
    assert.match(detail, expected, detail);
  });
}
