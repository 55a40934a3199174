/**
 * How mail to people outside the team words what RepDesk knows: dates and times in words with
 * their time zone (the reader's, setting evidence.replyTimeZone), never machine timestamps; a
 * listing's TXT with its `$` (the queried address, for mail servers) replaced by the address the
 * mail is about; a list by its name.
 */
import { parseRange, formatAddress } from '../../../shared/address.js';

/** Formatters per time zone: making one costs about a millisecond, using one a microsecond. */
const FORMATTERS = new Map<string, { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

function formattersFor(timeZone: string): { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat } {
  let formatters = FORMATTERS.get(timeZone);
  if (!formatters) {
    formatters = {
      day: new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
      time: new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }),
    };
    FORMATTERS.set(timeZone, formatters);
  }
  return formatters;
}

/** `Monday 21 December 2026, 00:00 UTC`; with `isDateOnly`, `Monday 21 December 2026`. */
export function dateInWords(iso: string, timeZone: string, isDateOnly = false): string {
  const date = new Date(iso);
  const { day: dayFormat, time: timeFormat } = formattersFor(timeZone);
  const day = dayFormat.format(date).replace(/,/g, '');
  if (isDateOnly) return day;
  const parts = timeFormat.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((item) => item.type === type)?.value ?? '';
  return `${day}, ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** A TXT as a reader sees it: `$` stands for the queried address, so it becomes the range the mail is about. */
export function txtInWords(txt: string, range: string): string {
  const parsed = parseRange(range);
  const address = parsed.ok && parsed.value.first === parsed.value.last ? formatAddress(parsed.value.family, parsed.value.first) : range;
  return txt.replace(/\$/g, address);
}

/** "1 spam sample" / "3 spam samples". */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? noun : plural}`;
}
