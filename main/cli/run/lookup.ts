/**
 * `repdesk lookup`: one address or thousands (arguments, `--file FILE`, standard input), all
 * answered by one core in this process, so the address index is loaded once. The table's entries are in
 * `../lookup-commands.ts`.
 */
import { dirname, resolve } from 'node:path';
import { addressEntries, MAX_BULK_LOOKUP, type AddressEntry, type BulkLookupAnswer } from '../../../shared/lookup.js';
import { readRecordBatches } from '../../core/io/records.js';
import { call, CommandError, UsageError, type CommandContext } from '../command.js';
import { formatLookup } from '../format.js';

/** Lines of answers printed in one write. */
const PRINTED_PER_WRITE = 256;

/** Standard input is read whole: a list of addresses, not a data file; past this it is refused. */
const MAX_STDIN_BYTES = 64 * 1024 * 1024;

async function standardInputText(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STDIN_BYTES) throw new CommandError(`standard input is over ${MAX_STDIN_BYTES / 1024 / 1024} MiB: give a list of addresses, or use --file FILE`);
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.includes(0)) throw new CommandError('standard input is binary (it holds a NUL byte), not a list of addresses');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CommandError('standard input is not UTF-8 text');
  }
}

/** The addresses to look up, with where each came from (`argument 2`, `line 7`) for messages. */
async function lookupEntries(context: CommandContext): Promise<Array<AddressEntry & { where: string }>> {
  const file = context.values.file;
  const entries: Array<AddressEntry & { where: string }> = context.positionals.map((text, index) => ({ line: index + 1, text, where: `argument ${index + 1}` }));
  if (typeof file === 'string') {
    // The one reader of user files: missing, oversized, binary and non-UTF-8 files are refused by name.
    const path = resolve(file);
    for await (const batch of readRecordBatches({ path, name: file, folder: dirname(path) }, { maxBytes: MAX_STDIN_BYTES, format: 'text' })) {
      for (const record of batch) for (const entry of addressEntries(record.fields[0])) entries.push({ line: record.line, text: entry.text, where: `line ${record.line}` });
    }
    if (entries.length === 0) throw new CommandError(`${file} holds no addresses (only blank or comment lines)`);
  } else if (entries.length === 0) {
    if (process.stdin.isTTY) throw new UsageError('missing argument: give addresses, --file FILE, or a list on standard input');
    for (const entry of addressEntries(await standardInputText())) entries.push({ ...entry, where: `line ${entry.line}` });
    if (entries.length === 0) throw new UsageError('missing argument: no addresses as arguments, in --file or on standard input');
  }
  return entries;
}
/** `repdesk lookup` */
export async function lookup(context: CommandContext): Promise<void> {
  const entries = await lookupEntries(context);
  const problems: string[] = [];
  // Printed a few hundred lines a write: not a system call an address, and no call's worth of text held at once.
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) context.out(lines.join('\n'));
    lines = [];
  };
  const print = (answer: BulkLookupAnswer, where: string) => {
    if (context.values.json) lines.push(JSON.stringify(answer.result ?? { input: answer.input, error: answer.error }));
    else if (answer.result) lines.push(formatLookup(answer.result));
    if (answer.error !== null) problems.push(entries.length === 1 ? answer.error : `${where}: ${answer.error}`);
    if (lines.length === PRINTED_PER_WRITE) flush();
  };
  for (let start = 0; start < entries.length; start += MAX_BULK_LOOKUP) {
    const chunk = entries.slice(start, start + MAX_BULK_LOOKUP);
    const { answers } = await call(context, 'lookup.bulk', { ips: chunk.map((entry) => entry.text) });
    answers.forEach((answer, offset) => print(answer, chunk[offset].where));
  }
  flush();
  if (problems.length === 1 && entries.length === 1) throw new CommandError(problems[0]);
  if (problems.length > 0) {
    throw new CommandError(`${problems.length} of ${entries.length} entries are not addresses (the others were answered)`, problems.slice(0, 50).concat(problems.length > 50 ? [`... and ${problems.length - 50} more`] : []));
  }
}

