/**
 * The Received chain: each `Received:` header (newest first) is read for the connecting address
 * the receiving server recorded, and the source of a spam sample is the connecting address of the
 * first untrusted hop. Trusted relays (setting evidence.trustedRelays) are the service's own
 * servers: hops received from them are passed over. Hops whose address is special-purpose space
 * (private, loopback, documentation...) are internal and passed over too, so with no trusted relay
 * configured the source is the newest hop whose connecting address is public.
 *
 * Received headers have no single grammar: RFC 5321 gives one, and every MTA writes its own.
 * What they share is a `from` clause, ended by `by`, holding the name the client gave (HELO) or
 * the name its address resolves to (rDNS), and the address the receiver saw, written as
 * `[1.2.3.4]`, `[IPv6:...]`, `(1.2.3.4)`, `(ident@1.2.3.4)`, `[1.2.3.4]:port`, `[1.2.3.4:port]`
 * or `[1.2.3.4.port]`, inside a comment or right after the name:
 *
 * - Postfix, Sendmail, OpenSMTPD: `from HELO (RDNS [ip])`, `unknown` when there is no rDNS;
 * - Exim: `from RDNS ([ip]:port helo=HELO)`, `from [ip] (port=N helo=HELO)`, the HELO left out
 *   when it equals the rDNS name; Exim 3: `from RDNS (HELO) [ip]`;
 * - qmail: `from RDNS (HELO name) (ident@ip)`, `from unknown (HELO ?ip?) (ip)`;
 * - Microsoft SMTPSVC, Lotus Domino, InterMail: `from HELO ([ip])`; Exchange 2007 and later:
 *   `from HELO (ip) by ... with Microsoft SMTP Server`; CommuniGate: `from RDNS ([ip] verified)`,
 *   `from [ip] (account user HELO name)`; ecelerity: `from ([ip:port] helo=HELO)`; MDaemon:
 *   `from HELO ([ip])`, `from [IPv6:...] by`; XMail: `from HELO (ip:port)`; GMX and web.de:
 *   `from RDNS (EHLO name) [ip]`; zmailer: `from RDNS ([ip]:port "EHLO name")`; obtuse smtpd:
 *   `from RDNS(ip), claiming to be "name" via SMTP`;
 * - webmail front ends record the browser's address: `from 1.2.3.4 by host with HTTP`,
 *   `from 1.2.3.4 (SquirrelMail authenticated user x)`.
 *
 * The address is taken from the comments first (what the receiver's TCP stack saw), then from a
 * bracketed literal after the name, and only then from the name itself when it is a literal,
 * since the HELO is whatever the client chose to say. Headers that record an internal hand-off
 * rather than a connection from the outside (qmail invoked by a uid or from the network,
 * fetchmail's POP3/IMAP retrieval, LMTP delivery to the mailbox store, local submission and
 * pickup, mail scanners re-injecting, Exchange MAPI submission) are passed over with the reason,
 * whatever address they mention.
 */
import { formatAddress, parseAddress, parseRange, rangeContains, type AddressRange, type Family } from '../../../shared/address.js';
import type { ReceivedChain, ReceivedHop } from '../../../shared/evidence.js';
import { specialRangeOverlapping } from '../../../shared/special-ranges.js';

interface Address {
  readonly family: Family;
  readonly value: bigint;
}

export interface ParsedHop {
  readonly header: string;
  readonly helo: string | null;
  readonly reverseName: string | null;
  readonly address: Address | null;
  readonly by: string | null;
  /** Why the header gives no connecting address to consider (an internal hand-off, or none recorded); null when it does. */
  readonly passedOver: string | null;
}

/** Internal hand-offs: the header says how mail moved inside a site, not who connected to it. */
const HAND_OFFS: ReadonlyArray<{ readonly pattern: RegExp; readonly reason: string }> = [
  { pattern: /\bfetchmail-|\bwith\s+(?:IMAPS?|POP3S?|POP)\b/i, reason: 'internal hand-off: fetchmail retrieving over POP3 or IMAP, not an SMTP connection' },
  { pattern: /\bwith\s+LMTP[SA]*\b|\(LHLO\s/i, reason: 'internal hand-off: LMTP delivery to the mailbox store' },
  { pattern: /\bqmail\s+\d+\s+(?:messnum\s+\d+\s+)?invoked\b|\binvoked\s+(?:by|from|for)\s/i, reason: 'internal hand-off: qmail invoked by a local program (the SMTP hop has its own header)' },
  { pattern: /\bmail\s+pickup\s+service\b|\bwith\s+(?:local(?:-[\w-]+)?|internal|spool|BSMTP)\b/i, reason: 'internal hand-off: local submission or pickup' },
  { pattern: /\bwith\s+(?:qmail-scanner[\w.-]*|scanned-ok|[\w-]*spam-scanned|SpamAssassin)\b|\bby\s+uid\s+\d+/i, reason: 'internal hand-off: a mail scanner re-injecting the message' },
  { pattern: /\bwith\s+mapi\b/i, reason: 'internal hand-off: Exchange MAPI submission from a mailbox' },
];

const NO_ADDRESS = 'no connecting address recorded';

/** A network address written in a header, with its port or zone dropped; IPv4-mapped IPv6 counts as IPv4. */
function literal(text: string): Address | null {
  let candidate = text.trim().replace(/^IPv6:/i, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(candidate);
  if (mapped) candidate = mapped[1];
  // `1.2.3.4.port` and `1.2.3.4:port` (old Exim, ecelerity, XMail); an IPv6 port comes after the bracket.
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3})[.:]\d{1,5}$/.exec(candidate);
  if (withPort) candidate = withPort[1];
  if (!/^[0-9A-Fa-f:.]+$/.test(candidate) || !/[.:]/.test(candidate)) return null;
  const parsed = parseAddress(candidate);
  return parsed.ok ? { family: parsed.value.family, value: parsed.value.value } : null;
}

const BRACKETED = /\[([^\]\s]*)\]/g;
const BARE_IPV4 = /(?<![\w.])(?:[^\s@()[\]]+@)?(\d{1,3}(?:\.\d{1,3}){3})(?:[.:]\d{1,5})?(?![\w.])/g;
const BARE_IPV6 = /(?<![\w:.])(?:[^\s@()[\]]+@)?([0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)(?![\w:.])/g;

/** The first address in a piece of text: bracketed literals first, then bare IPv4, then bare IPv6. */
function firstAddress(text: string): { address: Address; at: number } | null {
  for (const pattern of [BRACKETED, BARE_IPV4, BARE_IPV6]) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const address = literal(match[1]);
      if (address) return { address, at: match.index };
    }
  }
  return null;
}

/** A clause split into its leading word and the parts after it: comments `(...)`, brackets `[...]`, quotes and words, nesting respected. */
interface Part {
  readonly kind: 'comment' | 'bracket' | 'quoted' | 'word';
  readonly text: string;
}

function splitParts(text: string): Part[] {
  const parts: Part[] = [];
  let position = 0;
  while (position < text.length) {
    const char = text[position];
    if (/\s|,|;/.test(char)) {
      position += 1;
      continue;
    }
    if (char === '(' || char === '[') {
      const close = char === '(' ? ')' : ']';
      let depth = 0;
      const start = position;
      for (; position < text.length; position += 1) {
        if (text[position] === char) depth += 1;
        else if (text[position] === close) {
          depth -= 1;
          if (depth === 0) break;
        }
      }
      parts.push({ kind: char === '(' ? 'comment' : 'bracket', text: text.slice(start + 1, position) });
      position += 1;
      // A port written after the bracket (`[1.2.3.4]:25`) belongs to it.
      const port = /^:\d{1,5}/.exec(text.slice(position));
      if (port) position += port[0].length;
      continue;
    }
    if (char === '"') {
      const end = text.indexOf('"', position + 1);
      const stop = end === -1 ? text.length : end;
      parts.push({ kind: 'quoted', text: text.slice(position + 1, stop) });
      position = stop + 1;
      continue;
    }
    const word = /^[^\s()[\]",;]+/.exec(text.slice(position));
    const value = word ? word[0] : char;
    parts.push({ kind: 'word', text: value });
    position += value.length;
  }
  return parts;
}

/** Where the `by` keyword starts at nesting depth 0 (after whitespace or a closing parenthesis), or -1. */
function findBy(text: string, from: number): number {
  let depth = 0;
  for (let position = from; position < text.length; position += 1) {
    const char = text[position];
    if (char === '(' || char === '[') depth += 1;
    else if ((char === ')' || char === ']') && depth > 0) depth -= 1;
    else if (depth === 0 && (char === 'b' || char === 'B') && /^by\s/i.test(text.slice(position, position + 3)) && (position === 0 || /[\s)\]]/.test(text[position - 1]))) {
      return position;
    }
  }
  return -1;
}

const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;
/** Words MTAs write where a name would be when there is none. */
const NOT_NAMES = new Set(['unknown', 'softdnserr', 'unverified', 'verified', 'may', 'be', 'forged']);

function hostName(text: string | undefined): string | null {
  if (text === undefined) return null;
  const name = text.replace(/^IDENT:/i, '').replace(/^.*@/, '');
  if (!HOST_NAME.test(name) || NOT_NAMES.has(name.toLowerCase()) || literal(name)) return null;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The HELO name a comment (or a whole from clause) quotes: `HELO x`, `EHLO x`, `helo=x`; the empty string when given empty. */
function claimedHelo(text: string): string | null {
  const keyword = /(?:^|[\s("])(?:HELO|EHLO|HELLO)(?:\s+([^\s)"]*)|\s*$)/i.exec(text) ?? /\bhelo=([^\s)"]*)/i.exec(text);
  return keyword ? (keyword[1] ?? '') : null;
}

/** A comment that is only an address: qmail's `(ip)`, `(ident@ip)`. */
function isBareAddress(comment: string): boolean {
  return /^(?:[^\s@()[\]]+@)?[0-9A-Fa-f:.]+$/.test(comment.trim());
}

/** A comment that is only a bracketed address: `([ip])`, `([ip]:port)`. */
function isBracketedAddress(comment: string): boolean {
  return /^\[[^\]\s]+\](?::\d{1,5})?$/.test(comment.trim());
}

/** Read one Received header (its value, possibly folded). */
export function parseReceived(value: string): ParsedHop {
  const header = value.replace(/\r?\n[ \t]+/g, ' ').replace(/\s+/g, ' ').trim();
  // The date follows the last ';'; the clauses before it are what we read.
  const semicolon = header.lastIndexOf(';');
  const clauses = semicolon === -1 ? header : header.slice(0, semicolon);
  // `from` starts the header (RFC 5321), or a leading comment: Sendmail's `(from user@localhost)`.
  const fromMatch = /^\(?\s*from\s/i.exec(clauses);
  const byAt = findBy(clauses, fromMatch ? fromMatch[0].length : 0);
  const by = byAt === -1 ? null : (/^by\s+([^\s();,]+)/i.exec(clauses.slice(byAt))?.[1] ?? null);
  const base = { header, by: by && by.endsWith('.') ? by.slice(0, -1) : by };
  const handOff = HAND_OFFS.find(({ pattern }) => pattern.test(clauses));
  if (handOff) return { ...base, helo: null, reverseName: null, address: null, passedOver: handOff.reason };
  if (!fromMatch) return { ...base, helo: null, reverseName: null, address: null, passedOver: NO_ADDRESS };
  let fromText = clauses.slice(fromMatch[0].length, byAt === -1 ? clauses.length : byAt).trim();
  if (fromMatch[0].startsWith('(')) fromText = fromText.replace(/\)\s*$/, '');
  return { ...base, ...readFromClause(fromText, clauses) };
}

function readFromClause(text: string, clauses: string): Pick<ParsedHop, 'helo' | 'reverseName' | 'address' | 'passedOver'> {
  // obtuse smtpd writes `RDNS(ip), claiming to be "HELO" via SMTP`: the comment touches the name.
  const isGlued = /^[^\s(]+\(/.test(text);
  const parts = splitParts(isGlued ? text.replace(/^([^\s(]+)\(/, '$1 (') : text);
  const first = parts[0];
  const leading = first?.kind === 'word' ? first.text : first?.kind === 'bracket' ? `[${first.text}]` : null;
  const rest = leading === null ? parts : parts.slice(1);
  let address: Address | null = null;
  let source: 'comment' | 'bracket' | 'leading' | null = null;
  let commentName: string | null = null;
  let addressComment = '';
  let helo: string | null = null;
  let heloOnlyComment: string | null = null;
  let isVerified = false;
  for (const part of rest) {
    if (part.kind === 'comment') {
      const claimed = claimedHelo(part.text);
      if (claimed !== null) helo = claimed;
      // What the client claimed is not what the receiver saw: the HELO is taken out before looking for an address.
      const seen = part.text.replace(/(?:^|[\s"])(?:HELO|EHLO|HELLO)\s+\S*/gi, ' ').replace(/\bhelo=\S*/gi, ' ');
      const found: { address: Address; at: number } | null = address === null ? firstAddress(seen) : null;
      if (found) {
        address = found.address;
        source = 'comment';
        addressComment = part.text;
        commentName = hostName(seen.slice(0, found.at).trim().split(/\s+/).pop());
        isVerified = /\]\s+verified\b/i.test(part.text);
      } else if (claimed === null && heloOnlyComment === null && address === null && /^\S+$/.test(part.text.trim())) {
        heloOnlyComment = part.text.trim();
      }
    } else if (part.kind === 'quoted') {
      const claimed = claimedHelo(part.text);
      if (claimed !== null) helo = claimed;
    } else if (part.kind === 'word' && /^claiming$/i.test(part.text)) {
      helo = rest.find((item) => item.kind === 'quoted')?.text ?? helo;
    }
  }
  if (address === null) {
    // `from host [ip]` (fetchmail-style, GMX, Exim 3): a literal after the name.
    for (const part of rest) {
      const found: Address | null = part.kind === 'bracket' ? literal(part.text) : null;
      if (found) {
        address = found;
        source = 'bracket';
        break;
      }
    }
  }
  if (address === null && leading !== null) {
    // The name itself is a literal: Exim and CommuniGate without rDNS, webmail, MDaemon.
    address = literal(leading.replace(/^\[|\]$/g, ''));
    if (address) source = 'leading';
  }
  if (address === null) return { helo: null, reverseName: null, address: null, passedOver: NO_ADDRESS };
  const leadingName = hostName(leading ?? undefined);
  const isHttp = /\bwith\s+HTTPS?U?\b/i.test(clauses);
  const isExim = /\(Exim\b/i.test(clauses);
  const isMicrosoft = /Microsoft (?:SMTP|Exchange)/i.test(clauses);
  const isXMail = /\[XMail\b/i.test(clauses);
  // A name is taken as the receiver's rDNS lookup only where the format says so; such names are FQDNs.
  const asReverse = (name: string | null) => (name !== null && name.includes('.') ? name : null);
  let reverseName: string | null = commentName;
  let heloName: string | null = helo;
  if (isHttp) {
    // A webmail hop records the browser's address; HTTP has no HELO.
    reverseName = commentName ?? asReverse(leadingName);
    heloName = null;
  } else if (leadingName !== null) {
    if (helo !== null || heloOnlyComment !== null || isVerified || isGlued) {
      // The HELO is written separately (qmail, Exim, GMX, zmailer, smtpd), or the name was verified (CommuniGate): the name is the rDNS.
      reverseName = leadingName;
      heloName = helo ?? heloOnlyComment ?? (isVerified ? leadingName : null);
    } else if (source === 'bracket' && asReverse(leadingName) !== null) {
      reverseName = leadingName;
      heloName = null;
    } else if (source === 'comment' && asReverse(leadingName) !== null && ((isBareAddress(addressComment) && !isMicrosoft && !isXMail) || (isExim && isBracketedAddress(addressComment)))) {
      // qmail `from RDNS (ip)` and Exim `from RDNS ([ip])` leave the HELO out when it equals the rDNS name.
      reverseName = leadingName;
      heloName = leadingName;
    } else {
      // Postfix, Sendmail, SMTPSVC, Exchange, Lotus, MDaemon, XMail: the name is the HELO.
      heloName = leadingName;
    }
  } else if (heloName === null && leading !== null && source === 'comment' && !/^unknown$/i.test(leading)) {
    // A literal HELO (`from [10.0.0.2] (host [ip])`).
    heloName = leading;
  }
  return {
    helo: heloName === null || heloName === '' ? null : heloName.replace(/^"|"$/g, '').replace(/\.$/, ''),
    reverseName,
    address,
    passedOver: null,
  };
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
      passedOver: parsed.passedOver,
    };
  });
  if (hops.length === 0) return { hops, chosen: null, reason: 'the message has no Received header, so no source address; attach it to a listing by hand' };
  const chosen = hops.find((hop) => hop.ip !== null && !hop.isTrusted && hop.special === null);
  if (!chosen) {
    const withAddress = hops.filter((hop) => hop.ip !== null).length;
    const handOffs = hops.filter((hop) => hop.passedOver !== null && hop.passedOver !== NO_ADDRESS).length;
    return {
      hops,
      chosen: null,
      reason:
        withAddress === 0
          ? `none of the ${hops.length} Received headers records a connecting address${handOffs > 0 ? ` (${handOffs} ${handOffs === 1 ? 'is an internal hand-off' : 'are internal hand-offs'})` : ''}`
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
