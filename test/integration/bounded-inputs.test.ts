/**
 * Large and hostile inputs cost bounded memory (issue 15 §5): a 100 MB file that is one line is
 * refused by every reader within 2 s and 100 MB of extra memory (the line limit is enforced while
 * reading), and 100 MB HTTP bodies (an API call, an upload) get their 413 within 2 s, the server's
 * memory bounded the same way. Each case runs in a fresh process whose peak RSS is measured.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MB = 1024 * 1024;
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'support', 'bounded-child.js');
// The bounds; the measured figures are printed with each case.
const MAX_MILLISECONDS = 2000;
const MAX_EXTRA_BYTES = 100 * MB;

let folder: string;
let oneLine: string;

interface Measured {
  readonly rssBefore: number;
  readonly maxRss: number;
  readonly outcomes: ReadonlyArray<{ readonly name: string; readonly milliseconds: number; readonly status?: number; readonly message: string }>;
}

function run(...args: string[]): Measured {
  const child = spawnSync(process.execPath, [CHILD, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, REPDESK_LOG_LEVEL: 'error' } });
  assert.equal(child.status, 0, `${child.stderr}\n${child.stdout}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() as string) as Measured;
}

function report(measured: Measured): void {
  const extra = (measured.maxRss - measured.rssBefore) / MB;
  for (const outcome of measured.outcomes) console.log(`${outcome.name}: answered in ${outcome.milliseconds.toFixed(0)} ms; peak RSS ${(measured.maxRss / MB).toFixed(0)} MiB, ${extra.toFixed(0)} MiB over the start`);
  assert.ok(measured.maxRss - measured.rssBefore < MAX_EXTRA_BYTES, `${extra.toFixed(0)} MiB of extra memory`);
  for (const outcome of measured.outcomes) assert.ok(outcome.milliseconds < MAX_MILLISECONDS, `${outcome.name}: ${outcome.milliseconds.toFixed(0)} ms`);
}

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-bounded-test-'));
  oneLine = join(folder, 'one-line.csv');
  const descriptor = openSync(oneLine, 'w');
  const chunk = Buffer.alloc(MB, '11.0.0.1,'.repeat(8).slice(0, 64));
  for (let index = 0; index < 100; index += 1) writeSync(descriptor, chunk);
  closeSync(descriptor);
});

after(() => rmSync(folder, { recursive: true, force: true }));

for (const kind of ['listings', 'qil', 'dul', 'delisting', 'nominations']) {
  test(`${kind}: a 100 MB file of one line is refused at the line limit`, () => {
    const measured = run('import', kind, oneLine);
    assert.match(measured.outcomes[0].message, /line 1 is over 1\.0 MiB \(the longest line an import reads\)/);
    report(measured);
  });
}

test('samples: a 100 MB message of one line is refused over the message limit, streamed past without being held', () => {
  const measured = run('import', 'samples', oneLine);
  assert.match(measured.outcomes[0].message, /"outcome":"failed"/);
  assert.match(measured.outcomes[0].message, /over the limit of 32\.0 MiB per message/);
  report(measured);
});

test('HTTP: 100 MB bodies get 413 (an API call over 1 MiB, an upload over import.maxFileBytes)', () => {
  const measured = run('http');
  assert.deepEqual(
    measured.outcomes.map((outcome) => [outcome.name, outcome.status]),
    [
      ['JSON body, declared length', 413],
      ['JSON body, chunked', 413],
      ['upload, declared length', 413],
      ['upload, chunked', 413],
    ],
  );
  for (const outcome of measured.outcomes) assert.match(outcome.message, /"code":"too-large"/);
  report(measured);
});
