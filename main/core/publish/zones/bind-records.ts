/**
 * The records of master-format owner names, by answer set: each distinct content (its A values
 * and TXT texts) is formatted once, and every owner name with that content gets its lines
 * written from the bytes made then, with `$` in a TXT standing for the name's address or block.
 */
import type { ByteOutput } from './byte-output.js';
import { ZoneWriteError, canonicalA } from './checks.js';
import { TXT_STRING_BYTES, txtTemplate, writeTxtLine, type TxtTemplate } from './txt.js';
import type { ZoneAnswer } from './types.js';

/** The records of one answers array, for every owner name that gets them. */
export interface RecordSet {
  readonly aLines: string;
  readonly aBytes: Buffer;
  readonly templates: readonly TxtTemplate[];
  /**
   * The common shapes, where every TXT has one `$` that stays one character-string whatever it
   * stands for (an address or a block: at most LONGEST_SUBSTITUTION bytes) and no two lines can
   * come out the same: the records' bytes as the pieces between the `$`s, the text a `$` stands
   * for to be written between each two (no TXT: one piece, the A lines). Null for any other
   * shape (written by `writeRecordLines`).
   */
  readonly pieces: readonly Buffer[] | null;
}

/** The longest text a `$` stands for on a name: an IPv6 block, `<39 characters>/<3 digits> (range)`, with room to spare. */
const LONGEST_SUBSTITUTION = 64;

/**
 * Formatted records by content: `idOf(set)` is the number of answer set `set`'s content (equal
 * content, equal number: `answerKey`), found once per set index; `records[id]` its records,
 * made from the first set looked up with that content (which decides the order of the A lines).
 */
export function recordTable(answerSets: ReadonlyArray<readonly ZoneAnswer[]>): { idOf: (set: number) => number; records: readonly RecordSet[] } {
  const idOfSet = new Int32Array(answerSets.length).fill(-1);
  const records: RecordSet[] = [];
  const byKey = new Map<string, number>();
  // Before computing a key: sets of one answer by that answer, others by their answers'
  // identities (a combined zone may hold many sets of the same few answer objects).
  const bySingle = new Map<ZoneAnswer, number>();
  const answerIds = new Map<ZoneAnswer, number>();
  const byIds = new Map<string, number>();
  const byContent = (answers: readonly ZoneAnswer[]): number => {
    const key = answerKey(answers);
    let id = byKey.get(key);
    if (id === undefined) {
      id = records.length;
      records.push(recordSet(answers));
      byKey.set(key, id);
    }
    return id;
  };
  const idOf = (set: number): number => {
    const known = idOfSet[set];
    if (known !== -1) return known;
    const answers = answerSets[set];
    let id: number | undefined;
    if (answers.length === 1) {
      id = bySingle.get(answers[0]);
      if (id === undefined) bySingle.set(answers[0], (id = byContent(answers)));
    } else {
      let idKey = '';
      for (const answer of answers) {
        let answerId = answerIds.get(answer);
        if (answerId === undefined) {
          answerId = answerIds.size;
          answerIds.set(answer, answerId);
        }
        idKey += `${answerId},`;
      }
      id = byIds.get(idKey);
      if (id === undefined) byIds.set(idKey, (id = byContent(answers)));
    }
    idOfSet[set] = id;
    return id;
  };
  return { idOf, records };
}

/** Identity of an answer set: its distinct A values and non-empty TXT texts, in sorted order. */
export function answerKey(answers: readonly ZoneAnswer[]): string {
  const aValues = [...new Set(answers.map((answer) => answer.a))].sort();
  const texts = [...new Set(answers.map((answer) => answer.txt).filter((text) => text !== ''))].sort();
  return `${aValues.join(',')}\u0000${texts.join('\u0000')}`;
}

function recordSet(answers: readonly ZoneAnswer[]): RecordSet {
  const aValues = new Set<string>();
  const texts = new Set<string>();
  for (const answer of answers) {
    aValues.add(canonicalA(answer));
    if (typeof answer.txt !== 'string') throw new ZoneWriteError(`TXT of ${answer.a} is not text`);
    if (answer.txt !== '') texts.add(answer.txt);
  }
  let aLines = '';
  for (const a of aValues) aLines += `\tA\t${a}\n`;
  const aBytes = Buffer.from(aLines, 'latin1');
  const templates = [...texts].map(txtTemplate);
  return { aLines, aBytes, templates, pieces: substitutedPieces(aBytes, templates) };
}

/**
 * The pieces of `RecordSet.pieces`, or null. writeTxtLine writes a template with one `$` that
 * fits one string as lineParts[0], the text, lineParts[1]; writeRecordLines drops a line equal to
 * one before it, which two such lines can only be when one's text before the `$` begins the
 * other's (they have the same text in the middle, so they differ where the shorter first part
 * does otherwise): such sets take the general path.
 */
function substitutedPieces(aBytes: Buffer, templates: readonly TxtTemplate[]): Buffer[] | null {
  const isSimple = (template: TxtTemplate) => template.lineParts.length === 2 && template.partBytes + LONGEST_SUBSTITUTION <= TXT_STRING_BYTES;
  if (!templates.every(isSimple)) return null;
  for (let one = 0; one < templates.length; one += 1) {
    for (let other = one + 1; other < templates.length; other += 1) {
      const [a, b] = [templates[one].lineParts[0], templates[other].lineParts[0]];
      const shorter = Math.min(a.length, b.length);
      if (a.compare(b, 0, shorter, 0, shorter) === 0) return null;
    }
  }
  const pieces = [aBytes];
  for (const template of templates) {
    pieces[pieces.length - 1] = Buffer.concat([pieces[pieces.length - 1], template.lineParts[0]]);
    pieces.push(template.lineParts[1]);
  }
  return pieces;
}

/** The A and TXT lines of one owner name; a TXT line that comes out the same for two texts is written once. */
export function writeRecordLines(out: ByteOutput, records: RecordSet, substitution: ByteOutput): void {
  out.bytes(records.aBytes);
  const { templates } = records;
  if (templates.length === 1) {
    writeTxtLine(out, templates[0], substitution);
    return;
  }
  const written: number[] = [];
  for (const template of templates) {
    const start = out.length;
    writeTxtLine(out, template, substitution);
    const end = out.length;
    let isRepeat = false;
    for (let index = 0; index < written.length && !isRepeat; index += 2) {
      isRepeat = out.buffer.compare(out.buffer, written[index], written[index + 1], start, end) === 0;
    }
    if (isRepeat) out.length = start;
    else written.push(start, end);
  }
}
