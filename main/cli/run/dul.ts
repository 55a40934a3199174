/**
 * `repdesk dul ...` and `repdesk isp ...`: DUL submissions and the ISP registry. The table's entries are in
 * `../dul-commands.ts`.
 */
import { resolve } from 'node:path';
import type { IspView, SubmissionPreview, SubmissionView } from '../../../shared/dul.js';
import { invalidInput } from '../../core/errors.js';
import { call, printJson, UsageError, type CommandContext } from '../command.js';

function list(values: CommandContext['values'], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

function optionalText(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function excerptLines(title: string, excerpt: { total: number; items: readonly string[] }, shown: number): string[] {
  if (excerpt.total === 0) return [];
  const lines = [`${title}: ${excerpt.total}`];
  for (const item of excerpt.items.slice(0, shown)) lines.push(`  ${item}`);
  if (excerpt.total > Math.min(shown, excerpt.items.length)) lines.push(`  ... and ${excerpt.total - Math.min(shown, excerpt.items.length)} more (--json shows up to ${excerpt.items.length})`);
  return lines;
}

/** The preview as text: counts, then each list that is not empty. */
function formatPreview(preview: SubmissionPreview): string[] {
  const overlap = (item: SubmissionPreview['galOverlaps']['items'][number]) =>
    `line ${item.line}: ${item.range} meets ${item.list} #${item.listingId} ${item.otherRange}${item.isp ? ` (${item.isp})` : ''}`;
  return [
    `${preview.source} for ${preview.isp} (${preview.mode}): ${preview.lines} lines, ${preview.ranges} ranges (${preview.ipv4} IPv4, ${preview.ipv6} IPv6)`,
    `diff against the current set: ${preview.diff.added.total} added, ${preview.diff.removed.total} removed, ${preview.diff.unchanged} unchanged`,
    ...(preview.validUntil ? [`valid until ${preview.validUntil}`] : []),
    ...(preview.exclusions.length > 0 ? [`exclusions (never listed): ${preview.exclusions.join(', ')}`] : []),
    ...excerptLines('added', preview.diff.added, 20),
    ...excerptLines('removed', preview.diff.removed, 20),
    ...excerptLines('normalised', preview.normalisations, 20),
    ...excerptLines('duplicates merged', preview.duplicates, 20),
    ...excerptLines('overlapping another ISP\'s DUL ranges', { total: preview.otherIspOverlaps.total, items: preview.otherIspOverlaps.items.map(overlap) }, 20),
    ...excerptLines('containing or meeting a GAL entry', { total: preview.galOverlaps.total, items: preview.galOverlaps.items.map(overlap) }, 20),
    ...excerptLines('containing or meeting an active RBL listing', { total: preview.rblOverlaps.total, items: preview.rblOverlaps.items.map(overlap) }, 20),
    ...(preview.rejected.length > 0 ? [`rejected lines: ${preview.rejected.length}`, ...preview.rejected.map((line) => `  ${line}`)] : []),
  ];
}

function formatSubmission(submission: SubmissionView): string {
  const terms = [
    `received ${submission.receivedAt}`,
    submission.effectiveAt ? `effective ${submission.effectiveAt}` : null,
    submission.validUntil ? `valid until ${submission.validUntil}` : null,
    submission.exclusions.length > 0 ? `excluding ${submission.exclusions.join(', ')}` : null,
    submission.revertedAt ? `REVERTED ${submission.revertedAt} by ${submission.revertedBy}` : null,
  ].filter((term) => term !== null);
  return `#${submission.id} ${submission.mode} ${submission.source} by ${submission.investigator}: +${submission.added} -${submission.removed} =${submission.unchanged}, ${submission.activeRanges} active; ${terms.join('; ')}`;
}

function formatIsp(isp: IspView): string {
  return `${isp.name}${isp.country ? ` (${isp.country})` : ''}\t${isp.asns.map((asn) => `AS${asn}`).join(',') || '-'}\t${isp.activeRanges} active DUL ranges`;
}

function parseAsns(texts: readonly string[]): number[] {
  return texts.map((text) => {
    const digits = text.replace(/^AS/i, '');
    if (!/^\d+$/.test(digits)) throw new UsageError(`--asn takes an AS number (64500 or AS64500), not ${JSON.stringify(text)}`);
    return Number(digits);
  });
}
/** `repdesk dul import` */
export async function dulImport(context: CommandContext): Promise<void> {
  const { values } = context;
  const isp = optionalText(values, 'isp');
  if (isp === undefined) throw new UsageError('--isp is required');
  if (values.replace && values.add) throw new UsageError('give --replace or --add, not both');
  const payload = {
    file: { path: resolve(context.positionals[0]) },
    isp,
    mode: values.add ? 'add' : 'replace',
    received: optionalText(values, 'submitted'),
    effective: optionalText(values, 'effective'),
    validUntil: optionalText(values, 'valid-until'),
    exclude: list(values, 'exclude'),
    submittedBy: optionalText(values, 'submitted-by'),
    policyNotes: optionalText(values, 'policy'),
  };
  if (values['dry-run']) {
    const preview = await call(context, 'dul.preview', payload);
    if (values.json) printJson(context, preview);
    else for (const line of formatPreview(preview)) context.out(line);
    if (preview.rejected.length > 0) {
      throw invalidInput(`${preview.source}: ${preview.rejected.length} bad line${preview.rejected.length === 1 ? '' : 's'}; an import would be refused`);
    }
    return;
  }
  const result = await call(context, 'dul.commit', payload);
  if (values.json) printJson(context, result);
  else {
    for (const line of formatPreview(result.preview)) context.out(line);
    context.out(`committed DUL submission ${formatSubmission(result.submission)}`);
  }
}

/** `repdesk dul revert` */
export async function dulRevert(context: CommandContext): Promise<void> {
  const text = context.positionals[0].replace(/^#/, '');
  if (!/^\d+$/.test(text)) throw new UsageError(`SUBMISSION is a submission number, not ${JSON.stringify(context.positionals[0])}`);
  const result = await call(context, 'dul.revert', { id: Number(text) });
  if (context.values.json) printJson(context, result);
  else context.out(`reverted DUL submission #${result.submission.id} of ${result.submission.isp}: ${result.delisted} ranges delisted, ${result.restored} restored`);
}

/** `repdesk isp add` */
export async function ispAdd(context: CommandContext): Promise<void> {
  const { values } = context;
  const isp = await call(context, 'isps.add', {
    name: context.positionals[0],
    asns: parseAsns(list(values, 'asn')),
    country: optionalText(values, 'country'),
    notes: optionalText(values, 'notes'),
    liaisonContacts: list(values, 'liaison-contact'),
    ispContacts: list(values, 'isp-contact'),
  });
  if (values.json) printJson(context, isp);
  else context.out(`added ISP ${formatIsp(isp)}`);
}

/** `repdesk isp update` */
export async function ispUpdate(context: CommandContext): Promise<void> {
  const { values } = context;
  const isp = await call(context, 'isps.update', {
    name: context.positionals[0],
    rename: optionalText(values, 'rename'),
    asns: values.asn === undefined ? undefined : parseAsns(list(values, 'asn')),
    country: optionalText(values, 'country'),
    notes: optionalText(values, 'notes'),
    liaisonContacts: values['liaison-contact'] === undefined ? undefined : list(values, 'liaison-contact'),
    ispContacts: values['isp-contact'] === undefined ? undefined : list(values, 'isp-contact'),
  });
  if (values.json) printJson(context, isp);
  else context.out(`updated ISP ${formatIsp(isp)}`);
}

/** `repdesk isp list` */
export async function ispList(context: CommandContext): Promise<void> {
  const isps = await call(context, 'isps.list', {});
  if (context.values.json) printJson(context, isps);
  else for (const isp of isps) context.out(formatIsp(isp));
}

/** `repdesk isp show` */
export async function ispShow(context: CommandContext): Promise<void> {
  const detail = await call(context, 'isps.get', { name: context.positionals[0] });
  if (context.values.json) {
    printJson(context, detail);
    return;
  }
  const { isp } = detail;
  context.out(formatIsp(isp));
  if (isp.liaisonContacts.length > 0) context.out(`  liaison contacts: ${isp.liaisonContacts.join('; ')}`);
  if (isp.ispContacts.length > 0) context.out(`  ISP contacts: ${isp.ispContacts.join('; ')}`);
  if (isp.notes) context.out(`  notes: ${isp.notes}`);
  context.out(`submissions: ${detail.submissions.length}`);
  for (const submission of detail.submissions) context.out(`  ${formatSubmission(submission)}`);
  context.out(`active ranges: ${isp.activeRanges}${isp.activeRanges > detail.ranges.length ? ` (first ${detail.ranges.length})` : ''}`);
  for (const range of detail.ranges) {
    context.out(`  ${range.range}\t#${range.listingId} submission #${range.submissionId}${range.validUntil ? ` until ${range.validUntil}` : ''}${range.policyNote ? `\t${range.policyNote}` : ''}`);
  }
}

