/**
 * `repdesk listing ...` and `repdesk import`. The table's entries are in `../listing-commands.ts`.
 */
import { resolve } from 'node:path';
import { describeOrigin } from '../../../shared/team.js';
import { call, integer, printJson, UsageError, type CommandContext } from '../command.js';
import { formatListingLine } from '../format.js';

/** `repdesk listing add` */
export async function listingAdd(context: CommandContext): Promise<void> {
  const { list, reason, txt, level, expires, why } = context.values;
  if (typeof list !== 'string') throw new UsageError('--list is required');
  if (typeof reason !== 'string') throw new UsageError('--reason is required');
  const result = await call(context, 'listings.add', {
    range: context.positionals[0],
    list: list.toUpperCase(),
    reason,
    txt,
    level: typeof level === 'string' ? integer(level, '--level') : undefined,
    expires,
    why,
  });
  if (context.values.json) printJson(context, result);
  else {
    for (const note of result.notes) context.out(`note: ${note}`);
    context.out(`created ${formatListingLine(result.listing)}`);
  }
}

/** `repdesk listing delist` */
export async function listingDelist(context: CommandContext): Promise<void> {
  if (typeof context.values.why !== 'string') throw new UsageError('--why is required');
  const listing = await call(context, 'listings.delist', { id: integer(context.positionals[0], 'ID'), why: context.values.why });
  if (context.values.json) printJson(context, listing);
  else context.out(`delisted ${formatListingLine(listing)}`);
}

/** `repdesk listing show` */
export async function listingShow(context: CommandContext): Promise<void> {
  const id = integer(context.positionals[0], 'ID');
  const listing = await call(context, 'listings.get', { id });
  const history = await call(context, 'listings.history', { id });
  if (context.values.json) printJson(context, { ...listing, history });
  else {
    context.out(formatListingLine(listing));
    if (listing.txt) context.out(`  TXT: ${listing.txt}`);
    for (const event of history) {
      const origin = describeOrigin(event);
      context.out(`  ${event.at}  ${event.actor}  ${event.action}${event.reason ? `: ${event.reason}` : ''}${origin ? `  (${origin})` : ''}`);
    }
  }
}

/** `repdesk import` */
export async function importFile(context: CommandContext): Promise<void> {
  const { list, reason, txt } = context.values;
  if (typeof list !== 'string') throw new UsageError('--list is required');
  if (typeof reason !== 'string') throw new UsageError('--reason is required');
  const summary = await call(context, 'listings.importFile', { file: { path: resolve(context.positionals[0]) }, list: list.toUpperCase(), reason, txt });
  if (context.values.json) printJson(context, summary);
  else {
    for (const note of summary.notes) context.out(`note: ${note}`);
    if (summary.notesOmitted > 0) context.out(`note: ... and ${summary.notesOmitted} more`);
    context.out(`imported ${summary.imported} entries onto ${summary.list}`);
  }
}
