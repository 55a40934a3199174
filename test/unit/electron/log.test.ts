/** The desktop log file, rotated by size. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyStreamToLog, createRotatingLog, createShellLogger } from '../../../main/electron/log.js';

const folder = mkdtempSync(join(tmpdir(), 'repdesk-log-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('the log rotates before a file passes its size, keeping the newest files', () => {
  const logs = join(folder, 'rotate');
  const log = createRotatingLog({ folder: logs, name: 'main', maxBytes: 20, keep: 2 });
  for (let index = 1; index <= 7; index += 1) log.write(`line ${index} ........\n`);
  assert.equal(readFileSync(join(logs, 'main.log'), 'utf8'), 'line 7 ........\n');
  assert.equal(readFileSync(join(logs, 'main.log.1'), 'utf8'), 'line 6 ........\n');
  assert.equal(readFileSync(join(logs, 'main.log.2'), 'utf8'), 'line 5 ........\n');
  assert.equal(existsSync(join(logs, 'main.log.3')), false);
});

test('a reopened log continues its size count', () => {
  const logs = join(folder, 'reopen');
  createRotatingLog({ folder: logs, name: 'main', maxBytes: 30, keep: 1 }).write('0123456789012345678\n');
  createRotatingLog({ folder: logs, name: 'main', maxBytes: 30, keep: 1 }).write('abcdefghijklmnopqrs\n');
  assert.equal(readFileSync(join(logs, 'main.log'), 'utf8'), 'abcdefghijklmnopqrs\n');
  assert.equal(readFileSync(join(logs, 'main.log.1'), 'utf8'), '0123456789012345678\n');
});

test('what the core writes to stderr is copied into the log, and still written to the stream', () => {
  const logs = join(folder, 'copy');
  const log = createRotatingLog({ folder: logs, name: 'main', maxBytes: 1 << 20, keep: 1 });
  const written: unknown[] = [];
  const stream = { write: (chunk: unknown) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
  copyStreamToLog(stream, log);
  stream.write('2026-11-28T10:00:00.000Z warn core: text\n');
  stream.write(Buffer.from('bytes\n'));
  createShellLogger(log, 'desktop').info('started');
  assert.equal(written.length, 2);
  assert.match(readFileSync(log.path, 'utf8'), /^2026-11-28T10:00:00.000Z warn core: text\nbytes\n\S+ info desktop: started\n$/);
});
