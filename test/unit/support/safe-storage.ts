/** A stand-in for Electron's safeStorage (the OS keychain): reversible, but nothing of the plain text survives in the bytes. */
import type { KeyVault } from '../../../main/electron/keys.js';

const MASK = 0x5a;

/** A vault in `folder` on Linux with a secret service (or, with `basic_text`, without one: storage in clear). */
export function fakeVault(folder: string, backend: 'gnome_libsecret' | 'basic_text' = 'gnome_libsecret'): KeyVault {
  return {
    folder,
    platform: 'linux',
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => backend,
      encryptString: (text: string) => Buffer.from(Buffer.from(text, 'utf8').map((byte) => byte ^ MASK)),
      decryptString: (encrypted: Buffer) => Buffer.from(encrypted.map((byte) => byte ^ MASK)).toString('utf8'),
    },
  };
}

/** What the fake wrote, read back (a test looks inside the file the way nobody else can). */
export function fakeDecrypt(encrypted: Buffer): string {
  return Buffer.from(encrypted.map((byte) => byte ^ MASK)).toString('utf8');
}
