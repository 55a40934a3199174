/** A listing's TXT reason: what may stand in a published DNS TXT answer, checked once for every way a listing is made or changed. */
import { invalidInput } from '../errors.js';

/**
 * The TXT reason ends up inside a DNS TXT answer of at most 255 bytes, together with the list,
 * the reason and the lookup URL (with the address in it): 120 bytes leaves room for all of it
 * (a '$' in it, like in the URL, becomes the queried address).
 */
export const MAX_TXT_BYTES = 120;

/**
 * Characters that change how text reads without being seen: bidirectional controls (a
 * "Trojan Source" U+202E turns the rest of a line around), line and paragraph separators (a
 * second line inside one TXT string) and zero-width characters.
 */
const HIDDEN_CHARACTERS = /[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;
const HIDDEN_CHARACTER_NAMES: Readonly<Record<number, string>> = {
  0x061c: 'ARABIC LETTER MARK (a bidirectional control)',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK (a bidirectional control)',
  0x200f: 'RIGHT-TO-LEFT MARK (a bidirectional control)',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING (a bidirectional control)',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING (a bidirectional control)',
  0x202c: 'POP DIRECTIONAL FORMATTING (a bidirectional control)',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE (a bidirectional control)',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE (a bidirectional control)',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE (a bidirectional control)',
  0x2067: 'RIGHT-TO-LEFT ISOLATE (a bidirectional control)',
  0x2068: 'FIRST STRONG ISOLATE (a bidirectional control)',
  0x2069: 'POP DIRECTIONAL ISOLATE (a bidirectional control)',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (byte order mark)',
};

/**
 * Check a TXT reason: one line of visible text that fits the answer. A '$' in it stands for the
 * queried address in the published answer (as in rbldnsd's data and the lookup URL).
 */
export function checkTxt(txt: string | undefined): string | null {
  if (txt === undefined || txt.trim() === '') return null;
  const text = txt.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) throw invalidInput('the TXT reason must be one line of printable text');
  const hidden = HIDDEN_CHARACTERS.exec(text);
  if (hidden) {
    const code = hidden[0].codePointAt(0) ?? 0;
    throw invalidInput(`the TXT reason cannot contain U+${code.toString(16).toUpperCase().padStart(4, '0')} ${HIDDEN_CHARACTER_NAMES[code] ?? 'an invisible formatting character'}: it would make the published text read otherwise than it is`);
  }
  // '$' is the queried address in the published answer; rbldnsd reads '$' before a digit, '$' or '=' as something else.
  const special = /\$[0-9$=]/.exec(text);
  if (special) throw invalidInput(`the TXT reason cannot contain ${JSON.stringify(special[0])}: '$' stands for the queried address in zone data`);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_TXT_BYTES) throw invalidInput(`the TXT reason is ${bytes} bytes; at most ${MAX_TXT_BYTES} fit in a DNS answer beside the list, reason and lookup URL`);
  return text;
}
