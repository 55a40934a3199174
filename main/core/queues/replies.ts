/**
 * The replies the review queues draft for people outside the team: the requester of a delisting,
 * the nominee of a GAL nomination. What goes out is written for its reader: no template syntax,
 * dates and times in words with their time zone (setting evidence.replyTimeZone), and exactly
 * what will happen (a temporary removal ends on its date and the address returns to the lists by
 * itself, whatever happens meanwhile). The reviewer's reason is not in it: it stays in the
 * history. The same function drafts the preview and, when the reply was not edited, the reply
 * stored and sent, so the two are the same text.
 */
import { addressKey, parseAddress } from '../../../shared/address.js';
import type { MailDraft } from '../../../shared/evidence.js';
import type { DelistingDecision } from '../../../shared/queues.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { invalidInput, notFound } from '../errors.js';
import { getListing } from '../listings/listings.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { mailAddressOf, replySubject } from '../evidence/mail.js';
import { counted, dateInWords } from '../evidence/wording.js';
import { coveringListings, parseSingleAddress } from './common.js';
import { requestListingIds, requestSamplesWhere } from './delisting-rows.js';
import { nominationIps } from './nomination-rows.js';

const SIGNATURE = 'The reputation team';

/** `RBL 185.220.101.0/24 (listed since Thursday 26 November 2026)`, joined with "and". */
function listingsInWords(listings: ReadonlyArray<{ list: string; range: string; createdAt: string }>, timeZone: string, isSinceShown: boolean): string {
  const items = listings.map((listing) => `our ${listing.list} list (${listing.range}${isSinceShown ? `, listed since ${dateInWords(listing.createdAt, timeZone, true)}` : ''})`);
  return items.length <= 1 ? (items[0] ?? 'our lists') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export interface DelistingReplyFacts {
  readonly ip: string;
  readonly receivedAt: string;
  readonly listings: ReadonlyArray<{ readonly list: string; readonly range: string; readonly createdAt: string }>;
  /** The end of a temporary removal (ISO). */
  readonly until: string | null;
  readonly relistCount: number;
  readonly samples: { readonly count: number; readonly latest: string | null };
  readonly now: string;
}

/** The text of a delisting reply (see the module comment). */
export function delistingReplyText(kind: DelistingDecision | 'unlisted', facts: DelistingReplyFacts, settings: Settings): string {
  const timeZone = settings.evidence.replyTimeZone;
  const about = `your request about ${facts.ip}, received ${dateInWords(facts.receivedAt, timeZone)}`;
  const lines = ((): string[] => {
    switch (kind) {
      case 'remove-temporarily':
        return [
          `We have reviewed ${about}.`,
          '',
          `${facts.ip} is removed from ${listingsInWords(facts.listings, timeZone, false)} until ${dateInWords(facts.until ?? facts.now, timeZone)}. On that date it returns to the list by itself, whatever happens in the meantime. The removal reaches our DNS servers with the next zone publication.`,
          ...(facts.relistCount > 0
            ? ['', `The address was listed again after ${counted(facts.relistCount, 'earlier removal')}, so this removal is shorter than a first one would be.`]
            : []),
          '',
          'To have it removed for good, find and stop the source of the spam, then reply to this message saying what was done.',
        ];
      case 'delist':
        return [
          `We have reviewed ${about}.`,
          '',
          `${facts.ip} is delisted: it is no longer on ${listingsInWords(facts.listings, timeZone, false)}. The change reaches our DNS servers with the next zone publication. If spam comes from it again, it can be listed again.`,
        ];
      case 'deny':
        return [
          `We have reviewed ${about}, and ${facts.ip} stays on ${listingsInWords(facts.listings, timeZone, true)}.`,
          ...(facts.samples.count > 0 && facts.samples.latest
            ? ['', `We hold ${counted(facts.samples.count, 'spam sample')} from it, the latest received ${dateInWords(facts.samples.latest, timeZone)}.`]
            : []),
          '',
          'Once the source of the spam is found and stopped, reply to this message saying what was done, and we will review the listing again.',
        ];
      case 'needs-information':
        return [
          `Before we can decide on ${about}, we need more information: who operates the address, what sends mail from it, and what was changed to stop the spam.`,
          '',
          'Please reply to this message with the details; a reply keeps them with your request.',
        ];
      case 'unlisted':
        return [
          `Thank you for ${about}. ${facts.ip} is not on any of our lists (as of ${dateInWords(facts.now, timeZone)}), so there is nothing to remove.`,
          '',
          'If mail from it is still refused, please send us the full rejection message the receiving server gave.',
        ];
      default: {
        const unknown: never = kind;
        return [String(unknown)];
      }
    }
  })();
  return ['Hello,', '', ...lines, '', SIGNATURE, ''].join('\n');
}

export interface NominationReplyFacts {
  readonly firstName: string;
  readonly lastName: string;
  readonly receivedAt: string;
  readonly ips: readonly string[];
  readonly approved: readonly string[];
  readonly refused: readonly string[];
}

/** The text of a nomination reply (see the module comment). */
export function nominationReplyText(kind: 'approve' | 'reject' | 'needs-information', facts: NominationReplyFacts, settings: Settings): string {
  const received = dateInWords(facts.receivedAt, settings.evidence.replyTimeZone);
  const lines =
    kind === 'approve'
      ? [
          `Thank you for your nomination to the Global Approved List, received ${received}.`,
          '',
          `Approved: ${facts.approved.join(', ')}. These addresses are on the Global Approved List from the next zone publication.`,
          ...(facts.refused.length > 0 ? ['', `Not approved: ${facts.refused.join(', ')}. These addresses are not added.`] : []),
        ]
      : kind === 'reject'
        ? [
            `Thank you for your nomination to the Global Approved List (${facts.ips.join(', ')}), received ${received}.`,
            '',
            'After review we cannot approve it: none of these addresses is added to the Global Approved List. You are welcome to nominate them again later.',
          ]
        : [
            `Thank you for your nomination to the Global Approved List (${facts.ips.join(', ')}), received ${received}.`,
            '',
            'To complete our review we need more information about these addresses: who operates them, what mail they send, and how that mail is authenticated (SPF, DKIM).',
            '',
            'Please reply to this message with the details.',
          ];
  return [`Dear ${facts.firstName} ${facts.lastName},`, '', ...lines, '', SIGNATURE, ''].join('\n');
}

interface RequestRow {
  id: number;
  ip: string;
  family: 4 | 6;
  key: Buffer;
  requester: string;
  received_at: string;
  relist_count: number;
  thread_id: number | null;
}

/** The facts a delisting reply is written from, as the database holds them now. */
export function delistingFacts(db: ReadDb, requestId: number, until: string | null, now: Date): DelistingReplyFacts & { requester: string; threadId: number | null } {
  const row = db.get<RequestRow>(sql`SELECT id, ip, family, key, requester, received_at, relist_count, thread_id FROM delisting_requests WHERE id = ${requestId}`);
  if (!row) throw notFound(`no delisting request #${requestId}`);
  const listings = requestListingIds(db, requestId).map((id) => getListing(db, id));
  const samples = db.get<{ count: number; latest: string | null }>(
    sql`SELECT count(*) AS count, max(coalesce(sent_at, imported_at)) AS latest FROM samples WHERE ${requestSamplesWhere(requestId, row.family, row.key)}`,
  );
  return {
    ip: row.ip,
    receivedAt: row.received_at,
    listings,
    until,
    relistCount: row.relist_count,
    samples: { count: samples?.count ?? 0, latest: samples?.latest ?? null },
    now: now.toISOString(),
    requester: row.requester,
    threadId: row.thread_id,
  };
}

/** The subject of the replies to a delisting request. */
export function delistingSubject(db: ReadDb, threadId: number | null, ip: string): string {
  const fallback = `Your delisting request for ${ip}`;
  return threadId === null ? fallback : replySubject(db, threadId, fallback);
}

/** The drafted reply of a delisting decision: To (when the requester gave a mail address), Subject and text. */
export function draftDelistingReply(db: ReadDb, input: { id: number; decision: DelistingDecision; until: string | null }, settings: Settings, now: Date): MailDraft {
  const facts = delistingFacts(db, input.id, input.until, now);
  return {
    from: settings.evidence.replyFrom,
    to: mailAddressOf(facts.requester),
    subject: delistingSubject(db, facts.threadId, facts.ip),
    text: delistingReplyText(input.decision, facts, settings),
  };
}

/** The approved and refused IPs of an approval, as the decision settles them: refused when not chosen, or on a blocklist and resolved "refuse". */
export function approvalSplit(
  db: ReadDb,
  index: ListingIndex,
  nominationId: number,
  choice: { ips?: readonly string[]; conflicts?: Readonly<Record<string, 'delist' | 'refuse'>> },
  now: Date,
): { approved: string[]; refused: string[] } {
  const mtas = nominationIps(db, nominationId);
  const canonical = (text: string) => {
    const parsed = parseSingleAddress(text);
    return parsed.ok ? parsed.value.ip : text;
  };
  const chosen = new Set((choice.ips ?? mtas).map(canonical));
  const unknown = [...chosen].filter((ip) => !mtas.includes(ip));
  if (unknown.length > 0) throw invalidInput(`${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among nomination #${nominationId}'s MTAs (${mtas.join(', ')})`);
  const resolutions = new Map(Object.entries(choice.conflicts ?? {}).map(([ip, resolution]) => [canonical(ip), resolution]));
  const approved: string[] = [];
  const refused: string[] = [];
  for (const ip of mtas) {
    const parsed = parseAddress(ip);
    const isBlocked =
      parsed.ok &&
      coveringListings(db, index, { ip, family: parsed.value.family, value: parsed.value.value, key: Buffer.from(addressKey(parsed.value.family, parsed.value.value)) }, now, true).some(
        (listing) => listing.list !== 'GAL',
      );
    if (!chosen.has(ip) || (isBlocked && resolutions.get(ip) === 'refuse')) refused.push(ip);
    else approved.push(ip);
  }
  return { approved, refused };
}

/** The drafted reply of a nomination decision, to the nomination's contact. */
export function draftNominationReply(
  db: ReadDb,
  index: ListingIndex,
  input: { id: number; decision: 'approve' | 'reject' | 'needs-information'; ips?: readonly string[]; conflicts?: Readonly<Record<string, 'delist' | 'refuse'>> },
  settings: Settings,
  now: Date,
): MailDraft {
  const row = db.get<{ contact_email: string; contact_first: string; contact_last: string; received_at: string; thread_id: number | null }>(
    sql`SELECT contact_email, contact_first, contact_last, received_at, thread_id FROM nominations WHERE id = ${input.id}`,
  );
  if (!row) throw notFound(`no nomination #${input.id}`);
  const ips = nominationIps(db, input.id);
  const split = input.decision === 'approve' ? approvalSplit(db, index, input.id, input, now) : { approved: [], refused: [] };
  const fallback = `Your Global Approved List nomination #${input.id}`;
  return {
    from: settings.evidence.replyFrom,
    to: mailAddressOf(row.contact_email),
    subject: row.thread_id === null ? fallback : replySubject(db, row.thread_id, fallback),
    text: nominationReplyText(input.decision, { firstName: row.contact_first, lastName: row.contact_last, receivedAt: row.received_at, ips, ...split }, settings),
  };
}
