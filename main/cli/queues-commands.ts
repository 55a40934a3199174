/**
 * `repdesk nominations ...` and `repdesk delisting ...`: the review queues from scripts and
 * reports (intake from files, the queues as JSON, decisions).
 * The table's part: what `--help` shows and the parser accepts; `run/queues.ts` runs them.
 */
import { lazily, type Command } from './command.js';

const load = () => import('./run/queues.js');

const QUEUE_OPTIONS: Command['options'] = { status: { type: 'string' }, assignee: { type: 'string' }, overdue: { type: 'boolean' }, json: { type: 'boolean' } };

export const QUEUE_COMMANDS = {
  'nominations import': {
    usage: 'repdesk nominations import BUNDLE.json [--json]',
    summary:
      'Add a GAL nomination from a bundle: {"contact": {"email", "firstName", "lastName"}, "received"?, "mtas": [..] or "mtas.csv", "helos": [..] or "helos.csv"} (CSV files by plain file name, in the bundle\'s own folder, following the templates); all or nothing, every bad row named (investigator or reviewer)',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'nominationsImport'),
  },
  'nominations template': {
    usage: 'repdesk nominations template mtas|helos [--out FILE]',
    summary: 'Print (or write to FILE) the sample CSV template for MTA entries or HELO strings: exactly what the import accepts',
    options: { out: { type: 'string' } },
    positionals: [1, 1],
    run: lazily(load, 'nominationsTemplate'),
  },
  'nominations list': {
    usage: 'repdesk nominations list [--status S|open] [--assignee NAME|me|none] [--overdue] [--json]',
    summary: 'The GAL nomination queue: every nomination with its status, age, assignee, IPs and the listings it concerns (found by its checks, and the GAL listings it made)',
    options: QUEUE_OPTIONS,
    positionals: [0, 0],
    run: lazily(load, 'nominationsList'),
  },
  'nominations show': {
    usage: 'repdesk nominations show ID [--open] [--json]',
    summary: 'One nomination with its MTAs, HELO strings, checks and decision; --open runs the investigation checks now and keeps them',
    options: { open: { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'nominationsShow'),
  },
  'nominations decide': {
    usage: 'repdesk nominations decide ID --approve|--reject|--needs-information (--why TEXT [--reply-file FILE] | --draft) [--ip IP]... [--delist IP]... [--refuse IP]... [--json]',
    summary:
      'Decide a nomination (reviewer): approve (GAL entries for every MTA, or only the --ip ones; an IP on a blocklist needs --delist IP or --refuse IP), reject, or ask for information. The reason (--why) stays in the history; the reply to the nominee is the drafted one (print it with --draft, without deciding) or the text of --reply-file, and goes into the nomination\'s thread as mail',
    options: {
      approve: { type: 'boolean' },
      reject: { type: 'boolean' },
      'needs-information': { type: 'boolean' },
      why: { type: 'string' },
      ip: { type: 'string', multiple: true },
      delist: { type: 'string', multiple: true },
      refuse: { type: 'string', multiple: true },
      draft: { type: 'boolean' },
      'reply-file': { type: 'string' },
      json: { type: 'boolean' },
    },
    positionals: [1, 1],
    run: lazily(load, 'nominationsDecide'),
  },
  'delisting import': {
    usage: 'repdesk delisting import FILE [--json]',
    summary:
      'Add delisting requests from JSON ([{"ip", "requester", "reason", "received"}]) or CSV (header ip,requester,reason,received); each is routed to the investigator who assigned the covering listing; unlisted IPs close themselves; all or nothing, every bad row named (investigator, liaison or reviewer)',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'delistingImport'),
  },
  'delisting list': {
    usage: 'repdesk delisting list [--status S|open] [--assignee NAME|me|none] [--overdue] [--json]',
    summary: 'The delisting queue: every request with its status, age, assignee, repeat-offender flag and the listings it concerns',
    options: QUEUE_OPTIONS,
    positionals: [0, 0],
    run: lazily(load, 'delistingList'),
  },
  'delisting show': {
    usage: 'repdesk delisting show ID [--json]',
    summary: 'One delisting request: its listings, samples, prior requests, relist count and decision',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'delistingShow'),
  },
  'delisting decide': {
    usage: 'repdesk delisting decide ID --remove-temporarily [--until DATE]|--delist|--deny|--needs-information (--why TEXT [--reply-file FILE] | --draft) [--json]',
    summary:
      'Decide a delisting request (the assigned investigator or a reviewer): remove temporarily until DATE (default and longest: the allowed time, shorter for repeat offenders), delist permanently, deny, or ask for information. The reason (--why) stays in the history; the reply to the requester is the drafted one (print it with --draft, without deciding) or the text of --reply-file, and goes into the request\'s thread as mail',
    options: {
      'remove-temporarily': { type: 'boolean' },
      until: { type: 'string' },
      delist: { type: 'boolean' },
      deny: { type: 'boolean' },
      'needs-information': { type: 'boolean' },
      why: { type: 'string' },
      draft: { type: 'boolean' },
      'reply-file': { type: 'string' },
      json: { type: 'boolean' },
    },
    positionals: [1, 1],
    run: lazily(load, 'delistingDecide'),
  },
  'queues summary': {
    usage: 'repdesk queues summary [--json]',
    summary: 'Open nominations and delisting requests by age and assignee, and how many are overdue (yours first with --actor)',
    options: { json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'queuesSummary'),
  },
} satisfies Record<string, Command>;
