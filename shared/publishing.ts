/**
 * What publishing reports, shared by the core, the CLI and the Publish screen.
 */
import type { ListName } from './domain.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'needs-approval';

/** One named safety check and what it found. */
export interface SafetyCheck {
  readonly name: 'test-points' | 'no-whole-space' | 'special-space' | 'gal-conflicts' | 'change-size';
  readonly status: CheckStatus;
  readonly message: string;
  /** Up to a few dozen offending items. */
  readonly items: readonly string[];
}

/** Per list: listings added and removed since the previous snapshot, and the total in force. */
export type ChangeCounts = Record<ListName, { added: number; removed: number; total: number }>;

/** One file of a snapshot, as its manifest lists it. */
export interface ManifestFile {
  readonly path: string;
  readonly format: 'rbldnsd' | 'bind';
  /** rbldnsd dataset type; null for BIND master files. */
  readonly dataset: 'ip4trie' | 'ip6trie' | null;
  readonly zone: ListName | 'combined';
  readonly origin: string;
  readonly family: 4 | 6;
  readonly sha256: string;
  readonly size: number;
  readonly entries: number;
}

/** The outcome of a publish attempt. */
export interface PublishResult {
  readonly published: boolean;
  readonly serial: number | null;
  readonly path: string | null;
  readonly zone: string;
  readonly listingsInForce: Record<ListName, number>;
  readonly changes: ChangeCounts | null;
  readonly safety: readonly SafetyCheck[];
  readonly files: readonly ManifestFile[];
  readonly needsApproval: boolean;
  readonly preparedBy: string;
  readonly approvedBy: string | null;
  readonly keyId: string;
}

/**
 * A snapshot the server prepared for its publisher to sign on their own computer (team mode:
 * the server holds no signing key). `prepared` false: a safety check failed or a second
 * publisher's approval is missing, as a publish reports it, and nothing was written.
 */
export interface PreparedPublish extends Omit<PublishResult, 'published' | 'path'> {
  readonly prepared: boolean;
  /** The last live snapshot the change is counted against (null: the first one). */
  readonly previousSerial: number | null;
  /** The manifest's exact bytes (base64): what the publisher signs, in minisign's prehashed form. */
  readonly manifest: string | null;
  readonly manifestSha256: string | null;
  /** The signature's trusted comment must be exactly this (it names the serial, zone and expiry). */
  readonly trustedComment: string | null;
  readonly untrustedComment: string | null;
  /** Unless committed by then, the prepared snapshot is rolled back (setting publish.signWithinSeconds). */
  readonly signBefore: string | null;
}

/** A published snapshot as the history of snapshots shows it. */
export interface SnapshotView {
  readonly serial: number;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly zone: string;
  readonly path: string;
  readonly keyId: string;
  readonly preparedBy: string;
  readonly approvedBy: string | null;
  readonly listingsInForce: Record<ListName, number>;
  readonly changes: ChangeCounts | null;
}

/** What the next publish would do, before anything is signed or written. */
export interface PublishPreview {
  readonly zone: string;
  readonly listingsInForce: Record<ListName, number>;
  readonly changes: ChangeCounts | null;
  readonly safety: readonly SafetyCheck[];
  readonly lastSerial: number | null;
}

/** A large change waiting for (or given) a second publisher's approval. */
export interface PendingApproval {
  readonly id: number;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  /** Per list added/removed counts (or the totals of a first snapshot). */
  readonly summary: Readonly<Record<string, unknown>>;
}
