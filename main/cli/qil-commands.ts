/**
 * `repdesk qil ...`: trap-hit ingestion and a source's score.
 * The table's part: what `--help` shows and the parser accepts; `run/qil.ts` runs them.
 */
import { lazily, type Command } from './command.js';

const load = () => import('./run/qil.js');

export const QIL_COMMANDS = {
  'qil ingest': {
    usage: 'repdesk qil ingest FILE [--json]   (CSV: timestamp,source IP,count[,trap id]; optional header)',
    summary: 'Ingest a spam-trap hit log: score each source and create or extend its QIL listings (investigator); all or nothing, and the same file twice changes nothing',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'qilIngest'),
  },
  'qil score': {
    usage: 'repdesk qil score IP [--json]',
    summary: "A source's QIL score over time, its level L and when each level's listing expires",
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'qilScore'),
  },
} satisfies Record<string, Command>;
