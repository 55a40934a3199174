/**
 * `repdesk samples ...` and `repdesk threads ...`: spam samples and correspondence.
 * The table's part: what `--help` shows and the parser accepts; `run/evidence.ts` runs them.
 */
import { REPLY_TEMPLATES, THREAD_OUTCOMES } from '../../shared/vocabulary.js';
import { lazily, type Command } from './command.js';

const load = () => import('./run/evidence.js');

export const EVIDENCE_COMMANDS = {
  'samples import': {
    usage: 'repdesk samples import FILE... [--listing ID] [--import-valid] [--json]',
    summary:
      'Import spam samples from .eml and mbox files: each message is stored once (by SHA-256) with its source address from the Received chain, and linked to --listing, or else to the active listings covering its source. A batch with a refused message stores nothing unless --import-valid. --json gives per message: file, outcome, sha256, sourceIp, linkedListings (investigator)',
    options: { listing: { type: 'string' }, 'import-valid': { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [1, 1000],
    run: lazily(load, 'samplesImport'),
  },
  'samples list': {
    usage: 'repdesk samples list --listing ID [--json]',
    summary: 'The spam samples linked to a listing, newest first, with count, first and last seen',
    options: { listing: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'samplesList'),
  },
  'samples show': {
    usage: 'repdesk samples show ID [--json]',
    summary: 'One sample: headers, the Received chain hop by hop with the chosen source hop, links, and the listings it is or could be linked to',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'samplesShow'),
  },
  'samples raw': {
    usage: 'repdesk samples raw ID [--out FILE] [--force]',
    summary: 'Write the original message (.eml) to FILE (default sample-ID-HASH.eml; --force overwrites)',
    options: { out: { type: 'string' }, force: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'samplesRaw'),
  },
  'samples link': {
    usage: 'repdesk samples link ID --listing LISTING [--json]',
    summary: 'Link a stored sample to a listing (investigator)',
    options: { listing: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'samplesLink'),
  },
  'samples list-source': {
    usage: 'repdesk samples list-source ID [--reason R] [--txt T] [--why TEXT] [--json]',
    summary: "Create an RBL listing for a sample's source address and link the sample to it (investigator)",
    options: { reason: { type: 'string' }, txt: { type: 'string' }, why: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'samplesListSource'),
  },
  'threads list': {
    usage: 'repdesk threads list --listing ID | --isp NAME [--json]',
    summary: 'The correspondence threads of a listing or an ISP',
    options: { listing: { type: 'string' }, isp: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'threadsList'),
  },
  'threads show': {
    usage: 'repdesk threads show THREAD [--json]',
    summary: 'A thread with its messages and notes',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'threadsShow'),
  },
  'threads create': {
    usage: 'repdesk threads create --listing ID | --isp NAME --subject TEXT [--json]',
    summary: 'Open a correspondence thread on a listing (investigator) or an ISP (liaison)',
    options: { listing: { type: 'string' }, isp: { type: 'string' }, subject: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    run: lazily(load, 'threadsCreate'),
  },
  'threads import': {
    usage: 'repdesk threads import THREAD FILE... [--outbound] [--import-valid] [--json]',
    summary: 'Add mail (.eml or mbox) to a thread as inbound messages (--outbound: as sent by us); a refused message stores nothing unless --import-valid',
    options: { outbound: { type: 'boolean' }, 'import-valid': { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [2, 101],
    run: lazily(load, 'threadsImport'),
  },
  'threads note': {
    usage: 'repdesk threads note THREAD TEXT [--json]',
    summary: 'Write an internal note into a thread',
    options: { json: { type: 'boolean' } },
    positionals: [2, 2],
    run: lazily(load, 'threadsNote'),
  },
  'threads draft': {
    usage: `repdesk threads draft THREAD --template T [--save] [--to ADDRESS] [--json]`,
    summary: `Draft a reply from a template (${REPLY_TEMPLATES.join(', ')}) with the record's facts filled in; print it, or with --save store it in the thread as an outbound message (export it with threads export)`,
    options: { template: { type: 'string' }, save: { type: 'boolean' }, to: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'threadsDraft'),
  },
  'threads export': {
    usage: 'repdesk threads export MESSAGE [--out FILE] [--force]',
    summary: 'Write a thread message (inbound or outbound mail) as an .eml file',
    options: { out: { type: 'string' }, force: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'threadsExport'),
  },
  'threads send': {
    usage: 'repdesk threads send MESSAGE [--json]',
    summary: 'Send a saved reply through the mail relay of setting evidence.smtp (the exact bytes threads export writes); the relay\'s answer goes into the history',
    options: { json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'threadsSend'),
  },
  'threads resolve': {
    usage: `repdesk threads resolve THREAD --outcome O [--why TEXT] [--json]`,
    summary: `Mark a thread resolved with its outcome (${THREAD_OUTCOMES.join(', ')}); the listing's or ISP's history records it`,
    options: { outcome: { type: 'string' }, why: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
    run: lazily(load, 'threadsResolve'),
  },
} satisfies Record<string, Command>;
