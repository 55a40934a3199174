/**
 * `listings.check`: what adding a listing would do, computed without writing. The same parsing
 * and checks as the add (one parser, one TXT rule, one QIL default), the same answer text as
 * publishing, and the warnings a person should see before saving.
 */
import { formatAddress, formatCidr, formatRange, parseRange, rangeSize, rangeToCidrs } from '../../../shared/address.js';
import type { ListingCheck, ListingWarning } from '../../../shared/listing-check.js';
import type { Settings } from '../../../shared/settings.js';
import { specialSpaceProblem } from '../../../shared/special-ranges.js';
import type { ReadDb } from '../db/connection.js';
import { AppError, invalidInput } from '../errors.js';
import { checkReason, findListing, qilTerms, type NewListing } from '../listings/listings.js';
import { checkTxt } from '../listings/txt.js';
import { InForceAt } from '../rule/in-force.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { answerText, returnCode } from '../rule/answers.js';
import { listingsOverlapping } from './record.js';

const MAX_CIDRS_SHOWN = 64;
const MAX_OVERLAPS_SHOWN = 200;

/** The message of a check that refuses, or null when it passes. */
function problemOf(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof AppError) return error.message;
    throw error;
  }
}

export function checkNewListing(db: ReadDb, index: ListingIndex, input: NewListing, settings: Settings, now: Date): ListingCheck {
  const parsed = parseRange(input.range);
  if (!parsed.ok) throw invalidInput(parsed.error);
  const range = parsed.value;
  const problems: string[] = [];
  const note = (message: string | null) => message !== null && problems.push(message);
  // Special-purpose space is refused by the add itself (the same message).
  note(specialSpaceProblem(range));
  note(problemOf(() => checkReason(input.list, input.reason)));
  let txt: string | null = null;
  note(problemOf(() => (txt = checkTxt(input.txt))));
  let terms: { level: number | null; expiresAt: string | null } = { level: null, expiresAt: null };
  note(problemOf(() => (terms = qilTerms(input, settings, now))));

  const warnings: ListingWarning[] = [];
  const { listings: overlapping, isTruncated } = listingsOverlapping(db, index, range, null, MAX_OVERLAPS_SHOWN);
  // Overlaps worth a word: listings in force by the one rule, or out of it for now only (removed
  // until a date, or a DUL range taking effect later); not expired or delisted ones.
  const rule = new InForceAt(db, now);
  const inForce = overlapping.filter((other) => {
    const row = findListing(db, other.id);
    const standing = row ? rule.standing(row) : null;
    return standing === 'active' || standing === 'suppressed' || standing === 'pending';
  });
  const brief = (others: typeof overlapping) => others.map(({ id, list, range: text, status }) => ({ id, list, range: text, status }));
  const duplicate = inForce.filter((other) => other.relation === 'same' && other.list === input.list && other.status === 'active');
  if (duplicate.length > 0) {
    warnings.push({ kind: 'duplicate', message: `${formatRange(range)} is already listed on ${input.list} as #${duplicate[0].id}: saving is refused`, listings: brief(duplicate) });
  }
  const gal = inForce.filter((other) => other.list === 'GAL');
  if (gal.length > 0 && input.list !== 'GAL') {
    warnings.push({ kind: 'gal', message: `${gal.length} GAL entr${gal.length === 1 ? 'y overlaps' : 'ies overlap'} this range: GAL wins, so their addresses stay unlisted`, listings: brief(gal) });
  }
  const others = inForce.filter((other) => !duplicate.includes(other) && !gal.includes(other));
  if (others.length > 0) {
    warnings.push({
      kind: 'overlap',
      message: `overlaps ${others.length}${isTruncated ? '+' : ''} listing${others.length === 1 ? '' : 's'} in force`,
      listings: brief(others),
    });
  }
  const widest = range.family === 4 ? settings.publish.widestPrefixV4 : settings.publish.widestPrefixV6;
  const cidrs = rangeToCidrs(range);
  const tooWide = cidrs.filter((cidr) => cidr.prefix < widest);
  if (tooWide.length > 0) {
    warnings.push({
      kind: 'too-wide',
      message: `${formatCidr(tooWide[0])} is wider than the publish limit /${widest} (setting publish.widestPrefixV${range.family}): the safety check refuses to publish it`,
      listings: [],
    });
  }

  const queriedAddress = formatAddress(range.family, range.first);
  return {
    range: formatRange(range),
    family: range.family,
    cidrs: cidrs.slice(0, MAX_CIDRS_SHOWN).map(formatCidr),
    cidrsOmitted: Math.max(0, cidrs.length - MAX_CIDRS_SHOWN),
    addressCount: rangeSize(range).toString(),
    notes: range.notes,
    answer: { a: returnCode(settings, input.list, terms.level), txt: answerText(settings, { list: input.list, reason: input.reason, txt }).split('$').join(queriedAddress), queriedAddress },
    level: terms.level,
    expiresAt: terms.expiresAt,
    problems,
    warnings,
  };
}
