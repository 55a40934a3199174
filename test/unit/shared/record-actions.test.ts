/** The record's action menu offers only what fits the listing's state. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordActionsFor } from '../../../shared/record-actions.js';

test('active, suppressed, delisted and expired listings each offer what fits them', () => {
  assert.deepEqual(recordActionsFor({ list: 'RBL', status: 'active' }), ['delist', 'suppress', 'reassign', 'reason', 'txt', 'change-list']);
  assert.deepEqual(recordActionsFor({ list: 'RBL', status: 'suppressed' }), ['delist', 'suppress', 'relist', 'reassign', 'reason', 'txt', 'change-list']);
  assert.deepEqual(recordActionsFor({ list: 'RBL', status: 'delisted' }), ['relist']);
  assert.deepEqual(recordActionsFor({ list: 'QIL', status: 'expired' }), ['delist', 'relist', 'reassign', 'reason', 'txt', 'change-list']);
});

test('a list with one reason offers no reason change', () => {
  assert.ok(!recordActionsFor({ list: 'DUL', status: 'active' }).includes('reason'));
  assert.ok(!recordActionsFor({ list: 'GAL', status: 'active' }).includes('reason'));
  assert.ok(!recordActionsFor({ list: 'MML', status: 'active' }).includes('reason'));
});
