/**
 * `repdesk dul ...` and `repdesk isp ...`: DUL submissions and the ISP registry.
 * The table's part: what `--help` shows and the parser accepts; `run/dul.ts` runs them.
 */
import { lazily, type Command } from './command.js';

const load = () => import('./run/dul.js');

export const DUL_COMMANDS = {
  'dul import': {
    usage:
      'repdesk dul import FILE --isp NAME [--submitted DATE] [--effective DATE] [--valid-until DATE] [--exclude RANGE]... [--submitted-by CONTACT] [--policy TEXT] [--replace|--add] [--dry-run] [--json]',
    summary:
      'Import an ISP\'s DUL submission (text: one range per line; CSV: range[,policy note][,valid-until]) as the ISP\'s new set (--replace, the default) or in addition (--add); all or nothing: a bad line fails the import with every rejected line listed; --dry-run shows the preview (diff, normalisations, duplicates, overlaps) and changes nothing (liaison)',
    options: {
      isp: { type: 'string' },
      submitted: { type: 'string' },
      effective: { type: 'string' },
      'valid-until': { type: 'string' },
      exclude: { type: 'string', multiple: true },
      'submitted-by': { type: 'string' },
      policy: { type: 'string' },
      replace: { type: 'boolean' },
      add: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    positionals: [1, 1],
    run: lazily(load, 'dulImport'),
  },
  'dul revert': {
    usage: 'repdesk dul revert SUBMISSION [--json]',
    summary: 'Revert a DUL submission: its ranges are delisted and the ISP\'s previous set is restored exactly (the ISP\'s latest submission only; liaison)',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'dulRevert'),
  },
  'isp add': {
    usage: 'repdesk isp add NAME [--asn N]... [--country CC] [--notes T] [--liaison-contact C]... [--isp-contact C]... [--json]',
    summary: 'Add an ISP to the registry (liaison)',
    options: {
      asn: { type: 'string', multiple: true },
      country: { type: 'string' },
      notes: { type: 'string' },
      'liaison-contact': { type: 'string', multiple: true },
      'isp-contact': { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    positionals: [1, 1],
    run: lazily(load, 'ispAdd'),
  },
  'isp update': {
    usage: 'repdesk isp update NAME [--rename NEW] [--asn N]... [--country CC] [--notes T] [--liaison-contact C]... [--isp-contact C]... [--json]',
    summary: 'Change an ISP\'s record; each option given replaces the stored value (liaison)',
    options: {
      rename: { type: 'string' },
      asn: { type: 'string', multiple: true },
      country: { type: 'string' },
      notes: { type: 'string' },
      'liaison-contact': { type: 'string', multiple: true },
      'isp-contact': { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    positionals: [1, 1],
    run: lazily(load, 'ispUpdate'),
  },
  'isp list': {
    usage: 'repdesk isp list [--json]',
    summary: 'The ISP registry: name, country, ASNs and active DUL ranges',
    options: { json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'ispList'),
  },
  'isp show': {
    usage: 'repdesk isp show NAME [--json]',
    summary: 'One ISP: its record, its DUL submissions over time and its first 100 active ranges',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'ispShow'),
  },
} satisfies Record<string, Command>;
