/**
 * Received-chain hop selection on header shapes written by real MTAs (Postfix, Sendmail, Exim,
 * qmail, Exchange, Gmail, Yahoo): IPv4, IPv6, `[IPv6:...]`, HELO names that are address literals
 * or lies, unknown reverse names, hops without an address; the choice with and without trusted relays.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReceived, parseTrustedRelays, receivedChain } from '../../../main/core/evidence/received.js';
import { formatAddress } from '../../../shared/address.js';

function addressOf(header: string): string | null {
  const hop = parseReceived(header);
  return hop.address ? formatAddress(hop.address.family, hop.address.value) : null;
}

describe('Received header parsing', () => {
  test('Postfix: rDNS name and bracketed IPv4 in the TCP-info comment', () => {
    const hop = parseReceived('from mail.spam-sender.example (mail.spam-sender.example [45.83.64.10])\r\n\tby mx1.bl.example (Postfix) with ESMTPS id 4Xy; Thu, 26 Nov 2026 10:00:00 +0000 (UTC)');
    assert.equal(hop.address && formatAddress(hop.address.family, hop.address.value), '45.83.64.10');
    assert.equal(hop.helo, 'mail.spam-sender.example');
    assert.equal(hop.reverseName, 'mail.spam-sender.example');
    assert.equal(hop.by, 'mx1.bl.example');
  });

  test('Postfix: unknown reverse name; the HELO is a lie and is not taken as the address', () => {
    const hop = parseReceived('from mail.google.com (unknown [185.220.101.33]) by mx1.bl.example (Postfix) with SMTP id 1; Thu, 26 Nov 2026 10:00:00 +0000');
    assert.equal(addressOf(hop.header), '185.220.101.33');
    assert.equal(hop.reverseName, null);
    assert.equal(hop.helo, 'mail.google.com');
  });

  test('Postfix: IPv6 written as [IPv6:...]', () => {
    assert.equal(addressOf('from mail.example.org (mail.example.org [IPv6:2a00:1450:4864:20::62b]) by mx1.bl.example (Postfix) with ESMTPS id X; Thu, 26 Nov 2026 10:00:00 +0000'), '2a00:1450:4864:20::62b');
  });

  test('HELO as an IPv6 literal with a different connecting address', () => {
    assert.equal(addressOf('from [IPv6:2001:db8::1] (unknown [IPv6:2a01:4f8:c17:1::2]) by mx1.bl.example (Postfix) with ESMTP; Thu, 26 Nov 2026 10:00:00 +0000'), '2a01:4f8:c17:1::2');
  });

  test('Gmail: trailing dot on the reverse name, SMTPS', () => {
    const hop = parseReceived('from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\n        by mx.google.com with SMTPS id a2sor; Thu, 26 Nov 2026 02:00:00 -0800 (PST)');
    assert.equal(addressOf(hop.header), '209.85.220.41');
    assert.equal(hop.reverseName, 'mail-sor-f41.google.com');
    assert.equal(hop.by, 'mx.google.com');
  });

  test('Sendmail: nested "(may be forged)" comment', () => {
    assert.equal(addressOf('from bogus.example (host-91-200-12-7.example.net [91.200.12.7] (may be forged)) by relay.example.com (8.15.2/8.15.2) with ESMTP id x; Thu, 26 Nov 2026 10:00:00 +0000'), '91.200.12.7');
  });

  test('Exim: address literal as the token, helo= in the comment', () => {
    const hop = parseReceived('from [103.21.244.9] (port=51432 helo=pc-4711) by mail.example.net with esmtp (Exim 4.96) id 1abc; Thu, 26 Nov 2026 10:00:00 +0000');
    assert.equal(addressOf(hop.header), '103.21.244.9');
    assert.equal(hop.helo, 'pc-4711');
  });

  test('Exim: reverse name token, bracketed address with port', () => {
    assert.equal(addressOf('from host.example.net ([77.88.21.5]:40211 helo=spammer) by mail.example.net with esmtp (Exim 4.96); Thu, 26 Nov 2026 10:00:00 +0000'), '77.88.21.5');
  });

  test('qmail: (HELO name) comment, then the bare address in parentheses', () => {
    const hop = parseReceived('from unknown (HELO winxp-pc) (62.210.5.33) by mail.example.org with SMTP; 26 Nov 2026 10:00:00 -0000');
    assert.equal(addressOf(hop.header), '62.210.5.33');
    assert.equal(hop.helo, 'winxp-pc');
  });

  test('qmail with IPv6 in parentheses', () => {
    assert.equal(addressOf('from unknown (HELO x) (2a02:c207:3005:1::1) by mail.example.org with SMTP; 26 Nov 2026 10:00:00 -0000'), '2a02:c207:3005:1::1');
  });

  test('Yahoo style: bare address as the token, EHLO in a comment', () => {
    assert.equal(addressOf('from 5.188.206.14 (EHLO mail.example) (5.188.206.14) by mta1.mail.example.com with SMTP; Thu, 26 Nov 2026 10:00:00 +0000'), '5.188.206.14');
  });

  test('Exchange: bare address in parentheses on both sides', () => {
    const hop = parseReceived('from EXCH01.corp.example (10.20.0.5) by EXCH02.corp.example (10.20.0.6) with Microsoft SMTP Server (TLS) id 15.1.2507.6; Thu, 26 Nov 2026 10:00:00 +0000');
    assert.equal(addressOf(hop.header), '10.20.0.5');
    assert.equal(hop.by, 'EXCH02.corp.example');
  });

  test('no from clause (local delivery, qmail invocation) and unknown host without an address', () => {
    const local = parseReceived('by mx1.bl.example (Postfix, from userid 1000) id 4Xy; Thu, 26 Nov 2026 10:00:00 +0000');
    assert.equal(local.address, null);
    assert.equal(local.by, 'mx1.bl.example');
    const qmail = parseReceived('(qmail 4711 invoked from network 45.83.64.10); 26 Nov 2026 10:00:00 -0000');
    assert.equal(qmail.address, null);
    assert.equal(qmail.helo, null);
    assert.equal(addressOf('from unknown by mx1.bl.example with SMTP; Thu, 26 Nov 2026 10:00:00 +0000'), null);
  });

  test('an IPv4 address with a leading-zero octet or over 255 is not taken', () => {
    assert.equal(addressOf('from x (x [300.1.2.3]) by y; Thu, 26 Nov 2026 10:00:00 +0000'), null);
    assert.equal(addressOf('from x (x [45.083.64.10]) by y; Thu, 26 Nov 2026 10:00:00 +0000'), null);
  });
});

describe('choosing the source hop', () => {
  const chain = [
    'from mailstore.bl.example (mailstore.bl.example [10.1.1.2]) by mda.bl.example (Postfix) with ESMTP; Thu, 26 Nov 2026 10:00:03 +0000',
    'from mx1.bl.example (mx1.bl.example [94.130.10.2]) by mailstore.bl.example (Postfix) with ESMTP; Thu, 26 Nov 2026 10:00:02 +0000',
    'from relay.isp.example (relay.isp.example [85.10.20.30]) by mx1.bl.example (Postfix) with ESMTP; Thu, 26 Nov 2026 10:00:01 +0000',
    'from infected-pc (dsl-91-7.isp.example [91.7.8.9]) by relay.isp.example with SMTP; Thu, 26 Nov 2026 10:00:00 +0000',
  ];

  test('no trusted relay: the newest hop whose connecting address is public', () => {
    const result = receivedChain(chain, []);
    assert.equal(result.chosen, 1);
    assert.equal(result.hops[1].ip, '94.130.10.2');
    assert.equal(result.hops[0].special, 'private (RFC 1918)');
    assert.match(result.reason, /newest public connecting address/);
  });

  test('trusted relays are passed over: the first untrusted hop', () => {
    const result = receivedChain(chain, parseTrustedRelays(['94.130.10.0/24']));
    assert.equal(result.chosen, 2);
    assert.equal(result.hops[2].ip, '85.10.20.30');
    assert.equal(result.hops[1].isTrusted, true);
    assert.match(result.reason, /neither a trusted relay/);
  });

  test('trusting the ISP relay too leads to the infected machine', () => {
    const result = receivedChain(chain, parseTrustedRelays(['94.130.10.2', '85.10.20.0-85.10.20.255']));
    assert.equal(result.hops[result.chosen ?? -1].ip, '91.7.8.9');
  });

  test('IPv6 hops are chosen like IPv4 ones; documentation space is never a source', () => {
    const result = receivedChain(
      [
        'from a (a [IPv6:2001:db8::25]) by b; Thu, 26 Nov 2026 10:00:00 +0000',
        'from c (c [IPv6:2a01:4f8:1c1c:5e5a::1]) by a; Thu, 26 Nov 2026 10:00:00 +0000',
      ],
      [],
    );
    assert.equal(result.chosen, 1);
    assert.equal(result.hops[1].family, 6);
    assert.equal(result.hops[0].special, 'documentation');
  });

  test('no Received header, or no usable address: no source, with the reason', () => {
    assert.deepEqual(receivedChain([], []).chosen, null);
    assert.match(receivedChain([], []).reason, /no Received header/);
    const internal = receivedChain(['from a (a [192.168.1.5]) by b; Thu, 26 Nov 2026 10:00:00 +0000', 'by c with local; x'], []);
    assert.equal(internal.chosen, null);
    assert.match(internal.reason, /special-purpose/);
    const none = receivedChain(['from unknown by b; Thu, 26 Nov 2026 10:00:00 +0000'], []);
    assert.match(none.reason, /records a connecting address/);
  });

  test('internal hand-offs are passed over whatever address they name: the LMTP hop, then fetchmail, then the spammer', () => {
    const result = receivedChain(
      [
        'from mx1.bl.example (mx1.bl.example [94.130.10.2]) by store.bl.example (Postfix) with LMTP id 1; Thu, 26 Nov 2026 10:00:03 +0000',
        'from pop.isp.example [85.10.20.30] by localhost with POP3 (fetchmail-6.4.37) for trap@localhost (single-drop); Thu, 26 Nov 2026 10:00:02 +0000',
        'from infected-pc (dsl-91-7.isp.example [91.7.8.9]) by relay.isp.example with SMTP; Thu, 26 Nov 2026 10:00:00 +0000',
      ],
      [],
    );
    assert.equal(result.chosen, 2);
    assert.equal(result.hops[2].ip, '91.7.8.9');
    assert.deepEqual(
      result.hops.map((hop) => [hop.ip, hop.passedOver?.replace(/:.*/, '') ?? null]),
      [
        [null, 'internal hand-off'],
        [null, 'internal hand-off'],
        ['91.7.8.9', null],
      ],
    );
    const none = receivedChain(['(qmail 4711 invoked by uid 89); 26 Nov 2026 10:00:00 -0000'], []);
    assert.equal(none.chosen, null);
    assert.match(none.reason, /none of the 1 Received headers records a connecting address \(1 is an internal hand-off\)/);
  });

  test('dnsbl.eml: seven "from host [ip] by host" hops; the loopback one is passed over and the newest public hop is the source', () => {
    const result = receivedChain(
      [
        'from internal.example.com [127.0.0.1] by localhost for someone@example.com; Fri, 07 Dec 2001 11:07:40 +1100 (EST)',
        'from dmz.example.com [150.51.53.1] by internal.example.com for someone@example.com; Fri, 07 Dec 2001 11:07:35 +1100 (EST)',
        'from friend.example.com [212.17.35.14] by dmz.example.com for someone@example.com; Fri, 07 Dec 2001 11:07:35 +1100 (EST)',
      ],
      [],
    );
    assert.equal(result.chosen, 1);
    assert.equal(result.hops[1].ip, '150.51.53.1');
    assert.equal(result.hops[0].special, 'loopback');
    assert.equal(result.hops[1].reverseName, 'dmz.example.com');
  });

  test('an IPv4-mapped IPv6 connecting address counts as the IPv4 address', () => {
    const result = receivedChain(['from a (a [IPv6:::ffff:185.220.101.33]) by b; Thu, 26 Nov 2026 10:00:00 +0000'], []);
    assert.equal(result.hops[0].ip, '185.220.101.33');
    assert.equal(result.hops[0].family, 4);
  });
});
