/**
 * The Received chain: each `Received:` header (newest first) is read for the connecting address
 * the receiving server recorded, and the source of a spam sample is the connecting address of the
 * first untrusted hop. Trusted relays (setting evidence.trustedRelays) are the service's own
 * servers: hops received from them are passed over. Hops whose address is special-purpose space
 * (private, loopback, documentation...) are internal and passed over too, so with no trusted relay
 * configured the source is the newest hop whose connecting address is public.
 *
 * Received headers have no single grammar (RFC 5321 gives one; Postfix, Sendmail, Exim, qmail,
 * Exchange and webmail front ends each write their own). The address the receiver recorded is in
 * the TCP-info comment after the HELO name (`from helo (rdns [1.2.3.4])`, `(1.2.3.4)`,
 * `([IPv6:2001:db8::1]:port helo=x)`); a bare address literal as the HELO name is used only when
 * no comment holds one (Exim: `from [1.2.3.4] (helo=x)`), since HELO is what the client claims.
 */
import { formatAddress, parseAddress, parseRange, rangeContains, type AddressRange, type Family } from '../../../shared/address.js';
import type { ReceivedChain, ReceivedHop } from '../../../shared/evidence.js';
import { specialRangeOverlapping } from '../../../shared/special-ranges.js';

interface ParsedHop {
  readonly header: string;
  readonly helo: string | null;
  readonly reverseName: string | null;
  readonly address: { family: Family; value: bigint } | null;
  readonly by: string | null;
}

const IPV4 = /(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\d.])/g;
const BRACKETED = /\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]/g;
const PARENTHESISED_IPV6 = /\((?:IPv6:)?([0-9A-Fa-f]*:[0-9A-Fa-f:.]+)\)/g;

function parseLiteral(text: string): { family: Family; value: bigint } | null {
  const parsed = parseAddress(text.replace(/^IPv6:/i, ''));
  return parsed.ok ? { family: parsed.value.family, value: parsed.value.value } : null;
}

/** The first address literal in a piece of header text: bracketed first, then parenthesised IPv6, then a bare IPv4. */
function firstAddress(text: string): { family: Family; value: bigint } | null {
  for (const pattern of [BRACKETED, PARENTHESISED_IPV6, IPV4]) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const address = parseLiteral(match[1]);
      if (address) return address;
    }
  }
  return null;
}

/** Split the text after `from` into the HELO token and the parenthesised comments that follow it (nesting respected). */
function fromClause(text: string): { helo: string; comments: string[]; rest: string } {
  const trimmed = text.trimStart();
  const heloMatch = /^(\S+)/.exec(trimmed);
  const helo = heloMatch ? heloMatch[1] : '';
  let position = helo.length;
  const comments: string[] = [];
  for (;;) {
    while (position < trimmed.length && /\s/.test(trimmed[position])) position += 1;
    if (trimmed[position] !== '(') break;
    let depth = 0;
    const start = position;
    for (; position < trimmed.length; position += 1) {
      if (trimmed[position] === '(') depth += 1;
      else if (trimmed[position] === ')') {
        depth -= 1;
        if (depth === 0) break;
      }
    }
    comments.push(trimmed.slice(start + 1, position));
    position += 1;
  }
  return { helo, comments, rest: trimmed.slice(position) };
}

function stripTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Read one Received header (its value, possibly folded). */
export function parseReceived(value: string): ParsedHop {
  const header = value.replace(/\r?\n[ \t]+/g, ' ').replace(/\s+/g, ' ').trim();
  // The date follows the last ';'; the clauses before it are what we read.
  const semicolon = header.lastIndexOf(';');
  // A header starts with its from clause (RFC 5321); one that starts otherwise (`by ... with local`,
  // qmail's `(qmail 123 invoked from network)`) records no connecting address, whatever its comments say.
  const clauses = semicolon === -1 ? header : header.slice(0, semicolon);
  const fromMatch = /^from\s/i.exec(clauses);
  const byMatch = /(?:^|\s)by\s+([^\s()]+)/i.exec(fromMatch ? clauses.slice(fromMatch[0].length) : clauses.replace(/\([^()]*\)/g, ''));
  const by = byMatch ? stripTrailingDot(byMatch[1]) : null;
  if (!fromMatch) return { header, helo: null, reverseName: null, address: null, by };
  const afterFrom = clauses.slice(fromMatch[0].length);
  const { helo, comments } = fromClause(afterFrom);
  let address: { family: Family; value: bigint } | null = null;
  let reverseName: string | null = null;
  let claimedHelo: string | null = null;
  for (const comment of comments) {
    const found = firstAddress(comment) ?? parseLiteral(comment.trim());
    // qmail and Yahoo: `(HELO name)` / `(EHLO name)` is the claimed name, not the TCP info.
    const heloComment = /^\s*(?:HELO|EHLO)\s+(\S+)/i.exec(comment) ?? /\bhelo=(\S+)/i.exec(comment);
    if (heloComment) claimedHelo = heloComment[1].replace(/[)\]]+$/, '');
    if (found && !address) {
      address = found;
      const name = /^\s*([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9.])\s*(?:\[|\(|$)/.exec(comment);
      if (name && name[1].toLowerCase() !== 'unknown' && !parseLiteral(name[1])) reverseName = stripTrailingDot(name[1]);
    }
  }
  // No address in a comment: the HELO token itself, when it is an address literal (Exim, or `from 1.2.3.4 (EHLO x)`).
  if (!address) address = firstAddress(helo);
  const heloName = helo === '' ? null : claimedHelo !== null && (helo.toLowerCase() === 'unknown' || parseLiteral(helo.replace(/^\[|\]$/g, '')) !== null) ? claimedHelo : helo;
  return { header, helo: heloName ? stripTrailingDot(heloName) : null, reverseName, address, by };
}

/** Trusted relays parsed from the settings (already validated there). */
export function parseTrustedRelays(texts: readonly string[]): AddressRange[] {
  return texts.flatMap((text) => {
    const parsed = parseRange(text);
    return parsed.ok ? [{ family: parsed.value.family, first: parsed.value.first, last: parsed.value.last }] : [];
  });
}

/** Build the chain from the Received header values (newest first) and choose the source hop. */
export function receivedChain(values: readonly string[], trustedRelays: readonly AddressRange[]): ReceivedChain {
  const hops: ReceivedHop[] = values.map((value, index) => {
    const parsed = parseReceived(value);
    const address = parsed.address;
    const isTrusted = address !== null && trustedRelays.some((relay) => rangeContains(relay, address.family, address.value));
    const special = address ? specialRangeOverlapping({ family: address.family, first: address.value, last: address.value }) : null;
    return {
      index,
      header: parsed.header,
      helo: parsed.helo,
      reverseName: parsed.reverseName,
      ip: address ? formatAddress(address.family, address.value) : null,
      family: address?.family ?? null,
      by: parsed.by,
      special: special ? special.name : null,
      isTrusted,
    };
  });
  if (hops.length === 0) return { hops, chosen: null, reason: 'the message has no Received header, so no source address; attach it to a listing by hand' };
  const chosen = hops.find((hop) => hop.ip !== null && !hop.isTrusted && hop.special === null);
  if (!chosen) {
    const withAddress = hops.filter((hop) => hop.ip !== null).length;
    return {
      hops,
      chosen: null,
      reason:
        withAddress === 0
          ? `none of the ${hops.length} Received headers records a connecting address`
          : `every recorded connecting address is a trusted relay or special-purpose space (private, loopback, documentation...)`,
    };
  }
  const passed = chosen.index;
  const reason =
    trustedRelays.length > 0
      ? `hop ${chosen.index + 1}: ${chosen.ip} is the first connecting address that is neither a trusted relay nor special-purpose space${passed > 0 ? ` (${passed} newer hop${passed === 1 ? '' : 's'} passed over)` : ''}`
      : `hop ${chosen.index + 1}: ${chosen.ip} is the newest public connecting address (no trusted relays configured${passed > 0 ? `; ${passed} newer hop${passed === 1 ? '' : 's'} passed over` : ''})`;
  return { hops, chosen: chosen.index, reason };
}
