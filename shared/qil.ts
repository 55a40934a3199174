/** The dynamic list (QIL): what a trap-hit ingest did and a source's score over time. */

/** What a trap-hit ingest did. */
export interface QilIngestSummary {
  /** New observations stored; `repeated` were already stored (the same line ingested before). */
  readonly observations: number;
  readonly repeated: number;
  /** Distinct sources in the file, QIL listings created and listings whose expiry moved. */
  readonly sources: number;
  readonly created: number;
  readonly extended: number;
  /** Lines skipped with the reason (e.g. special-purpose space), with line numbers. */
  readonly notes: readonly string[];
  readonly notesOmitted: number;
}

/** A source's QIL score over time, its level L and the expiry of each level's listing. */
export interface QilScoreView {
  readonly ip: string;
  /** Trap hits stored for it, and its decayed score now. */
  readonly hits: number;
  readonly score: number;
  /** Why the sender counts as good (more tolerance at levels 1-3), or null. */
  readonly rating: 'GAL' | 'MML' | 'clean-history' | null;
  /** The least level at which it is listed now (null: not listed), that listing's expiry, and when the last level lapses. */
  readonly level: number | null;
  readonly expiresAt: string | null;
  readonly lapsesAt: string | null;
  readonly levels: ReadonlyArray<{ readonly level: number; readonly listed: boolean; readonly expiresAt: string | null; readonly listingId: number | null }>;
  /** The score after each hit, oldest first, and now (at most the latest 500 points). */
  readonly points: ReadonlyArray<{ readonly at: string; readonly score: number }>;
  /** The score each level lists at for this sender's rating (levels 1..4), and the decay half-life: what a chart draws. */
  readonly thresholds: readonly number[];
  readonly halfLifeHours: number;
}
