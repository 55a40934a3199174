/** The dashboard's shared helpers: the listings-route filter text and digit grouping of decimal strings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupDigits, listingsQuery } from '../../../shared/dashboard.js';

test('a listings filter becomes URLSearchParams text in a fixed key order, leaving out what is unset', () => {
  assert.equal(listingsQuery({ status: 'active', list: 'RBL' }), 'list=RBL&status=active');
  assert.equal(listingsQuery({ createdTo: '2026-11-28', createdFrom: '2026-11-01', list: 'DUL' }), 'list=DUL&createdFrom=2026-11-01&createdTo=2026-11-28');
  assert.equal(listingsQuery({ isp: 'Example & Co', investigator: 'Zoë' }), 'investigator=Zo%C3%AB&isp=Example+%26+Co');
  assert.deepEqual([...new URLSearchParams(listingsQuery({ isp: 'Example & Co' }))], [['isp', 'Example & Co']]);
  assert.equal(listingsQuery({}), '');
});

test('decimal strings are grouped by thousands, past what a double holds', () => {
  assert.equal(groupDigits('0'), '0');
  assert.equal(groupDigits('999'), '999');
  assert.equal(groupDigits('65536'), '65,536');
  assert.equal(groupDigits('18446744073709551616'), '18,446,744,073,709,551,616');
});
