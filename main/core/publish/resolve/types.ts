/** What resolving the listings in force makes: each zone's segments, the ids in force, the GAL conflicts. */
import type { ListName } from '../../../../shared/domain.js';
import type { Ipv4SegmentColumns, Ipv6SegmentColumns } from '../zones/types.js';

/** One zone's content: the segments per family. */
export interface ResolvedZone {
  readonly name: ListName | 'combined';
  readonly segments: { readonly 4: Ipv4SegmentColumns; readonly 6: Ipv6SegmentColumns };
}

/** A blocklist range a GAL entry overrides (reported, never silently published). */
export interface GalConflict {
  readonly list: ListName;
  readonly range: string;
  readonly galRange: string;
}

export interface Resolution {
  /** The listing ids in force per list, ascending (the basis of the diff between snapshots). */
  readonly inForce: Record<ListName, number[]>;
  /** Every list's zone, and the combined zone when asked for (else `combinedZone` makes it). */
  readonly zones: ResolvedZone[];
  readonly galConflicts: GalConflict[];
  readonly galConflictCount: number;
}
