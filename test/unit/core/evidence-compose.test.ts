/**
 * Outgoing mail and its wording: the composed bytes read back (mailparser) as exactly the text
 * written, plain ASCII as 7bit and anything else as quoted-printable, headers encoded and folded;
 * a recipient that is not one plain address, or a bad message id, refused by name; dates in words
 * with their time zone, a TXT's `$` as the address the mail is about.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { composeMail, mailDate } from '../../../main/core/evidence/compose.js';
import { mailAddressOf } from '../../../main/core/evidence/mail.js';
import { dateInWords, txtInWords } from '../../../main/core/evidence/wording.js';

const BASE = {
  from: 'abuse-desk@bl.example',
  to: 'noc@isp.example',
  date: new Date(Date.UTC(2026, 10, 28, 12, 0, 0)),
  messageId: '<abc@bl.example>',
  inReplyTo: '<req-1@isp.example>',
  references: ['<req-0@isp.example>', '<req-1@isp.example>'],
};

test('plain ASCII goes as 7bit with CRLF lines, and reads back as written', async () => {
  const text = 'Hello,\n\nThe listing stays.\n\nThe reputation team\n';
  const raw = composeMail({ ...BASE, subject: 'Re: Please delist 45.0.0.1', text });
  const head = raw.toString('latin1').split('\r\n\r\n')[0];
  assert.equal(
    head,
    [
      'From: abuse-desk@bl.example',
      'To: noc@isp.example',
      'Subject: Re: Please delist 45.0.0.1',
      'Date: Sat, 28 Nov 2026 12:00:00 +0000',
      'Message-ID: <abc@bl.example>',
      'In-Reply-To: <req-1@isp.example>',
      'References: <req-0@isp.example> <req-1@isp.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 7bit',
    ].join('\r\n'),
  );
  assert.ok(!/[^\r]\n/.test(raw.toString('latin1')), 'every line ends in CRLF');
  const parsed = await simpleParser(raw);
  assert.equal(parsed.text, text);
  assert.equal(parsed.date?.toISOString(), '2026-11-28T12:00:00.000Z');
});

test('non-ASCII text, long lines, trailing spaces and a "From " line go quoted-printable and read back exactly', async () => {
  const text = `Grüße,\n\nFrom here on: ${'a very long line '.repeat(10)}\nspace at the end \n`;
  const raw = composeMail({ ...BASE, subject: 'Über die Sperre', text });
  assert.match(raw.toString('latin1'), /^Content-Transfer-Encoding: quoted-printable\r$/m);
  assert.match(raw.toString('latin1'), /^Subject: =\?UTF-8\?Q\?=C3=9Cber\?= die Sperre\r$/m);
  assert.ok(raw.toString('latin1').split('\r\n').every((line) => line.length <= 78), 'no line over 78 characters');
  const parsed = await simpleParser(raw);
  assert.equal(parsed.text, text);
  assert.equal(parsed.subject, 'Über die Sperre');
});

test('a recipient that is not one plain address, or a bad message id, is refused by name', () => {
  assert.throws(() => composeMail({ ...BASE, to: 'NOC <noc@isp.example>', subject: 's', text: 't' }), /to "NOC <noc@isp\.example>" is not one plain mail address/);
  assert.throws(() => composeMail({ ...BASE, to: 'nöc@isp.example', subject: 's', text: 't' }), /not one plain mail address \(name@domain, ASCII\)/);
  assert.throws(() => composeMail({ ...BASE, messageId: 'abc@bl.example', subject: 's', text: 't' }), /"abc@bl\.example" is not a message id/);
  assert.equal(mailAddressOf('Ops Team <ops@isp.example>'), 'ops@isp.example');
  assert.equal(mailAddressOf(' ops@isp.example '), 'ops@isp.example');
  assert.equal(mailAddressOf('phone +31 20 555 0100'), null);
  assert.equal(mailAddressOf('ops@localhost'), null);
});

test('dates in words with their time zone; a TXT with $ reads as the address', () => {
  assert.equal(mailDate(new Date(Date.UTC(2026, 0, 5, 7, 8, 9))), 'Mon, 05 Jan 2026 07:08:09 +0000');
  assert.equal(dateInWords('2026-12-21T00:00:00.000Z', 'UTC'), 'Monday 21 December 2026, 00:00 UTC');
  assert.equal(dateInWords('2026-12-21T00:00:00.000Z', 'Europe/Berlin'), 'Monday 21 December 2026, 01:00 CET');
  assert.equal(dateInWords('2026-12-21T00:30:00.000Z', 'America/New_York', true), 'Sunday 20 December 2026');
  assert.equal(txtInWords('Listed for spam; see https://lookup.example/ip/$', '45.0.0.9'), 'Listed for spam; see https://lookup.example/ip/45.0.0.9');
  assert.equal(txtInWords('Spam from $', '45.0.0.0/24'), 'Spam from 45.0.0.0/24');
});
