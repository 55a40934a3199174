/** What checking the history's hash chain and its anchors found. */

export interface AuditReport {
  readonly ok: boolean;
  readonly events: number;
  /** The first event whose stored hash or link does not match, and why. */
  readonly firstBroken: { readonly id: number; readonly problem: string } | null;
  /**
   * Events recorded outside the history that the chain was checked to still hold: signed
   * checkpoints (the checkpoint file's newest, each snapshot's), the last event of older
   * snapshots' manifests. `signedAt`: when the checkpoint was signed.
   */
  readonly anchors: ReadonlyArray<{ readonly source: string; readonly event: number; readonly signedAt?: string }>;
  /** Anchors that should be there and are missing, unreadable or not trusted: with any, `ok` is false. */
  readonly problems: readonly string[];
}
