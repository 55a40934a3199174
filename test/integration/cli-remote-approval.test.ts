/**
 * A large change published from two publishers' computers: each logged in with `repdesk login`
 * (their own config folder), each with their own key registered. The first's `repdesk publish`
 * is refused for want of a second publisher and records the request; the second approves it by
 * publishing with --approve-large-change, signing with their own key: the snapshot names both,
 * and stock minisign verifies it with the second's public key. The server is the real team
 * server (startTeamServer on its threaded core, plain HTTP on loopback).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../main/cli/main.js';
import type { Manifest } from '../../main/core/snapshot/index.js';
import { ok } from '../unit/support/results.js';
import { describeRun, runProgram, type Run } from './support/cli.js';
import { startTeamHarness, value, type PersonSession, type TeamServerHarness } from './support/team-server.js';

describe('a large change published from two publishers’ computers', () => {
  const savedConfig = process.env.XDG_CONFIG_HOME;
  let team: TeamServerHarness;
  let out: string;
  const people: Record<string, PersonSession> = {};
  /** A listing added through the server by its admin. */
  const addListing = async (range: string) => value(await team.call('listings.add', { range, list: 'RBL', reason: 'spam-source' }, { token: team.admin.token }));

  /** `repdesk ARGS` on `person`'s computer (their own config folder). */
  async function as(person: string, args: string[]): Promise<Run> {
    process.env.XDG_CONFIG_HOME = join(team.folder, `config-${person}`);
    const result = { out: [] as string[], error: [] as string[] };
    const code = await runCli(args, { out: (line) => result.out.push(...line.split('\n')), error: (line) => result.error.push(...line.split('\n')) });
    return { ...result, code };
  }

  before(async () => {
    team = await startTeamHarness();
    out = join(team.folder, 'published');
    // Where the server publishes is set on the server's computer (a folder is never named over HTTP).
    await ok(team.core.dispatch('settings.update', { publish: { outDir: out, maxAddedPerList: 2 } }, { actor: 'Ada', localFiles: true }));
    for (const name of ['Pia', 'Pat']) {
      people[name] = await team.person(name, ['publisher']);
      const key = join(team.folder, `${name.toLowerCase()}.key`);
      const made = await as(name, ['keygen', '--out', key, '--unencrypted']);
      assert.equal(made.code, 0, describeRun(made));
      value(await team.call('keys.register', { publisher: name, publicKey: readFileSync(`${key}.pub`, 'utf8') }, { token: team.admin.token }));
    }
    for (let host = 1; host <= 5; host += 1) await addListing(`45.40.0.${host}`);
    for (const name of ['Pia', 'Pat']) {
      const passphrase = join(team.folder, `${name}.pass`);
      writeFileSync(passphrase, `${people[name].passphrase}\n`);
      const login = await as(name, ['login', '--server', team.origin, '--name', name, '--passphrase-file', passphrase]);
      assert.equal(login.code, 0, describeRun(login));
    }
  });

  after(async () => {
    await team?.stop();
    if (savedConfig === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = savedConfig;
  });

  test('refused for the first, approved and signed by the second', async () => {
    // The first snapshot has nothing to compare with; the next large change needs a second publisher.
    const first = await as('Pia', ['publish', '--key', join(team.folder, 'pia.key'), '--yes']);
    assert.equal(first.code, 0, describeRun(first));
    for (let host = 6; host <= 10; host += 1) await addListing(`45.40.0.${host}`);
    const refused = await as('Pia', ['publish', '--key', join(team.folder, 'pia.key'), '--yes']);
    assert.equal(refused.code, 1, describeRun(refused));
    assert.match(refused.error.at(-1) ?? '', /not published: the change needs a second publisher's approval/);
    assert.ok(refused.out.some((line) => /NEEDS-APPROVAL\s+change-size/.test(line)), describeRun(refused));
    const approved = await as('Pat', ['publish', '--key', join(team.folder, 'pat.key'), '--approve-large-change', '--yes']);
    assert.equal(approved.code, 0, describeRun(approved));
    assert.match(approved.out.join('\n'), /large change approved by Pat/);
    const manifest = JSON.parse(readFileSync(join(out, 'current', 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(String(manifest.serial), readlinkSync(join(out, 'current')));
    assert.deepEqual([manifest.preparedBy, manifest.approvedBy], ['Pia', 'Pat']);
    const verified = runProgram('minisign', ['-V', '-p', join(team.folder, 'pat.key.pub'), '-m', join(out, 'current', 'manifest.json')]);
    assert.equal(verified.code, 0, describeRun(verified));
  });
});
