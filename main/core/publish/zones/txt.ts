/**
 * TXT records as zone text. Master format (RFC 1035): quoted character-strings of at most 255
 * bytes, `"` and `\` escaped, bytes outside printable ASCII as \DDD. A TXT holding `$` (the
 * queried address) is a template split at `$`, its constant parts escaped once, so that a
 * million owner names cost no string each.
 */
import type { ByteOutput } from './byte-output.js';

/** The longest character-string of a TXT record (RFC 1035). */
export const TXT_STRING_BYTES = 255;

/** Whether `text` holds a C0 control character or DEL. */
export function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Bytes of `text` in UTF-8. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A master-format character-string: quoted, `"` and `\` escaped, bytes outside printable ASCII as \DDD. */
function quoteBytes(bytes: Uint8Array, start: number, end: number): string {
  let text = '"';
  let run = start;
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index];
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c) continue;
    if (index > run) text += Buffer.from(bytes.subarray(run, index)).toString('latin1');
    text += byte === 0x22 || byte === 0x5c ? `\\${String.fromCharCode(byte)}` : `\\${String(byte).padStart(3, '0')}`;
    run = index + 1;
  }
  if (end > run) text += Buffer.from(bytes.subarray(run, end)).toString('latin1');
  return `${text}"`;
}

/**
 * The RDATA of a TXT record for `text`: one quoted character-string, or several when the text
 * is over 255 bytes (split on byte boundaries; the strings concatenate back to the text).
 */
export function txtRdata(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= TXT_STRING_BYTES) return quoteBytes(bytes, 0, bytes.length);
  const strings: string[] = [];
  for (let start = 0; start < bytes.length; start += TXT_STRING_BYTES) {
    strings.push(quoteBytes(bytes, start, Math.min(bytes.length, start + TXT_STRING_BYTES)));
  }
  return strings.join(' ');
}

/** A TXT template split at `$`, with what can be computed once. */
export interface TxtTemplate {
  /** The whole record line when the text has no `$`. */
  readonly constant: string | null;
  readonly constantBytes: Buffer | null;
  readonly parts: readonly string[];
  /** The parts quoted and escaped, usable when the substituted text stays within one string. */
  readonly escapedParts: readonly string[];
  /** The line as bytes between the substitutions: `\tTXT\t"` + first part, the middle parts, last part + `"\n`. */
  readonly lineParts: readonly Buffer[];
  readonly partBytes: number;
}

export function txtTemplate(text: string): TxtTemplate {
  const parts = text.split('$');
  const escapedParts = parts.map((part) => {
    const quoted = quoteBytes(Buffer.from(part, 'utf8'), 0, utf8Length(part));
    return quoted.slice(1, -1);
  });
  const constant = parts.length === 1 ? `\tTXT\t${txtRdata(text)}\n` : null;
  return {
    constant,
    // Quoted and escaped master-format text is ASCII.
    constantBytes: constant === null ? null : Buffer.from(constant, 'latin1'),
    parts,
    escapedParts,
    lineParts: escapedParts.map((part, index) =>
      Buffer.from(`${index === 0 ? '\tTXT\t"' : ''}${part}${index === escapedParts.length - 1 ? '"\n' : ''}`, 'latin1'),
    ),
    partBytes: parts.reduce((sum, part) => sum + utf8Length(part), 0),
  };
}

/**
 * One TXT record line with `substitution` (in `substitution.buffer`, ASCII without quotes or
 * backslashes: an address or CIDR text, so it needs no escaping) in place of every `$`.
 */
export function writeTxtLine(out: ByteOutput, template: TxtTemplate, substitution: ByteOutput): void {
  if (template.constantBytes !== null) {
    out.bytes(template.constantBytes);
    return;
  }
  const substitutions = template.parts.length - 1;
  if (template.partBytes + substitutions * substitution.length <= TXT_STRING_BYTES) {
    const lineParts = template.lineParts;
    out.bytes(lineParts[0]);
    for (let index = 1; index < lineParts.length; index += 1) {
      out.bytes(substitution.buffer, 0, substitution.length);
      out.bytes(lineParts[index]);
    }
    return;
  }
  out.text(`\tTXT\t${txtRdata(template.parts.join(substitution.buffer.toString('latin1', 0, substitution.length)))}\n`);
}
