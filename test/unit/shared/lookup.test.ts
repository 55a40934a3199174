/** Bulk lookup's shared parts: how a pasted or piped list splits into entries, and the CSV of the answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressEntries, bulkLookupCsv, mailServerSees, type BulkLookupAnswer } from '../../../shared/lookup.js';
import type { LookupListing } from '../../../shared/lookup.js';
import type { AddressAnswers } from '../../../shared/published.js';
import { LISTS } from '../../../shared/domain.js';

test('entries: one or more per line (spaces, tabs, commas, semicolons), blank lines and # comments skipped, line numbers kept', () => {
  assert.deepEqual(addressEntries('11.0.0.1\n\n# header\n23.0.0.1, 45.0.0.1;2a01::1\t81.0.0.1  # trailing note\r\n'), [
    { line: 1, text: '11.0.0.1' },
    { line: 4, text: '23.0.0.1' },
    { line: 4, text: '45.0.0.1' },
    { line: 4, text: '2a01::1' },
    { line: 4, text: '81.0.0.1' },
  ]);
  assert.deepEqual(addressEntries('  \n# only a comment\n'), []);
});

const listing = (id: number, list: LookupListing['list'], status: LookupListing['status']): LookupListing => ({
  standing: status,
  role: status === 'active' ? 'answers' : 'not-in-force',
  id,
  list,
  range: '11.0.0.0/8',
  family: 4,
  prefix: 8,
  reason: 'spam-source',
  investigator: 'Ana',
  status,
  suppressedUntil: null,
  txt: null,
  level: null,
  expiresAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

/** What the zones answer: `list` answers (from listing `id`), the others not. */
function answered(list: LookupListing['list'] | null, id: number | null): AddressAnswers {
  const answer = { a: '127.0.0.2', txt: 'RBL: Spam source; see https://lookup.example/ip/11.1.1.1', level: null };
  return {
    lists: LISTS.map((each) => ({ list: each, answer: each === list ? answer : null, listingId: each === list ? id : null, allowedBy: null })),
    combined: list === null ? [] : [answer],
  };
}

test('CSV: a row per address with its lists, listing ids and statuses; a text that is not an address carries the problem, neutralised for spreadsheets', () => {
  const answers: BulkLookupAnswer[] = [
    {
      input: '11.1.1.1',
      result: { ip: '11.1.1.1', family: 4, notes: [], listings: [listing(4, 'RBL', 'active'), listing(9, 'DUL', 'suppressed'), listing(12, 'RBL', 'delisted')], answers: answered('RBL', 4) },
      error: null,
    },
    { input: '45.0.0.1', result: { ip: '45.0.0.1', family: 4, notes: [], listings: [], answers: answered(null, null) }, error: null },
    // Contained in a listing that is not published (delisted): a mail server sees nothing, so not listed.
    { input: '11.2.2.2', result: { ip: '11.2.2.2', family: 4, notes: [], listings: [listing(12, 'RBL', 'delisted')], answers: answered(null, null) }, error: null },
    { input: '=cmd|x', result: null, error: '"=cmd|x" is not an IP address' },
  ];
  assert.equal(
    bulkLookupCsv(answers),
    'input,address,listed,a mail server sees,lists,listing ids,statuses,problem\r\n' +
      '11.1.1.1,11.1.1.1,yes,RBL 127.0.0.2,RBL;DUL,4;9;12,RBL #4 active;DUL #9 suppressed;RBL #12 delisted,\r\n' +
      '45.0.0.1,45.0.0.1,no,,,,,\r\n' +
      '11.2.2.2,11.2.2.2,no,,RBL,12,RBL #12 delisted,\r\n' +
      `'=cmd|x,,,,,,,"""=cmd|x"" is not an IP address"\r\n`,
  );
});

test('what a mail server sees: each list whose zone answers with its A record and QIL level, and a blocklist the GAL overrides', () => {
  const answers = answered('RBL', 4);
  const lists = answers.lists.map((entry) => {
    if (entry.list === 'QIL') return { ...entry, answer: { a: '127.0.0.6', txt: 'QIL level 3', level: 3 }, listingId: 5 };
    if (entry.list === 'DUL') return { ...entry, allowedBy: 8 };
    return entry;
  });
  const result = { ip: '11.1.1.1', family: 4 as const, notes: [], listings: [], answers: { lists, combined: [] } };
  assert.deepEqual(mailServerSees(result), ['RBL 127.0.0.2', 'DUL allowed by GAL #8', 'QIL 127.0.0.6 (level 3)']);
  assert.deepEqual(mailServerSees({ ...result, answers: answered(null, null) }), []);
});
