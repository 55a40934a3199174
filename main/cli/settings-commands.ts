/**
 * `repdesk settings ...`. The table's part: what `--help` shows and the parser accepts;
 * `run/settings.ts` runs them.
 */
import { json, lazily, type Command } from './command.js';

const load = () => import('./run/settings.js');

export const SETTINGS_COMMANDS = {
  'settings get': {
    usage: 'repdesk settings get [--json]',
    summary: 'Print the settings',
    options: json,
    positionals: [0, 0],
    run: lazily(load, 'settingsGet'),
  },
  'settings set': {
    usage: 'repdesk settings set KEY JSON   (e.g. repdesk settings set qil \'{"defaultLevel":3}\')',
    summary: 'Change one top-level setting (admin only); the value is JSON, merged into the current one',
    options: json,
    positionals: [2, 2],
    run: lazily(load, 'settingsSet'),
  },
} satisfies Record<string, Command>;
