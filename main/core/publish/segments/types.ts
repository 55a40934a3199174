/** The shapes interval arithmetic works on (IPv6, and anything with bigint bounds). */

/** An input interval with a payload; also the shape of output segments. first <= last, values within the family's range. */
export interface Interval<T> {
  first: bigint;
  last: bigint;
  value: T;
}

/** An inclusive range without a payload: a hole to cut out, or a range to intersect with. */
export interface Bounds {
  first: bigint;
  last: bigint;
}

/** A piece of a segment that lies inside one of the ranges given to `intersect`. */
export interface Intersection<R> extends Interval<R> {
  rangeIndex: number;
}
