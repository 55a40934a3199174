/** `repdesk settings ...`. The table's entries are in `../settings-commands.ts`. */
import { call, printJson, UsageError, type CommandContext } from '../command.js';

/** `repdesk settings get` */
export async function settingsGet(context: CommandContext): Promise<void> {
  printJson(context, await call(context, 'settings.get', {}));
}

/** `repdesk settings set` */
export async function settingsSet(context: CommandContext): Promise<void> {
  let value: unknown;
  try {
    value = JSON.parse(context.positionals[1]);
  } catch {
    throw new UsageError(`the value must be JSON, e.g. '"text"', '3' or '{"key":1}'`);
  }
  printJson(context, await call(context, 'settings.update', { [context.positionals[0]]: value }));
}
