/**
 * `repdesk qil ...`: trap-hit ingestion and a source's score. Merged into the COMMANDS table of
 * main.ts; only its hoisted functions and types are used here, and only inside `run`, because
 * main.ts imports this module before its own top level has run.
 */
import { resolve } from 'node:path';
import type { QilScoreView } from '../../shared/contract.js';
import { call, printJson, type Command } from './main.js';

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

/** The `qil` commands. */
export const QIL_COMMANDS: Record<string, Command> = {
  'qil ingest': {
    usage: 'repdesk qil ingest FILE [--json]   (CSV: timestamp,source IP,count[,trap id]; optional header)',
    summary: 'Ingest a spam-trap hit log: score each source and create or extend its QIL listings (investigator); all or nothing, and the same file twice changes nothing',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
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
    },
  },
  'qil score': {
    usage: 'repdesk qil score IP [--json]',
    summary: "A source's QIL score over time, its level L and when each level's listing expires",
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    async run(context) {
      const view = await call(context, 'qil.score', { ip: context.positionals[0] });
      if (context.values.json) printJson(context, view);
      else for (const line of formatScore(view)) context.out(line);
    },
  },
};
