/**
 * `repdesk qil ...`: trap-hit ingestion and a source's score. The table's entries are in
 * `../qil-commands.ts`.
 */
import { resolve } from 'node:path';
import type { QilScoreView } from '../../../shared/qil.js';
import { call, printJson, type CommandContext } from '../command.js';

function formatScore(view: QilScoreView): string[] {
  const lines = [
    `${view.ip}: ${view.hits} trap hit${view.hits === 1 ? '' : 's'}, score ${view.score}${view.rating ? `, good rating (${view.rating})` : ''}`,
    view.level === null ? '  not listed on QIL' : `  QIL level ${view.level} until ${view.expiresAt}; listed at some level until ${view.lapsesAt}`,
  ];
  for (const level of view.levels) {
    lines.push(`  level ${level.level}: ${level.listed ? `listed until ${level.expiresAt}` : level.expiresAt ? `lapsed at ${level.expiresAt}` : 'never listed'}${level.listingId ? ` (#${level.listingId})` : ''}`);
  }
  return lines;
}
/** `repdesk qil ingest` */
export async function qilIngest(context: CommandContext): Promise<void> {
  const summary = await call(context, 'qil.ingest', { file: { path: resolve(context.positionals[0]) } });
  if (context.values.json) {
    printJson(context, summary);
    return;
  }
  for (const note of summary.notes) context.out(`note: ${note}`);
  if (summary.notesOmitted > 0) context.out(`note: ... and ${summary.notesOmitted} more`);
  context.out(
    `ingested ${summary.observations} new trap hit line${summary.observations === 1 ? '' : 's'} (${summary.repeated} already stored) from ${summary.sources} sources: ` +
      `${summary.created} QIL listing${summary.created === 1 ? '' : 's'} created, ${summary.extended} extended`,
  );
}

/** `repdesk qil score` */
export async function qilScore(context: CommandContext): Promise<void> {
  const view = await call(context, 'qil.score', { ip: context.positionals[0] });
  if (context.values.json) printJson(context, view);
  else for (const line of formatScore(view)) context.out(line);
}

