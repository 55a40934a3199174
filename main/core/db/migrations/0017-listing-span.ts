/**
 * 0017: a listing's span, so that a process that asks about one address (the command line)
 * finds the listings containing it with a few bounded index probes instead of loading every
 * range into memory (main/core/lookup/span-lookup.ts says why this is exact for nested and
 * overlapping ranges, where `first <= ? ORDER BY first DESC LIMIT k` is not).
 *
 * `span` is the number of hexadecimal digits, counted from the right, in which the range's first
 * and last address differ: the range lies inside one aligned block of 16^span addresses.
 * RepDesk writes the least such number; 32 (the whole space) is always true, and is the default
 * for a row some other tool inserts (found all the same, only by a longer scan).
 */
const hexFirst = 'hex(first)';
const hexLast = 'hex(last)';
/** The least span of a row, from its keys (hexadecimal digits compared from the left); for older rows and for the tests. */
export const SPAN_OF_ROW = `CASE WHEN first = last THEN 0 ${Array.from({ length: 32 }, (_, digit) => `WHEN substr(${hexFirst}, 1, ${digit + 1}) <> substr(${hexLast}, 1, ${digit + 1}) THEN ${32 - digit}`).join(' ')} ELSE 32 END`;

export const migration = {
  version: 17,
  name: 'listing-span',
  sql: `
ALTER TABLE listings ADD COLUMN span INTEGER NOT NULL DEFAULT 32;
UPDATE listings SET span = ${SPAN_OF_ROW};
CREATE INDEX listings_by_span ON listings (family, span, first, last);

DROP TRIGGER listings_range_is_fixed;
CREATE TRIGGER listings_range_is_fixed BEFORE UPDATE OF list, family, first, last, span ON listings
BEGIN
  SELECT RAISE(ABORT, 'a listing keeps its list and range; delist it and create a new one');
END;
`,
};
