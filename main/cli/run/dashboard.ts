/**
 * `repdesk dashboard`: the dashboard's figures on the command line, for a cron job that watches
 * the lists and whether the last snapshot is about to expire. The table's entries are in
 * `../dashboard-commands.ts`.
 */
import type { DashboardView } from '../../../shared/dashboard.js';
import { call, printJson, type CommandContext } from '../command.js';

function formatDashboard(view: DashboardView): string[] {
  const lines = [`as of ${view.generatedAt}${view.isBehind ? ' (some recent changes are not counted yet: another writer holds the database)' : ''}`];
  for (const list of view.lists) {
    const { day, week, month } = list.change;
    lines.push(
      `${list.list}: ${list.active} active${list.lapsed > 0 ? ` (${list.lapsed} lapsed)` : ''}, ${list.ipv4Addresses} IPv4 addresses, ${list.ipv6Slash64s} IPv6 /64s; ` +
        `today +${day.listed} -${day.delisted}, 7 days +${week.listed} -${week.delisted}, 30 days +${month.listed} -${month.delisted}`,
    );
  }
  const { latest, unpublishedChanges, unpublishedByList, isUnpublishedCapped } = view.publishing;
  if (latest === null) lines.push('published: nothing yet');
  else {
    const state = latest.isExpired ? ' (EXPIRED)' : latest.isExpiringSoon ? ` (expires within ${view.publishing.expiringWithinHours} hours)` : '';
    lines.push(`published: serial ${latest.serial} at ${latest.createdAt} by ${latest.preparedBy}, expires ${latest.expiresAt}${state}`);
  }
  if (unpublishedChanges > 0) {
    const byList = Object.entries(unpublishedByList).filter(([, count]) => count > 0).map(([list, count]) => `${list} ${count}`).join(', ');
    lines.push(`not yet published: ${isUnpublishedCapped ? 'at least ' : ''}${unpublishedChanges} listing${unpublishedChanges === 1 ? '' : 's'} changed (${byList}) since ${view.publishing.unpublishedSince}`);
  }
  for (const person of view.investigators) {
    lines.push(`${person.name}: ${person.assigned} active listing${person.assigned === 1 ? '' : 's'} assigned, ${person.openRequests} open request${person.openRequests === 1 ? '' : 's'}`);
  }
  for (const country of view.countries) {
    lines.push(`${country.country ?? 'no country'}: ${country.entries} DUL ranges, ${country.ipv4Addresses} IPv4 addresses, ${country.ipv6Slash64s} IPv6 /64s (${country.isps.map((isp) => isp.name).join(', ')})`);
  }
  return lines;
}
/** `repdesk dashboard` */
export async function dashboard(context: CommandContext): Promise<void> {
  // --existing (the fold a big import leaves to a detached process, settle.ts): the database may have been removed meanwhile; it is not created again.
  if (context.values.existing === true && !context.remote) await context.core({ databaseMustExist: true });
  const view = await call(context, 'dashboard.get', context.values.period === undefined ? {} : { period: context.values.period });
  if (context.values.json) printJson(context, view);
  else for (const line of formatDashboard(view)) context.out(line);
}

