/**
 * The CSV reader splits quote-free lines itself and hands the rest of a file to csv-parse at the
 * first quote: both must give the records csv-parse alone gives, with the file's line numbers.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { readRecords, type InputRecord } from '../../../main/core/io/records.js';
import { mulberry32, pick, randomInt } from '../support/random.js';

const folder = mkdtempSync(join(tmpdir(), 'repdesk-records-'));
after(() => rmSync(folder, { recursive: true, force: true }));

async function read(name: string, text: string): Promise<InputRecord[]> {
  const path = join(folder, name);
  writeFileSync(path, text);
  const records: InputRecord[] = [];
  for await (const record of readRecords({ path, name, folder }, { maxBytes: 1 << 30, format: 'csv' })) records.push(record);
  return records;
}

/** What csv-parse alone makes of the text, with the reader's filters (blank and `#` records). */
function reference(text: string): string[][] {
  const rows = parse(text.replace(/\r\n/g, '\n'), { bom: true, relax_column_count: true, skip_empty_lines: true, comment: '#', comment_no_infix: true, trim: true }) as string[][];
  return rows.filter((fields) => !(fields.length === 1 && fields[0] === '') && !fields[0]?.startsWith('#'));
}

const PLAIN = ['11.0.0.1', '11.0.0.2, spam seen', '  11.0.0.3 ,  padded  ', '', '   ', '# a comment', '11.0.0.4,,x', '2001:db8::1,v6', '11.0.0.5,a#b'];
const QUOTED = ['"11.1.0.1","quoted, with comma"', '11.1.0.2,"two\nlines"', '# comment with a "quote"', '11.1.0.3,"say ""hi"""'];

test('quote-free files: the same records as csv-parse, each on its own line number', async () => {
  const random = mulberry32(77);
  for (let round = 0; round < 30; round += 1) {
    const lines = Array.from({ length: randomInt(random, 1, 60) }, () => pick(random, PLAIN));
    const text = (round % 3 === 0 ? '\ufeff' : '') + lines.join(round % 2 === 0 ? '\r\n' : '\n') + (round % 4 === 0 ? '' : '\n');
    const records = await read(`plain-${round}.csv`, text);
    assert.deepEqual(records.map((record) => record.fields), reference(text), JSON.stringify(text));
    for (const record of records) {
      const source = lines[record.line - 1].trim();
      assert.equal(record.fields.join(',').replace(/\s/g, ''), source.replace(/\s/g, ''), `line ${record.line}`);
    }
  }
});

test('a quote anywhere hands the rest to csv-parse: same records, line numbers of the file', async () => {
  const random = mulberry32(78);
  for (let round = 0; round < 30; round += 1) {
    const lines = Array.from({ length: randomInt(random, 1, 40) }, () => (random() < 0.2 ? pick(random, QUOTED) : pick(random, PLAIN)));
    const text = lines.join('\n') + '\n';
    const records = await read(`mixed-${round}.csv`, text);
    assert.deepEqual(records.map((record) => record.fields), reference(text), JSON.stringify(text));
    // Every record starts on the file line where its first field is.
    const fileLines = text.split('\n');
    for (const record of records) assert.ok(fileLines[record.line - 1].includes(record.fields[0].split('\n')[0]), `line ${record.line}: ${JSON.stringify(record.fields)}`);
  }
});

test('a handover in the second read chunk keeps counting lines from the first', async () => {
  const plain = Array.from({ length: 120_000 }, (_, index) => `11.2.${(index >> 8) & 255}.${index & 255},x`);
  const text = `${plain.join('\n')}\n"11.3.0.1","late ""quoted"" line"\n11.3.0.2,after\n`;
  const records = await read('late-quote.csv', text);
  assert.equal(records.length, 120_002);
  assert.deepEqual(records[120_000], { line: 120_001, fields: ['11.3.0.1', 'late "quoted" line'] });
  assert.deepEqual(records[120_001], { line: 120_002, fields: ['11.3.0.2', 'after'] });
});

test('a stray quote after plain lines is reported at its own line', async () => {
  await assert.rejects(read('stray.csv', '11.0.0.1\n11.0.0.2\nab"c,d\n'), /not valid CSV: .*line 3/);
});
