/**
 * `repdesk samples ...` and `repdesk threads ...`: spam samples and correspondence. The table's entries are in
 * `../evidence-commands.ts`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPLY_TEMPLATES, THREAD_OUTCOMES, type MessageOutcome, type RawMessage, type SampleImportResult, type ThreadDetail, type ThreadImportResult, type ThreadSummary } from '../../../shared/evidence.js';
import { invalidInput } from '../../core/errors.js';
import { call, printJson, UsageError, type CommandContext } from '../command.js';

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
/** `repdesk samples import` */
export async function samplesImport(context: CommandContext): Promise<void> {
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
}

/** `repdesk samples list` */
export async function samplesList(context: CommandContext): Promise<void> {
  const listingId = id(optionalText(context.values, 'listing'), '--listing');
  const samples = await call(context, 'samples.list', { listingId, limit: 500 });
  const stats = await call(context, 'samples.stats', { listingId });
  if (context.values.json) printJson(context, { ...samples, stats });
  else {
    context.out(`${stats.count} sample${stats.count === 1 ? '' : 's'}${stats.firstSeen ? `, first seen ${stats.firstSeen}, last seen ${stats.lastSeen}` : ''}`);
    for (const sample of samples.samples) context.out(`#${sample.id}\t${sample.sentAt ?? sample.importedAt}\t${sample.sourceIp ?? '-'}\t${sample.subject ?? '(no subject)'}`);
  }
}

/** `repdesk samples show` */
export async function samplesShow(context: CommandContext): Promise<void> {
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
}

/** `repdesk samples raw` */
export async function samplesRaw(context: CommandContext): Promise<void> {
  writeRaw(context, await call(context, 'samples.raw', { id: id(context.positionals[0], 'ID') }));
}

/** `repdesk samples link` */
export async function samplesLink(context: CommandContext): Promise<void> {
  const linked = await call(context, 'samples.link', { sampleId: id(context.positionals[0], 'ID'), listingId: id(optionalText(context.values, 'listing'), '--listing') });
  if (context.values.json) printJson(context, linked);
  else context.out(`sample #${context.positionals[0].replace(/^#/, '')} is linked to ${linked.map((listing) => `#${listing.id} (${listing.list} ${listing.range})`).join(', ')}`);
}

/** `repdesk samples list-source` */
export async function samplesListSource(context: CommandContext): Promise<void> {
  const created = await call(context, 'samples.createListing', {
    sampleId: id(context.positionals[0], 'ID'),
    reason: optionalText(context.values, 'reason'),
    txt: optionalText(context.values, 'txt'),
    why: optionalText(context.values, 'why'),
  });
  if (context.values.json) printJson(context, created);
  else context.out(`created RBL listing #${created.listingId} for ${created.range}`);
}

/** `repdesk threads list` */
export async function threadsList(context: CommandContext): Promise<void> {
  const threads = await call(context, 'threads.list', owner(context));
  if (context.values.json) printJson(context, threads);
  else for (const thread of threads) context.out(formatThread(thread));
}

/** `repdesk threads show` */
export async function threadsShow(context: CommandContext): Promise<void> {
  const thread = await call(context, 'threads.get', { id: id(context.positionals[0], 'THREAD') });
  if (context.values.json) printJson(context, thread);
  else printThread(context, thread);
}

/** `repdesk threads create` */
export async function threadsCreate(context: CommandContext): Promise<void> {
  const subject = optionalText(context.values, 'subject');
  if (subject === undefined) throw new UsageError('--subject is required');
  const thread = await call(context, 'threads.create', { ...owner(context), subject });
  if (context.values.json) printJson(context, thread);
  else context.out(`opened thread ${formatThread(thread)}`);
}

/** `repdesk threads import` */
export async function threadsImport(context: CommandContext): Promise<void> {
  const result = await call(context, 'threads.import', {
    threadId: id(context.positionals[0], 'THREAD'),
    direction: context.values.outbound ? 'outbound' : 'inbound',
    files: context.positionals.slice(1).map((path) => ({ path: resolve(path) })),
    importValid: context.values['import-valid'] === true,
  });
  reportImport(context, result, `${result.added} messages added`);
}

/** `repdesk threads note` */
export async function threadsNote(context: CommandContext): Promise<void> {
  const thread = await call(context, 'threads.note', { threadId: id(context.positionals[0], 'THREAD'), text: context.positionals[1] });
  if (context.values.json) printJson(context, thread);
  else printThread(context, thread);
}

/** `repdesk threads draft` */
export async function threadsDraft(context: CommandContext): Promise<void> {
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
}

/** `repdesk threads export` */
export async function threadsExport(context: CommandContext): Promise<void> {
  writeRaw(context, await call(context, 'threads.export', { id: id(context.positionals[0], 'MESSAGE') }));
}

/** `repdesk threads send` */
export async function threadsSend(context: CommandContext): Promise<void> {
  const sent = await call(context, 'threads.send', { id: id(context.positionals[0], 'MESSAGE') });
  if (context.values.json) printJson(context, sent);
  else context.out(`sent to ${sent.accepted.join(', ')}: ${sent.response}`);
}

/** `repdesk threads resolve` */
export async function threadsResolve(context: CommandContext): Promise<void> {
  const outcome = optionalText(context.values, 'outcome');
  if (outcome === undefined) throw new UsageError(`--outcome is required (${THREAD_OUTCOMES.join(', ')})`);
  const thread = await call(context, 'threads.resolve', { threadId: id(context.positionals[0], 'THREAD'), outcome, why: optionalText(context.values, 'why') });
  if (context.values.json) printJson(context, thread);
  else context.out(`resolved ${formatThread(thread)}`);
}

