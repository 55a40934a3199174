/**
 * `repdesk nominations ...` and `repdesk delisting ...`: the review queues from scripts and
 * reports (intake from files, the queues as JSON, decisions). The table's entries are in
 * `../queues-commands.ts`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MailDraft } from '../../../shared/evidence.js';
import { plainFileNameProblem } from '../../../shared/files.js';
import type { DelistingSummaryView, DelistingView, NominationSummaryView, NominationView, QueuePage } from '../../../shared/queues.js';
import { call, printJson, UsageError, type CommandContext } from '../command.js';

const PAGE = 1000;

function text(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The reply as it goes out, printed: recipient, subject, then the text. */
function printDraft(context: CommandContext, draft: MailDraft): void {
  context.out([`From: ${draft.from}`, `To: ${draft.to ?? '(no mail address: the reply is kept in the thread as a note to send some other way)'}`, `Subject: ${draft.subject}`, '', draft.text].join('\n'));
}

/** An edited reply from --reply-file (UTF-8 text), or undefined for the drafted one. */
function replyFrom(values: CommandContext['values']): string | undefined {
  const path = text(values, 'reply-file');
  if (path === undefined) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(resolve(path)));
  } catch (error) {
    throw new UsageError(`--reply-file ${path}: ${error instanceof TypeError ? 'not UTF-8 text' : (error as Error).message}`);
  }
}

/** After a decision: where its reply went. */
function printReply(context: CommandContext, view: { readonly threadId: number | null; readonly decision: { readonly reply: string } | null }): void {
  context.out(`reply (in thread #${view.threadId}; repdesk threads show ${view.threadId}, then threads export or threads send):`);
  for (const line of view.decision?.reply.split('\n') ?? []) context.out(`  ${line}`);
}

function many(values: CommandContext['values'], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

function requestId(context: CommandContext): number {
  const given = context.positionals[0].replace(/^#/, '');
  if (!/^\d+$/.test(given) || Number(given) === 0) throw new UsageError(`ID is a request number, not ${JSON.stringify(context.positionals[0])}`);
  return Number(given);
}

/** The queue filter from --status, --assignee and --overdue. */
function filter(values: CommandContext['values']): Record<string, unknown> {
  return { status: text(values, 'status'), assignee: text(values, 'assignee'), age: values.overdue ? 'overdue' : undefined };
}

/** Every page of a queue. */
async function everything<T extends { id: number }>(context: CommandContext, name: 'nominations.list' | 'delisting.list'): Promise<T[]> {
  const items: T[] = [];
  let afterId = 0;
  for (;;) {
    const page = (await call(context, name, { ...filter(context.values), afterId, limit: PAGE })) as unknown as QueuePage<T>;
    items.push(...page.items);
    if (page.items.length < PAGE) return items;
    afterId = page.items[page.items.length - 1].id;
  }
}

function age(hours: number): string {
  return hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} d`;
}

function nominationLine(item: NominationSummaryView): string {
  return `#${item.id}\t${item.status}${item.isOverdue ? ' OVERDUE' : ''}\t${age(item.ageHours)}\t${item.assignee ?? '-'}\t${item.contact.email}\t${item.ips.join(', ')}\tlistings ${item.listingIds.map((id) => `#${id}${item.galListingIds.includes(id) ? ' (GAL, made)' : ''}`).join(', ') || '-'}`;
}

function delistingLine(item: DelistingSummaryView): string {
  return `#${item.id}\t${item.status}${item.isOverdue ? ' OVERDUE' : ''}${item.isRepeatOffender ? ' REPEAT' : ''}\t${age(item.ageHours)}\t${item.assignee ?? '-'}\t${item.ip}\t${item.requester}\tlistings ${item.listingIds.map((id) => `#${id}`).join(', ') || '-'}`;
}

function showNomination(context: CommandContext, view: NominationView): void {
  context.out(nominationLine(view));
  context.out(`contact: ${view.contact.firstName} ${view.contact.lastName} <${view.contact.email}>; received ${view.receivedAt}, due ${view.dueAt}; source ${view.source}`);
  for (const mta of view.mtas) context.out(`  MTA ${mta.ip}\t${mta.fqdn}\t${mta.domain}\t${mta.company}\t${mta.country}\t${mta.companyType}${mta.outcome ? `\t${mta.outcome}` : ''}${mta.galListingId ? ` GAL #${mta.galListingId}` : ''}`);
  if (view.helos.length > 0) context.out(`  HELO ${view.helos.join(', ')}`);
  for (const aid of view.aids ?? []) {
    context.out(`  checks for ${aid.ip}:`);
    for (const [name, check] of [['listed', aid.listed], ['DUL', aid.dul], ['FCrDNS', aid.fcrdns], ['HELO', aid.helo], ['samples', aid.samples]] as const) {
      context.out(`    ${check.ok ? 'ok  ' : 'FLAG'} ${name}: ${check.result} (${check.at})`);
    }
  }
  if (view.decision) context.out(`decided ${view.decision.kind} by ${view.decision.by} at ${view.decision.at}: ${view.decision.why}`);
}

function showDelisting(context: CommandContext, view: DelistingView): void {
  context.out(delistingLine(view));
  context.out(`requester ${view.requester}; received ${view.receivedAt}, due ${view.dueAt}; ${view.routing}`);
  context.out(`reason: ${view.reason}`);
  for (const listing of view.listings) context.out(`  #${listing.id} ${listing.list} ${listing.range} ${listing.status}${listing.suppressedUntil ? ` until ${listing.suppressedUntil}` : ''} by ${listing.investigator}${listing.isInZone ? ' (in the zone)' : ''}`);
  context.out(`relisted after removal: ${view.relistCount} time(s); longest temporary removal now ${view.allowedRemovalDays} days; ${view.priorRequests.length} prior request(s); ${view.samples.length} sample(s)`);
  if (view.decision) context.out(`decided ${view.decision.kind} by ${view.decision.by} at ${view.decision.at}${view.until ? ` until ${view.until}` : ''}: ${view.decision.why}`);
}
/**
 * The CSV files a bundle names (`"mtas": "mtas.csv"`), beside it: sent with it to a server, which
 * cannot read this computer's folder. What the bundle says is checked by the import itself.
 */
function bundleFiles(bundle: string): Record<string, { path: string }> {
  let named: unknown;
  try {
    named = JSON.parse(readFileSync(bundle, 'utf8'));
  } catch {
    return {};
  }
  const files: Record<string, { path: string }> = {};
  for (const key of ['mtas', 'helos']) {
    const name = (named as Record<string, unknown> | null)?.[key];
    if (typeof name === 'string' && plainFileNameProblem(name) === null && existsSync(join(dirname(bundle), name))) files[name] = { path: join(dirname(bundle), name) };
  }
  return files;
}

/** `repdesk nominations import` */
export async function nominationsImport(context: CommandContext): Promise<void> {
  const bundle = resolve(context.positionals[0]);
  const view = await call(context, 'nominations.import', { bundle: { path: bundle }, ...(context.remote ? { files: bundleFiles(bundle) } : {}) });
  if (context.values.json) printJson(context, view);
  else context.out(`added nomination ${nominationLine(view)}`);
}

/** `repdesk nominations template` */
export async function nominationsTemplate(context: CommandContext): Promise<void> {
  const which = context.positionals[0];
  if (which !== 'mtas' && which !== 'helos') throw new UsageError(`the template is mtas or helos, not ${JSON.stringify(which)}`);
  const template = (await call(context, 'nominations.templates', {}))[which];
  const out = text(context.values, 'out');
  if (out === undefined) context.out(template.text.replace(/\n$/, ''));
  else {
    writeFileSync(resolve(out), template.text);
    context.out(`wrote ${out}`);
  }
}

/** `repdesk nominations list` */
export async function nominationsList(context: CommandContext): Promise<void> {
  const items = await everything<NominationSummaryView>(context, 'nominations.list');
  if (context.values.json) printJson(context, items);
  else for (const item of items) context.out(nominationLine(item));
}

/** `repdesk nominations show` */
export async function nominationsShow(context: CommandContext): Promise<void> {
  const view = await call(context, context.values.open ? 'nominations.open' : 'nominations.get', { id: requestId(context) });
  if (context.values.json) printJson(context, view);
  else showNomination(context, view);
}

/** `repdesk nominations decide` */
export async function nominationsDecide(context: CommandContext): Promise<void> {
  const { values } = context;
  const chosen = (['approve', 'reject', 'needs-information'] as const).filter((decision) => values[decision]);
  if (chosen.length !== 1) throw new UsageError('give exactly one of --approve, --reject, --needs-information');
  const conflicts: Record<string, 'delist' | 'refuse'> = {};
  for (const ip of many(values, 'delist')) conflicts[ip] = 'delist';
  for (const ip of many(values, 'refuse')) conflicts[ip] = 'refuse';
  const isApproval = chosen[0] === 'approve';
  const choice = {
    id: requestId(context),
    decision: chosen[0],
    ips: isApproval && values.ip !== undefined ? many(values, 'ip') : undefined,
    conflicts: isApproval && Object.keys(conflicts).length > 0 ? conflicts : undefined,
  };
  if (values.draft) {
    const draft = await call(context, 'nominations.draft', choice);
    if (values.json) printJson(context, draft);
    else printDraft(context, draft);
    return;
  }
  const why = text(values, 'why');
  if (why === undefined) throw new UsageError('--why is required');
  const view = await call(context, 'nominations.decide', { ...choice, why, reply: replyFrom(values) });
  if (values.json) printJson(context, view);
  else {
    showNomination(context, view);
    printReply(context, view);
  }
}

/** `repdesk delisting import` */
export async function delistingImport(context: CommandContext): Promise<void> {
  const result = await call(context, 'delisting.import', { file: { path: resolve(context.positionals[0]) } });
  if (context.values.json) printJson(context, result);
  else {
    context.out(`imported ${result.created.length} delisting request${result.created.length === 1 ? '' : 's'} (#${result.created[0]}..#${result.created[result.created.length - 1]})`);
    for (const note of result.notes) context.out(`note: ${note}`);
  }
}

/** `repdesk delisting list` */
export async function delistingList(context: CommandContext): Promise<void> {
  const items = await everything<DelistingSummaryView>(context, 'delisting.list');
  if (context.values.json) printJson(context, items);
  else for (const item of items) context.out(delistingLine(item));
}

/** `repdesk delisting show` */
export async function delistingShow(context: CommandContext): Promise<void> {
  const view = await call(context, 'delisting.get', { id: requestId(context) });
  if (context.values.json) printJson(context, view);
  else showDelisting(context, view);
}

/** `repdesk delisting decide` */
export async function delistingDecide(context: CommandContext): Promise<void> {
  const { values } = context;
  const chosen = (['remove-temporarily', 'delist', 'deny', 'needs-information'] as const).filter((decision) => values[decision]);
  if (chosen.length !== 1) throw new UsageError('give exactly one of --remove-temporarily, --delist, --deny, --needs-information');
  const choice = { id: requestId(context), decision: chosen[0], until: text(values, 'until') };
  if (values.draft) {
    const draft = await call(context, 'delisting.draft', choice);
    if (values.json) printJson(context, draft);
    else printDraft(context, draft);
    return;
  }
  const why = text(values, 'why');
  if (why === undefined) throw new UsageError('--why is required');
  const view = await call(context, 'delisting.decide', { ...choice, why, reply: replyFrom(values) });
  if (values.json) printJson(context, view);
  else {
    showDelisting(context, view);
    printReply(context, view);
  }
}

/** `repdesk queues summary` */
export async function queuesSummary(context: CommandContext): Promise<void> {
  const summary = await call(context, 'queues.summary', {});
  if (context.values.json) {
    printJson(context, summary);
    return;
  }
  for (const [title, queue] of [['nominations', summary.nominations], ['delisting requests', summary.delisting]] as const) {
    context.out(`${title}: ${queue.open} open, ${queue.overdue} overdue; by age ${queue.byAge.map((bucket) => `${bucket.bucket} ${bucket.count}`).join(', ')}`);
    for (const entry of queue.byAssignee) context.out(`  ${entry.assignee ?? '(unassigned)'}${entry.isMe ? ' (you)' : ''}: ${entry.count}`);
  }
}

