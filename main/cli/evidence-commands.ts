/**
 * `repdesk samples ...` and `repdesk threads ...`: spam samples and correspondence. Merged into
 * the COMMANDS table of main.ts; only its hoisted functions and types are used here, and only
 * inside `run`, because main.ts imports this module before its own top level has run.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPLY_TEMPLATES, THREAD_OUTCOMES, type MessageOutcome, type RawMessage, type SampleImportResult, type ThreadDetail, type ThreadImportResult, type ThreadSummary } from '../../shared/evidence.js';
import { invalidInput } from '../core/errors.js';
import { call, printJson, UsageError, type Command, type CommandContext } from './main.js';

function optionalText(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function id(text: string | undefined, what: string): number {
  const digits = (text ?? '').replace(/^#/, '');
  if (!/^\d+$/.test(digits) || Number(digits) === 0) throw new UsageError(`${what} is a number, not ${JSON.stringify(text ?? '')}`);
  return Number(digits);
}

function outcomeLine(message: MessageOutcome): string {
  const where = message.message !== null ? `${message.file} #${message.message} (line ${message.line})` : message.file;
  if (message.outcome === 'failed') return `${where}: refused: ${message.problem}`;
  const parts = [
    `${where}: ${message.outcome}`,
    message.sampleId !== null ? `sample #${message.sampleId}` : null,
    `source ${message.sourceIp ?? 'unknown'}`,
    message.linkedListings.length > 0 ? `linked to ${message.linkedListings.map((listing) => `#${listing}`).join(', ')}` : null,
    message.subject !== null ? JSON.stringify(message.subject) : null,
  ].filter((part) => part !== null);
  return [parts.join(', '), ...message.notes.map((note) => `  note: ${note}`)].join('\n');
}

/** Print an import's outcomes; a refused batch exits 1 (after the JSON, with --json). */
function reportImport(context: CommandContext, result: SampleImportResult | ThreadImportResult, summary: string): void {
  if (context.values.json) printJson(context, result);
  else {
    for (const message of result.messages) context.out(outcomeLine(message));
    context.out(summary);
  }
  if (!result.committed) {
    const failed = result.messages.filter((message) => message.outcome === 'failed').length;
    throw invalidInput(`${failed} message${failed === 1 ? '' : 's'} refused: nothing was stored (add --import-valid to store the valid ones)`);
  }
}

function writeRaw(context: CommandContext, raw: RawMessage): void {
  const out = optionalText(context.values, 'out');
  const path = resolve(out ?? raw.fileName);
  writeFileSync(path, Buffer.from(raw.base64, 'base64'), { flag: context.values.force ? 'w' : 'wx' });
  context.out(`wrote ${path} (${raw.size} bytes)`);
}

function formatThread(thread: ThreadSummary): string {
  const owner =
    thread.listingId !== null
      ? `listing #${thread.listingId}`
      : thread.isp !== null
        ? `ISP ${thread.isp}`
        : thread.nominationId !== null
          ? `nomination #${thread.nominationId}`
          : `delisting request #${thread.delistingId}`;
  return `#${thread.id}\t${thread.status}${thread.outcome ? ` (${thread.outcome})` : ''}\t${owner}\t${thread.messageCount} messages\t${thread.subject}`;
}

function printThread(context: CommandContext, thread: ThreadDetail): void {
  context.out(formatThread(thread));
  for (const message of thread.messages) {
    const who = message.direction === 'note' ? `note by ${message.createdBy}` : `${message.direction} ${message.from ?? '?'} -> ${message.to ?? '?'}`;
    context.out(`  [${message.id}] ${message.createdAt} ${who}${message.subject ? `: ${message.subject}` : ''}`);
  }
  context.out(`sending: ${thread.relay.text}`);
}

/** Threads belong to a listing (--listing ID) or to an ISP (--isp NAME). */
function owner(context: CommandContext): { listingId?: number; isp?: string } {
  const listing = optionalText(context.values, 'listing');
  const isp = optionalText(context.values, 'isp');
  if ((listing === undefined) === (isp === undefined)) throw new UsageError('give --listing ID or --isp NAME');
  return listing !== undefined ? { listingId: id(listing, '--listing') } : { isp };
}

/** The `samples` and `threads` commands. */
export const EVIDENCE_COMMANDS: Record<string, Command> = {
  'samples import': {
    usage: 'repdesk samples import FILE... [--listing ID] [--import-valid] [--json]',
    summary:
      'Import spam samples from .eml and mbox files: each message is stored once (by SHA-256) with its source address from the Received chain, and linked to --listing, or else to the active listings covering its source. A batch with a refused message stores nothing unless --import-valid. --json gives per message: file, outcome, sha256, sourceIp, linkedListings (investigator)',
    options: { listing: { type: 'string' }, 'import-valid': { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [1, 1000],
    async run(context) {
      const listing = optionalText(context.values, 'listing');
      const result = await call(context, 'samples.import', {
        files: context.positionals.map((path) => ({ path: resolve(path) })),
        listingId: listing === undefined ? undefined : id(listing, '--listing'),
        importValid: context.values['import-valid'] === true,
      });
      reportImport(
        context,
        result,
        `${result.committed ? 'stored' : 'NOT stored'}: ${result.imported} new, ${result.duplicates} already stored, ${result.failed} refused${result.skipped > 0 ? `, ${result.skipped} valid but not stored` : ''}`,
      );
    },
  },
  'samples list': {
    usage: 'repdesk samples list --listing ID [--json]',
    summary: 'The spam samples linked to a listing, newest first, with count, first and last seen',
    options: { listing: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    async run(context) {
      const listingId = id(optionalText(context.values, 'listing'), '--listing');
      const samples = await call(context, 'samples.list', { listingId, limit: 500 });
      const stats = await call(context, 'samples.stats', { listingId });
      if (context.values.json) printJson(context, { ...samples, stats });
      else {
        context.out(`${stats.count} sample${stats.count === 1 ? '' : 's'}${stats.firstSeen ? `, first seen ${stats.firstSeen}, last seen ${stats.lastSeen}` : ''}`);
        for (const sample of samples.samples) context.out(`#${sample.id}\t${sample.sentAt ?? sample.importedAt}\t${sample.sourceIp ?? '-'}\t${sample.subject ?? '(no subject)'}`);
      }
    },
  },
  'samples show': {
    usage: 'repdesk samples show ID [--json]',
    summary: 'One sample: headers, the Received chain hop by hop with the chosen source hop, links, and the listings it is or could be linked to',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const sample = await call(context, 'samples.get', { id: id(context.positionals[0], 'ID') });
      if (context.values.json) {
        printJson(context, sample);
        return;
      }
      context.out(`sample #${sample.id} ${sample.sha256} (${sample.size} bytes)`);
      for (const header of sample.headers.filter((item) => /^(from|to|subject|date|message-id)$/i.test(item.name))) context.out(`${header.name}: ${header.value}`);
      context.out(`Received chain (${sample.received.reason}):`);
      for (const hop of sample.received.hops) {
        const mark = hop.index === sample.received.chosen ? '=>' : '  ';
        context.out(`${mark} ${hop.index + 1}. ${hop.ip ?? 'no address'}${hop.helo ? ` helo ${hop.helo}` : ''}${hop.by ? ` by ${hop.by}` : ''}${hop.isTrusted ? ' (trusted relay)' : hop.special ? ` (${hop.special})` : ''}`);
      }
      for (const listing of sample.linkedListings) context.out(`linked to #${listing.id} ${listing.list} ${listing.range} (${listing.status})`);
      for (const listing of sample.coveringListings) context.out(`covered by #${listing.id} ${listing.list} ${listing.range}: repdesk samples link ${sample.id} --listing ${listing.id}`);
      for (const link of sample.links) context.out(`link: ${JSON.stringify(link.text)} -> ${link.target}`);
    },
  },
  'samples raw': {
    usage: 'repdesk samples raw ID [--out FILE] [--force]',
    summary: 'Write the original message (.eml) to FILE (default sample-ID-HASH.eml; --force overwrites)',
    options: { out: { type: 'string' }, force: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      writeRaw(context, await call(context, 'samples.raw', { id: id(context.positionals[0], 'ID') }));
    },
  },
  'samples link': {
    usage: 'repdesk samples link ID --listing LISTING [--json]',
    summary: 'Link a stored sample to a listing (investigator)',
    options: { listing: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const linked = await call(context, 'samples.link', { sampleId: id(context.positionals[0], 'ID'), listingId: id(optionalText(context.values, 'listing'), '--listing') });
      if (context.values.json) printJson(context, linked);
      else context.out(`sample #${context.positionals[0].replace(/^#/, '')} is linked to ${linked.map((listing) => `#${listing.id} (${listing.list} ${listing.range})`).join(', ')}`);
    },
  },
  'samples list-source': {
    usage: 'repdesk samples list-source ID [--reason R] [--txt T] [--why TEXT] [--json]',
    summary: "Create an RBL listing for a sample's source address and link the sample to it (investigator)",
    options: { reason: { type: 'string' }, txt: { type: 'string' }, why: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const created = await call(context, 'samples.createListing', {
        sampleId: id(context.positionals[0], 'ID'),
        reason: optionalText(context.values, 'reason'),
        txt: optionalText(context.values, 'txt'),
        why: optionalText(context.values, 'why'),
      });
      if (context.values.json) printJson(context, created);
      else context.out(`created RBL listing #${created.listingId} for ${created.range}`);
    },
  },
  'threads list': {
    usage: 'repdesk threads list --listing ID | --isp NAME [--json]',
    summary: 'The correspondence threads of a listing or an ISP',
    options: { listing: { type: 'string' }, isp: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    async run(context) {
      const threads = await call(context, 'threads.list', owner(context));
      if (context.values.json) printJson(context, threads);
      else for (const thread of threads) context.out(formatThread(thread));
    },
  },
  'threads show': {
    usage: 'repdesk threads show THREAD [--json]',
    summary: 'A thread with its messages and notes',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const thread = await call(context, 'threads.get', { id: id(context.positionals[0], 'THREAD') });
      if (context.values.json) printJson(context, thread);
      else printThread(context, thread);
    },
  },
  'threads create': {
    usage: 'repdesk threads create --listing ID | --isp NAME --subject TEXT [--json]',
    summary: 'Open a correspondence thread on a listing (investigator) or an ISP (liaison)',
    options: { listing: { type: 'string' }, isp: { type: 'string' }, subject: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    async run(context) {
      const subject = optionalText(context.values, 'subject');
      if (subject === undefined) throw new UsageError('--subject is required');
      const thread = await call(context, 'threads.create', { ...owner(context), subject });
      if (context.values.json) printJson(context, thread);
      else context.out(`opened thread ${formatThread(thread)}`);
    },
  },
  'threads import': {
    usage: 'repdesk threads import THREAD FILE... [--outbound] [--import-valid] [--json]',
    summary: 'Add mail (.eml or mbox) to a thread as inbound messages (--outbound: as sent by us); a refused message stores nothing unless --import-valid',
    options: { outbound: { type: 'boolean' }, 'import-valid': { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [2, 101],
    async run(context) {
      const result = await call(context, 'threads.import', {
        threadId: id(context.positionals[0], 'THREAD'),
        direction: context.values.outbound ? 'outbound' : 'inbound',
        files: context.positionals.slice(1).map((path) => ({ path: resolve(path) })),
        importValid: context.values['import-valid'] === true,
      });
      reportImport(context, result, `${result.added} messages added`);
    },
  },
  'threads note': {
    usage: 'repdesk threads note THREAD TEXT [--json]',
    summary: 'Write an internal note into a thread',
    options: { json: { type: 'boolean' } },
    positionals: [2, 2],
    async run(context) {
      const thread = await call(context, 'threads.note', { threadId: id(context.positionals[0], 'THREAD'), text: context.positionals[1] });
      if (context.values.json) printJson(context, thread);
      else printThread(context, thread);
    },
  },
  'threads draft': {
    usage: `repdesk threads draft THREAD --template T [--save] [--to ADDRESS] [--json]`,
    summary: `Draft a reply from a template (${REPLY_TEMPLATES.join(', ')}) with the record's facts filled in; print it, or with --save store it in the thread as an outbound message (export it with threads export)`,
    options: { template: { type: 'string' }, save: { type: 'boolean' }, to: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const threadId = id(context.positionals[0], 'THREAD');
      const template = optionalText(context.values, 'template');
      if (template === undefined) throw new UsageError(`--template is required (${REPLY_TEMPLATES.join(', ')})`);
      const draft = await call(context, 'threads.draft', { threadId, template });
      const to = optionalText(context.values, 'to') ?? draft.to;
      if (!context.values.save) {
        if (context.values.json) printJson(context, { ...draft, to });
        else context.out([`From: ${draft.from}`, `To: ${to}`, `Subject: ${draft.subject}`, '', draft.text].join('\n'));
        return;
      }
      if (to === '') throw new UsageError('the thread has no inbound sender or ISP contact to reply to: give --to ADDRESS');
      const thread = await call(context, 'threads.reply', { threadId, to, subject: draft.subject, text: draft.text });
      if (context.values.json) printJson(context, thread);
      else printThread(context, thread);
    },
  },
  'threads export': {
    usage: 'repdesk threads export MESSAGE [--out FILE] [--force]',
    summary: 'Write a thread message (inbound or outbound mail) as an .eml file',
    options: { out: { type: 'string' }, force: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      writeRaw(context, await call(context, 'threads.export', { id: id(context.positionals[0], 'MESSAGE') }));
    },
  },
  'threads send': {
    usage: 'repdesk threads send MESSAGE [--json]',
    summary: 'Send a saved reply through the mail relay of setting evidence.smtp (the exact bytes threads export writes); the relay\'s answer goes into the history',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const sent = await call(context, 'threads.send', { id: id(context.positionals[0], 'MESSAGE') });
      if (context.values.json) printJson(context, sent);
      else context.out(`sent to ${sent.accepted.join(', ')}: ${sent.response}`);
    },
  },
  'threads resolve': {
    usage: `repdesk threads resolve THREAD --outcome O [--why TEXT] [--json]`,
    summary: `Mark a thread resolved with its outcome (${THREAD_OUTCOMES.join(', ')}); the listing's or ISP's history records it`,
    options: { outcome: { type: 'string' }, why: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const outcome = optionalText(context.values, 'outcome');
      if (outcome === undefined) throw new UsageError(`--outcome is required (${THREAD_OUTCOMES.join(', ')})`);
      const thread = await call(context, 'threads.resolve', { threadId: id(context.positionals[0], 'THREAD'), outcome, why: optionalText(context.values, 'why') });
      if (context.values.json) printJson(context, thread);
      else context.out(`resolved ${formatThread(thread)}`);
    },
  },
};
