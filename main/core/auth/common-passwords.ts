/**
 * The list of common passwords a new passphrase is checked against: zxcvbn-ts's common-language
 * password list (from leaked password sets, most frequent first), shipped with the app as the
 * pinned npm package @zxcvbn-ts/language-common. Loaded once, on the first check (not with the
 * core: decompressing its dictionaries costs every command that never sets a passphrase).
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

let passwords: ReadonlySet<string> | null = null;

/** Every password on the list, lowercase. */
export function commonPasswords(): ReadonlySet<string> {
  if (!passwords) {
    const commonLanguage = load('@zxcvbn-ts/language-common') as { dictionary: Record<string, readonly (string | number)[]> };
    const list = commonLanguage.dictionary['passwords-common'];
    passwords = new Set(list.map((entry) => String(entry).toLowerCase()));
  }
  return passwords;
}

/** Whether a (lowercased) passphrase is on the list. */
export function isCommonPassword(folded: string): boolean {
  return commonPasswords().has(folded);
}
