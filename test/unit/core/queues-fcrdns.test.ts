/**
 * The FCrDNS investigation aid against a real DNS server (NSD) started on 127.0.0.1 for this
 * test: the resolver comes from the setting queues.resolvers, nothing leaves the machine.
 * Covers confirmed, forward-only, reverse-only, NXDOMAIN, IPv6, and the aid stored by
 * nominations.open with its run time.
 */
import { after, before, describe, test } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, type Settings } from '../../../shared/settings.js';
import { checkFcrdns } from '../../../main/core/queues/aids.js';
import { createCore } from '../../../main/core/app.js';
import { freePort, requireTools, ServerProcesses, writeNsdConfig } from '../../integration/support/dns.js';
import { ok } from '../support/results.js';

const SOA = '@ 300 IN SOA ns.test. hostmaster.test. 1 3600 900 604800 300\n@ 300 IN NS ns.test.\n';

describe('FCrDNS through a resolver on loopback', () => {
  let folder: string;
  let port: number;
  const servers = new ServerProcesses();
  let settings: Settings;
  let nsd: ChildProcess | undefined;

  before(async () => {
    requireTools([
      ['nsd', 'nsd'],
      ['dig', 'bind9-dnsutils'],
    ]);
    folder = mkdtempSync(join(tmpdir(), 'repdesk-fcrdns-'));
    const zones = join(folder, 'zones');
    mkdirSync(zones);
    writeFileSync(
      join(zones, 'good.example.zone'),
      `$ORIGIN good.example.\n${SOA}mail 300 IN A 203.0.113.10\nfwd 300 IN A 203.0.113.11\nother 300 IN A 203.0.113.99\nmx6 300 IN AAAA 2001:db8::25\n`,
    );
    writeFileSync(join(zones, 'reverse.zone'), `$ORIGIN 113.0.203.in-addr.arpa.\n${SOA}10 300 IN PTR mail.good.example.\n11 300 IN PTR somewhere.else.example.\n12 300 IN PTR rev.good.example.\n`);
    writeFileSync(join(zones, 'reverse6.zone'), `$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.\n${SOA}5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 300 IN PTR MX6.good.example.\n`);
    port = await freePort();
    const config = writeNsdConfig(folder, port, zones, [
      ['good.example', 'good.example.zone'],
      ['113.0.203.in-addr.arpa', 'reverse.zone'],
      ['8.b.d.0.1.0.0.2.ip6.arpa', 'reverse6.zone'],
    ]);
    nsd = servers.start('nsd', 'nsd', ['-d', '-c', config]);
    await servers.waitForSoa('nsd', port, ['good.example', '113.0.203.in-addr.arpa'], nsd, folder);
    settings = { ...defaultSettings(), queues: { ...defaultSettings().queues, resolvers: [`127.0.0.1:${port}`], dnsTimeoutMs: 2000 } };
  });

  after(async () => {
    // NSD writes its state files while it stops: stopAll waits for it before the folder goes.
    await servers.stopAll();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test('confirmed when the FQDN resolves to the IP and the PTR names the FQDN (case and trailing dot aside)', async () => {
    const result = await checkFcrdns('Mail.Good.Example.', '203.0.113.10', 4, settings);
    assert.equal(result.ok, true, result.result);
    assert.deepEqual(result.forward, ['203.0.113.10']);
    assert.deepEqual(result.ptr, ['mail.good.example']);
    assert.match(result.result, /^confirmed: mail\.good\.example resolves to 203\.0\.113\.10; PTR of 203\.0\.113\.10 is mail\.good\.example$/);
  });

  test('forward only, reverse only, and neither', async () => {
    const forwardOnly = await checkFcrdns('fwd.good.example', '203.0.113.11', 4, settings);
    assert.equal(forwardOnly.ok, false);
    assert.match(forwardOnly.result, /^not confirmed \(the PTR does not name the FQDN\)/);
    const reverseOnly = await checkFcrdns('rev.good.example', '203.0.113.12', 4, settings);
    assert.equal(reverseOnly.ok, false);
    assert.match(reverseOnly.result, /^not confirmed \(the FQDN does not resolve to the IP\): rev\.good\.example A: no record/);
    const neither = await checkFcrdns('other.good.example', '203.0.113.13', 4, settings);
    assert.match(neither.result, /^not confirmed \(neither direction matches\): other\.good\.example resolves to 203\.0\.113\.99; PTR of 203\.0\.113\.13: no record$/);
  });

  test('IPv6: AAAA and ip6.arpa', async () => {
    const result = await checkFcrdns('mx6.good.example', '2001:db8::25', 6, settings);
    assert.equal(result.ok, true, result.result);
  });

  test('nominations.open stores the FCrDNS result with when it ran, through the resolver setting', async () => {
    const core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date('2026-11-28T12:00:00Z') });
    try {
      await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, { actor: null }));
      await ok(core.dispatch('investigators.add', { name: 'rita', roles: ['reviewer'] }, { actor: 'admin' }));
      await ok(core.dispatch('settings.update', { queues: { resolvers: [`127.0.0.1:${port}`] } }, { actor: 'admin' }));
      const nomination = await ok(
        core.dispatch(
          'nominations.add',
          {
            mtas: [
              { ip: '203.0.113.10', fqdn: 'mail.good.example', domain: 'good.example', company: 'Good', country: 'NL', companyType: 'ESP' },
              { ip: '203.0.113.11', fqdn: 'fwd.good.example', domain: 'good.example', company: 'Good', country: 'NL', companyType: 'ESP' },
            ],
            contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' },
          },
          { actor: 'rita' },
        ),
      );
      const opened = await ok(core.dispatch('nominations.open', { id: nomination.id }, { actor: 'rita' }));
      assert.deepEqual(opened.aids?.map((aid) => aid.fcrdns.ok), [true, false]);
      assert.equal(opened.aids?.[0].fcrdns.at, '2026-11-28T12:00:00.000Z');
    } finally {
      core.close();
    }
  });
});
