/**
 * Signing a snapshot's manifest is one step with one input, the manifest's bytes, and one
 * output, the minisign signature file's text. Here the key is in this process (CLI key file,
 * desktop safeStorage); in team mode the publisher's own computer will sign and the server
 * will only check the result, which is why the publish verifies the signature it is handed
 * before anything is switched.
 */
import type { KeyObject } from 'node:crypto';
import { formatKeyId, sign, type MinisignKeyPair } from './minisign.js';

export interface Signer {
  /** The minisign key id (8 bytes) the manifest names. */
  readonly keyId: Buffer;
  /** The public key the signature must verify with. */
  readonly publicKey: KeyObject;
  /** The text of `manifest.json.minisig` for these manifest bytes. */
  sign(manifest: Buffer, trustedComment: string, untrustedComment: string): Promise<string>;
}

/** A signer holding the key pair in this process. */
export function keySigner(pair: MinisignKeyPair): Signer {
  return {
    // A key pair handed to a worker thread arrives with its key id as a plain Uint8Array.
    keyId: Buffer.from(pair.keyId),
    publicKey: pair.publicKey,
    sign: (manifest, trustedComment, untrustedComment) => Promise.resolve(sign(pair, manifest, trustedComment, untrustedComment)),
  };
}

/** The key id as minisign prints it. */
export function signerKeyId(signer: Signer): string {
  return formatKeyId(signer.keyId);
}
