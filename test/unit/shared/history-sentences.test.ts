/** History events read as sentences: every event a listing's history holds, and none shows its raw code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeHistoryEvent } from '../../../shared/history-sentences.js';

const time = (iso: string) => `[${iso.slice(0, 10)}]`;
const say = (action: string, details: Record<string, unknown>) => describeHistoryEvent({ action, details }, time);

test('each event a listing can have reads as a sentence', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['listing.created', { list: 'RBL', reason: 'open-proxy', txt: 'Proxy at $', level: null, expiresAt: null }, 'Listed on RBL as open proxy with the TXT “Proxy at $”.'],
    ['listing.created', { list: 'QIL', reason: 'botnet', level: 2, expiresAt: '2026-12-09T00:00:00Z', movedFrom: 4, fromList: 'RBL' }, 'Listed on QIL as botnet at QIL level 2 until [2026-12-09], moved here from #4 on RBL.'],
    ['listing.moved', { toList: 'MML', to: 9 }, 'Moved to MML as #9; this listing was delisted.'],
    ['listing.delisted', { from: 'active', request: 4 }, 'Delisted (it was active) on delisting request #4.'],
    ['listing.delisted', { from: 'active', nomination: 2 }, 'Delisted (it was active) for GAL nomination #2.'],
    ['listing.suppressed', { from: 'active', until: '2027-01-31T23:59:59Z' }, 'Taken out of the zone until [2027-01-31].'],
    ['listing.relisted', { from: 'delisted', expiresAt: null }, 'Listed again (it was delisted).'],
    ['listing.reassigned', { from: 'Ana', to: 'Ben' }, 'Reassigned from Ana to Ben.'],
    ['listing.extended', { from: '2026-12-01T00:00:00Z', to: '2026-12-20T00:00:00Z' }, 'Expiry moved to [2026-12-20] (it was [2026-12-01]).'],
    ['listing.updated', { reason: { from: 'spam-source', to: 'botnet' } }, 'Changed the reason from spam source to botnet.'],
    ['listing.updated', { txt: { from: null, to: 'Seen in traps' } }, 'Changed the TXT from none to “Seen in traps”.'],
    ['listing.nomination-linked', { nomination: 3, ip: '45.1.1.1', fqdn: 'mx.example.net' }, 'Made by the approval of GAL nomination #3 (45.1.1.1, mx.example.net).'],
    ['listing.delisting-requested', { requests: [5, 6] }, 'Delisting requested (request #5, #6).'],
    ['listing.delisting-requested', { requests: { count: 120, first: 1, last: 120 } }, 'Delisting requested (request #1 to #120 (120 requests)).'],
    ['listing.delisting-deny', { request: 5, decision: 'deny', from: 'active' }, 'Delisting request #5 denied.'],
    ['listings.imported', { source: 'spamhaus.txt', count: 1300 }, 'Imported from spamhaus.txt with 1299 other listings.'],
    ['listings.imported', { source: 'isp.csv', count: 1, submission: 7, isp: 'Example ISP' }, 'Imported from isp.csv (DUL submission #7 of Example ISP).'],
    ['listings.delisted', { submission: 8, isp: 'Example ISP' }, 'Delisted with DUL submission #8 of Example ISP.'],
    ['listings.restored', { submission: 8, isp: 'Example ISP' }, 'Listed again when DUL submission #8 of Example ISP was reverted.'],
    ['qil.listed', { source: 'traps.csv' }, 'Listed on QIL by the trap hits of traps.csv.'],
    ['qil.extended', { level: 3, to: '2026-12-10T00:00:00Z', score: 4.5, relisted: false }, 'New trap hits (score 4.5) moved QIL level 3 to [2026-12-10].'],
    ['samples.linked', { samples: 2, files: ['a.eml'] }, '2 spam samples attached from a.eml.'],
    ['samples.linked', { samples: 1, sampleIds: [4] }, '1 spam sample attached.'],
    ['thread.opened', { thread: 2, subject: 'Delisting' }, 'Correspondence thread #2 opened: “Delisting”.'],
    ['thread.note', { thread: 2 }, 'Internal note added to thread #2.'],
    ['thread.mail-imported', { thread: 2, direction: 'inbound', messages: [1, 2] }, '2 received messages added to thread #2.'],
    ['thread.reply', { thread: 2, to: 'abuse@isp.example', subject: 'Re: Delisting' }, 'Reply to abuse@isp.example saved in thread #2: “Re: Delisting”.'],
    ['thread.sent', { to: 'abuse@isp.example', relay: 'mail.example:25' }, 'Reply sent to abuse@isp.example through mail.example:25.'],
    ['thread.resolved', { thread: 2, subject: 'Delisting', outcome: 'no-response' }, 'Thread #2 (“Delisting”) resolved: no response.'],
  ];
  for (const [action, details, expected] of cases) assert.equal(say(action, details), expected, action);
});

test('the review queues\' events read as sentences too', () => {
  assert.equal(say('delisting.received', { ip: '45.1.1.1', source: 'form', assignee: 'Ana' }), 'Request for 45.1.1.1 received (form) and routed to Ana.');
  assert.equal(say('delisting.received', { ip: '45.1.1.1', status: 'closed-unlisted' }), 'Request for 45.1.1.1 received; the address is not listed, so it was closed with an answer.');
  assert.equal(say('delisting.remove-temporarily', { until: '2027-01-01T00:00:00Z' }), 'Temporary removal granted until [2027-01-01].');
  assert.equal(say('nomination.received', { contact: 'ops@mail.example', ips: ['45.1.1.1', '45.1.1.2'] }), 'Nomination received from ops@mail.example with 2 MTAs.');
  assert.equal(say('nomination.opened', { assignee: 'Rosa' }), 'Opened and taken by Rosa; the checks ran.');
  assert.equal(say('nomination.approve', {}), 'Approved.');
});

test('an event not known here is told in words, never as its raw code', () => {
  const sentence = say('samples.quarantined', { count: 2 });
  assert.equal(sentence, 'Samples quarantined.');
  assert.doesNotMatch(sentence, /[a-z]\.[a-z]/);
});
