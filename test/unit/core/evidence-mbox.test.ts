/**
 * The mbox splitter: postmark lines, mboxrd `>From` unquoting, unquoted `From ` lines inside
 * bodies (mboxo), CRLF files, a single .eml, chunk boundaries anywhere, and oversized messages.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPostmark, splitChunks, splitMessages, type SplitMessage } from '../../../main/core/evidence/mbox.js';

async function collect(source: AsyncGenerator<SplitMessage>): Promise<SplitMessage[]> {
  const messages: SplitMessage[] = [];
  for await (const message of source) messages.push(message);
  return messages;
}

const MBOX = [
  'From spammer@example.net Thu Nov 26 10:00:00 2026',
  'From: spammer@example.net',
  'Subject: one',
  '',
  'Body one.',
  '>From the desk of the prince',
  '>>From quoted twice',
  '',
  'From bounce@example.org Fri Nov 27 11:00:00 2026',
  'From: bounce@example.org',
  'Subject: two',
  '',
  'From here on, a line starting with From that is not a postmark.',
  'From x Sat but not after a blank line',
  '',
  'From MAILER-DAEMON Sat Nov 28 12:00:00 2026',
  'Subject: three',
  '',
  'Body three.',
  '',
].join('\n');

describe('mbox splitter', () => {
  test('postmarks', () => {
    assert.equal(isPostmark(Buffer.from('From MAILER-DAEMON Fri Jul  8 12:08:34 2011')), true);
    assert.equal(isPostmark(Buffer.from('From  Mon Jan  1 00:00:00 2024')), true);
    assert.equal(isPostmark(Buffer.from('From here on we go')), false);
    assert.equal(isPostmark(Buffer.from('From: someone@example.net')), false);
  });

  test('splits at postmarks after an empty line, unquotes >From, keeps other From lines', async () => {
    const messages = await collect(splitChunks([Buffer.from(MBOX)], 1 << 20));
    assert.equal(messages.length, 3);
    assert.deepEqual(
      messages.map((message) => message.number),
      [1, 2, 3],
    );
    assert.deepEqual(
      messages.map((message) => message.line),
      [2, 10, 17],
    );
    assert.equal(messages[0].bytes.toString(), 'From: spammer@example.net\nSubject: one\n\nBody one.\nFrom the desk of the prince\n>From quoted twice\n');
    assert.match(messages[1].bytes.toString(), /\nFrom here on, a line starting with From that is not a postmark\.\nFrom x Sat but not after a blank line\n$/);
    assert.equal(messages[2].bytes.toString(), 'Subject: three\n\nBody three.\n');
    assert.ok(messages.every((message) => message.isMbox && !message.isOversized));
  });

  test('the same result whatever the chunk boundaries', async () => {
    const whole = await collect(splitChunks([Buffer.from(MBOX)], 1 << 20));
    for (const size of [1, 2, 3, 7, 50]) {
      const bytes = Buffer.from(MBOX);
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
      const split = await collect(splitChunks(chunks, 1 << 20));
      assert.deepEqual(
        split.map((message) => message.bytes.toString()),
        whole.map((message) => message.bytes.toString()),
        `chunks of ${size}`,
      );
    }
  });

  test('CRLF mbox: the separating empty line is dropped, CRLF kept in the message', async () => {
    const text = MBOX.replace(/\n/g, '\r\n');
    const messages = await collect(splitChunks([Buffer.from(text)], 1 << 20));
    assert.equal(messages.length, 3);
    assert.equal(messages[2].bytes.toString(), 'Subject: three\r\n\r\nBody three.\r\n');
  });

  test('a single .eml is one message, From lines and >From untouched', async () => {
    const eml = 'From: a@example.net\nSubject: x\n\nFrom Mon the body\n>From stays quoted\n';
    const messages = await collect(splitChunks([Buffer.from(eml)], 1 << 20));
    assert.equal(messages.length, 1);
    assert.equal(messages[0].isMbox, false);
    assert.equal(messages[0].bytes.toString(), eml);
  });

  test('a message over the limit is reported oversized, its neighbours intact', async () => {
    const big = `From a@example.net Thu Nov 26 10:00:00 2026\nSubject: big\n\n${'x'.repeat(5000)}\n\nFrom b@example.net Thu Nov 26 10:00:00 2026\nSubject: small\n\nok\n`;
    const messages = await collect(splitChunks([Buffer.from(big)], 1000));
    assert.equal(messages.length, 2);
    assert.equal(messages[0].isOversized, true);
    assert.ok(messages[0].size > 5000);
    assert.equal(messages[0].bytes.length, 0);
    assert.equal(messages[1].isOversized, false);
    assert.equal(messages[1].bytes.toString(), 'Subject: small\n\nok\n');
    // A line longer than a message is passed over as it streams (never gathered), whatever the chunks.
    const bytes = Buffer.from(big);
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < bytes.length; offset += 7) chunks.push(bytes.subarray(offset, offset + 7));
    const streamed = await collect(splitChunks(chunks, 1000));
    assert.deepEqual(
      streamed.map((message) => [message.number, message.line, message.isOversized, message.bytes.toString()]),
      [
        [1, 2, true, ''],
        [2, 7, false, 'Subject: small\n\nok\n'],
      ],
    );
    assert.ok(streamed[0].size > 5000);
  });

  test('streams a file from disk', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'repdesk-mbox-'));
    try {
      const path = join(folder, 'spam.mbox');
      writeFileSync(path, MBOX);
      const messages = await collect(splitMessages(path, 1 << 20));
      assert.equal(messages.length, 3);
      assert.equal(messages[2].bytes.toString(), 'Subject: three\n\nBody three.\n');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
