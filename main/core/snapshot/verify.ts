/**
 * The check a consumer runs on a snapshot folder: the manifest's signature against trusted keys,
 * then every file's size and SHA-256, nothing unlisted, and no symlink anywhere (read-files.ts).
 */
import { createHash } from 'node:crypto';
import { MANIFEST_FILE, SIGNATURE_FILE, parseManifest, type Manifest, type TrustedKey } from './manifest.js';
import { MinisignError, verify as verifySignature } from './minisign.js';
import { SnapshotError, checkNothingUnlisted, readChunks, readRegularFile, resolveSnapshotFolder } from './read-files.js';

const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
const SIGNATURE_MAX_BYTES = 4096;

export interface VerifiedSnapshot {
  readonly folder: string;
  readonly manifest: Manifest;
  readonly keyId: string;
  readonly trustedComment: string;
}

/** A manifest read once and checked against its signature: the bytes checked are the bytes kept. */
export interface SignedManifest {
  readonly manifest: Manifest;
  readonly manifestBytes: Buffer;
  readonly signatureText: string;
  readonly keyId: string;
  readonly trustedComment: string;
}

/** Read `manifest.json` and its signature from `folder` (a resolved snapshot folder) and check the signature by one of the trusted keys. */
export async function readSignedManifest(folder: string, trustedKeys: readonly TrustedKey[]): Promise<SignedManifest> {
  const read = async (name: string, maxBytes: number): Promise<Buffer> => {
    try {
      return await readRegularFile(folder, name, maxBytes);
    } catch (error) {
      if (error instanceof SnapshotError && error.message === `${name} is missing`) throw new SnapshotError(`${folder} has no ${name}`);
      throw error;
    }
  };
  const manifestBytes = await read(MANIFEST_FILE, MANIFEST_MAX_BYTES);
  const signatureText = (await read(SIGNATURE_FILE, SIGNATURE_MAX_BYTES)).toString('utf8');
  let signed: { keyId: string; trustedComment: string };
  try {
    signed = verifySignature(signatureText, manifestBytes, [...trustedKeys]);
  } catch (error) {
    if (error instanceof MinisignError) throw new SnapshotError(`${MANIFEST_FILE}: ${error.message}`);
    throw error;
  }
  const manifest = parseManifest(manifestBytes);
  if (manifest.keyId !== signed.keyId) throw new SnapshotError(`${MANIFEST_FILE} names key ${manifest.keyId} but was signed by ${signed.keyId}`);
  if (!signed.trustedComment.includes(`snapshot ${manifest.serial} `)) {
    throw new SnapshotError(`the signature's trusted comment (${signed.trustedComment}) is not for serial ${manifest.serial}`);
  }
  return { manifest, manifestBytes, signatureText, keyId: signed.keyId, trustedComment: signed.trustedComment };
}

/** Every file the manifest lists (listed order), then that nothing else is there. */
export async function checkSnapshotFiles(folder: string, manifest: Manifest): Promise<void> {
  for (const file of manifest.files) {
    const hash = createHash('sha256');
    const size = await readChunks(folder, file.path, (chunk) => hash.update(chunk));
    if (size !== file.size) throw new SnapshotError(`${file.path} is ${size} bytes, the manifest says ${file.size}`);
    if (hash.digest('hex') !== file.sha256) throw new SnapshotError(`${file.path} does not match its SHA-256 in the manifest (the file was changed)`);
  }
  checkNothingUnlisted(folder, new Set([MANIFEST_FILE, SIGNATURE_FILE, ...manifest.files.map((file) => file.path)]));
}

/**
 * Check a snapshot folder: the manifest's signature by one of the trusted keys, then every
 * listed file's size and SHA-256, and that nothing unlisted (and no symlink) sits beside them.
 */
export async function verifySnapshot(folder: string, trustedKeys: readonly TrustedKey[]): Promise<VerifiedSnapshot> {
  const root = resolveSnapshotFolder(folder);
  const signed = await readSignedManifest(root, trustedKeys);
  await checkSnapshotFiles(root, signed.manifest);
  return { folder, manifest: signed.manifest, keyId: signed.keyId, trustedComment: signed.trustedComment };
}
