/**
 * Snapshots as files, with no database: the manifest and its minisign signature, key files,
 * writing files hashed and fsynced, the publisher's output folder (`<serial>/`, `current`),
 * verifying a snapshot folder and installing it on a DNS host. The one entry point for the
 * command line, the desktop shell, the audit and publishing (publish/ prepares, approves and
 * writes a snapshot from the database and imports this; nothing here imports publish/ or the
 * database).
 */
export { PUBLISH_STEPS, reachStep, type InstallStep, type PublishStep } from './crash-points.js';
export { HashedFile, fsyncFolder } from './files.js';
export { installSnapshot, type InstallResult } from './install.js';
export { readPublicKeyFiles, readSecretKeyFile, writeKeyPair } from './keys.js';
export { MANIFEST_FILE, SIGNATURE_FILE, installedManifest, parseManifest, type Manifest, type ManifestFile, type SignedCheckpoint, type TrustedKey } from './manifest.js';
export { MinisignError, encodePublicKey, formatKeyId, generateKeyPair, parsePublicKey, sign, verify, type MinisignKeyPair } from './minisign.js';
export { encodeSecretKey, parseSecretKey } from './minisign-secret-key.js';
export {
  currentSerial,
  incomingFolder,
  leftoversIn,
  manifestSha256,
  outputFolderError,
  pruneSnapshots,
  readCurrentManifest,
  removeLeftovers,
  switchCurrent,
} from './output-folder.js';
export { SnapshotError } from './read-files.js';
export { keySigner, signerKeyId, type Signer } from './signer.js';
export { checkSnapshotFiles, readSignedManifest, verifySnapshot, type SignedManifest, type VerifiedSnapshot } from './verify.js';
