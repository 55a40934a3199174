/**
 * A listing's history events as sentences a person reads ("Delisted (it was active) on delisting
 * request #4."), never raw event codes such as `samples.linked`. Who did it and when are shown
 * beside the sentence. An event this file does not know yet is told in words made from its code.
 */
import { REASON_LABELS, isOneOf, REASONS } from './domain.js';

export interface HistoryEventText {
  readonly action: string;
  readonly details: Readonly<Record<string, unknown>>;
}

type Time = (iso: string) => string;

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function reasonWords(value: unknown): string {
  const reason = text(value);
  return isOneOf(REASONS, reason) ? REASON_LABELS[reason].toLowerCase() : reason;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** `#4`, `#4, #7` or `#4 to #90 (87 requests)` for the request lists delisting events carry. */
function requestList(value: unknown): string {
  if (Array.isArray(value)) return value.map((id) => `#${text(id)}`).join(', ');
  if (typeof value === 'object' && value !== null && 'count' in value) {
    const range = value as { count: unknown; first: unknown; last: unknown };
    return `#${text(range.first)} to #${text(range.last)} (${text(range.count)} requests)`;
  }
  return `#${text(value)}`;
}

/** " on delisting request #4" / " for GAL nomination #2", when the event came from one. */
function origin(details: Readonly<Record<string, unknown>>): string {
  if (details.request !== undefined) return ` on delisting request #${text(details.request)}`;
  if (details.nomination !== undefined) return ` for GAL nomination #${text(details.nomination)}`;
  if (details.submission !== undefined) return ` with DUL submission #${text(details.submission)}${details.isp ? ` of ${text(details.isp)}` : ''}`;
  return '';
}

const FIELD_NAMES: Record<string, string> = { reason: 'the reason', txt: 'the TXT', level: 'the QIL level', expiresAt: 'the expiry' };

function fieldChange(field: string, change: unknown, time: Time): string {
  const { from, to } = (typeof change === 'object' && change !== null ? change : {}) as { from?: unknown; to?: unknown };
  const shown = (value: unknown) => {
    if (value === null || value === undefined || value === '') return 'none';
    if (field === 'reason') return reasonWords(value);
    if (field === 'expiresAt') return time(text(value));
    return `“${text(value)}”`;
  };
  return `changed ${FIELD_NAMES[field] ?? field} from ${shown(from)} to ${shown(to)}`;
}

const DELISTING_DECISION_WORDS: Record<string, string> = {
  deny: 'denied',
  'needs-information': 'answered with a request for more information',
  'remove-temporarily': 'granted a temporary removal (the listing was not in the zone)',
  delist: 'granted',
};

/** The sentence for one event of a listing's history. */
export function describeHistoryEvent(event: HistoryEventText, time: Time): string {
  const details = event.details;
  switch (event.action) {
    case 'listing.created': {
      const parts = [`Listed on ${text(details.list)} as ${reasonWords(details.reason)}`];
      if (details.txt) parts.push(` with the TXT “${text(details.txt)}”`);
      if (details.level !== null && details.level !== undefined) parts.push(` at QIL level ${text(details.level)}`);
      if (details.expiresAt) parts.push(` until ${time(text(details.expiresAt))}`);
      if (details.movedFrom) parts.push(`, moved here from #${text(details.movedFrom)} on ${text(details.fromList)}`);
      return `${parts.join('')}.`;
    }
    case 'listing.moved':
      return `Moved to ${text(details.toList)} as #${text(details.to)}; this listing was delisted.`;
    case 'listing.delisted':
      return `Delisted (it was ${text(details.from)})${origin(details)}.`;
    case 'listing.suppressed':
      return `Taken out of the zone until ${time(text(details.until))}${origin(details)}.`;
    case 'listing.relisted':
      return `Listed again (it was ${text(details.from)})${details.expiresAt ? `, until ${time(text(details.expiresAt))}` : ''}.`;
    case 'listing.reassigned':
      return `Reassigned from ${text(details.from)} to ${text(details.to)}.`;
    case 'listing.extended':
      return `Expiry moved to ${time(text(details.to))}${details.from ? ` (it was ${time(text(details.from))})` : ''}.`;
    case 'listing.updated': {
      const changes = Object.entries(details).map(([field, change]) => fieldChange(field, change, time));
      const sentence = changes.join('; ');
      return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
    }
    case 'listing.nomination-linked':
      return `Made by the approval of GAL nomination #${text(details.nomination)} (${text(details.ip)}${details.fqdn ? `, ${text(details.fqdn)}` : ''}).`;
    case 'listing.delisting-requested':
      return `Delisting requested (request ${requestList(details.requests)}).`;
    case 'listings.imported': {
      const count = Number(details.count);
      const others = Number.isFinite(count) && count > 1 ? ` with ${plural(count - 1, 'other listing')}` : '';
      return `Imported from ${text(details.source)}${others}${details.submission !== undefined ? ` (DUL submission #${text(details.submission)} of ${text(details.isp)})` : ''}.`;
    }
    case 'listings.delisted':
      return `Delisted${origin(details)}.`;
    case 'listings.restored':
      return `Listed again when DUL submission #${text(details.submission)} of ${text(details.isp)} was reverted.`;
    case 'qil.listed':
      return `Listed on QIL by the trap hits of ${text(details.source)}.`;
    case 'qil.extended':
      return `New trap hits (score ${text(details.score)}) moved QIL level ${text(details.level)} to ${time(text(details.to))}${details.relisted ? '; listed again' : ''}.`;
    case 'samples.linked': {
      const count = Number(details.samples);
      const files = Array.isArray(details.files) && details.files.length > 0 ? ` from ${details.files.map(text).join(', ')}` : '';
      return `${Number.isFinite(count) ? plural(count, 'spam sample') : 'Spam samples'} attached${files}.`;
    }
    case 'thread.opened':
      return `Correspondence thread #${text(details.thread)} opened: “${text(details.subject)}”.`;
    case 'thread.note':
      return `Internal note added to thread #${text(details.thread)}.`;
    case 'thread.mail-imported': {
      const count = Array.isArray(details.messages) ? details.messages.length : Number(details.messages);
      return `${plural(count, details.direction === 'outbound' ? 'sent message' : 'received message')} added to thread #${text(details.thread)}.`;
    }
    case 'thread.reply':
      return `Reply to ${text(details.to)} saved in thread #${text(details.thread)}: “${text(details.subject)}”.`;
    case 'thread.sent':
      return `Reply sent to ${text(details.to)} through ${text(details.relay)}.`;
    case 'thread.resolved':
      return `Thread #${text(details.thread)} (“${text(details.subject)}”) resolved: ${text(details.outcome).replace(/-/g, ' ')}.`;
    case 'delisting.received':
      if (details.status === 'closed-unlisted') return `Request for ${text(details.ip)} received${details.source ? ` (${text(details.source)})` : ''}; the address is not listed, so it was closed with an answer.`;
      return `Request for ${text(details.ip)} received${details.source ? ` (${text(details.source)})` : ''} and routed to ${text(details.assignee)}.`;
    case 'delisting.imported':
      return `${plural(Number(details.count), 'delisting request')} imported from ${text(details.source)}.`;
    case 'nomination.received': {
      const ips = Array.isArray(details.ips) ? details.ips.length : 0;
      return `Nomination received from ${text(details.contact)} with ${plural(ips, 'MTA')}${details.source ? ` (${text(details.source)})` : ''}.`;
    }
    case 'nomination.opened':
      return details.assignee ? `Opened and taken by ${text(details.assignee)}; the checks ran.` : 'Opened; the checks ran.';
    case 'nomination.approve':
      return 'Approved.';
    case 'nomination.reject':
      return 'Rejected.';
    case 'nomination.needs-information':
      return 'More information asked for.';
    case 'delisting.remove-temporarily':
      return `Temporary removal granted${details.until ? ` until ${time(text(details.until))}` : ''}.`;
    case 'delisting.delist':
      return 'Delisting granted.';
    case 'delisting.deny':
      return 'Delisting denied.';
    case 'delisting.needs-information':
      return 'More information asked for.';
    default: {
      const decision = /^listing\.delisting-(.+)$/.exec(event.action);
      if (decision) return `Delisting request #${text(details.request)} ${DELISTING_DECISION_WORDS[decision[1]] ?? decision[1].replace(/-/g, ' ')}.`;
      // An event this file does not know: its code in words, never the code itself.
      const words = event.action.replace(/[._-]+/g, ' ').trim();
      return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
    }
  }
}
