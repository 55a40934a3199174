/** `lookup.bulk`: many addresses answered in order by the one index; a bad entry answered with its reason; the call's size bounded by the contract. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../../../main/core/app.js';
import { MAX_BULK_LOOKUP } from '../../../shared/lookup.js';

let folder: string;
let core: Core;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-lookup-bulk-'));
  core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
  assert.ok((await core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator'] }, { actor: null })).ok);
  const added = await core.dispatch('listings.add', { range: '81.2.0.0/16', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' });
  assert.ok(added.ok);
});

after(() => {
  core.close();
  rmSync(folder, { recursive: true, force: true });
});

test('answers each entry in order; a text that is not an address gets its reason and does not fail the others', async () => {
  const result = await core.dispatch('lookup.bulk', { ips: ['81.2.3.4', '81.3.0.1', '81.2.3', '::ffff:81.2.9.9'] }, { actor: null });
  assert.ok(result.ok);
  const { answers } = result.value;
  assert.deepEqual(
    answers.map((answer) => [answer.input, answer.result?.ip ?? null, answer.result?.listings.map((listing) => listing.range) ?? null]),
    [
      ['81.2.3.4', '81.2.3.4', ['81.2.0.0/16']],
      ['81.3.0.1', '81.3.0.1', []],
      ['81.2.3', null, null],
      ['::ffff:81.2.9.9', '81.2.9.9', ['81.2.0.0/16']],
    ],
  );
  assert.match(answers[2].error ?? '', /four decimal octets/);
  assert.equal(answers[0].error, null);
});

test('more than MAX_BULK_LOOKUP addresses in one call, or none, are refused before the core runs', async () => {
  const tooMany = await core.dispatch('lookup.bulk', { ips: Array.from({ length: MAX_BULK_LOOKUP + 1 }, () => '81.2.3.4') }, { actor: null });
  assert.equal(tooMany.ok, false);
  assert.equal(tooMany.ok ? '' : tooMany.error.code, 'invalid-input');
  const none = await core.dispatch('lookup.bulk', { ips: [] }, { actor: null });
  assert.equal(none.ok, false);
});
