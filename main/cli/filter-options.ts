/**
 * The workbench's filters as command-line options: the command table declares them and
 * run/workbench.ts reads them back, both from here (the table never imports a command's
 * implementation, nor an implementation the table).
 */
import { FILTER_KEYS } from '../../shared/vocabulary.js';
import type { Options } from './command.js';

/** --list, --status, ... one string option per filter key (dashes for the dates: --created-from). */
export function optionName(key: (typeof FILTER_KEYS)[number]): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export function filterOptions(): Options {
  const options: Options = {};
  for (const key of FILTER_KEYS) options[optionName(key)] = { type: 'string' };
  return options;
}
