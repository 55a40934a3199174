/** How the views print times, sizes, counts and durations: one place, so every screen agrees. */

/** `2026-11-28 16:23 UTC`: the team works across time zones, so times are shown in UTC. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
}

const NUMBER_FORMAT = new Intl.NumberFormat('en-US');

/** A count with thousands separators: `1,234,567`. */
export function formatCount(count: number): string {
  return NUMBER_FORMAT.format(count);
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** A size in bytes, in the largest unit that keeps it at or above 1 (powers of 1024). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 10 ? 0 : 1)} ${BYTE_UNITS[unit]}`;
}

/** A duration in seconds as `45 s`, `3 min 20 s` or `2 h 5 min`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}

/** A rate per second, with one decimal below 10. */
export function formatRate(perSecond: number, unit: string): string {
  return `${perSecond < 10 ? perSecond.toFixed(1) : formatCount(Math.round(perSecond))} ${unit}/s`;
}

/** Whether an ISO time lies before `now`. */
export function isPast(iso: string, now: Date = new Date()): boolean {
  const time = new Date(iso).getTime();
  return !Number.isNaN(time) && time < now.getTime();
}

/**
 * The end of a validity ("until"). A bare day the person entered is stored as the first second
 * of the next day (the day runs to its end, UTC): shown as that day, `2027-12-31, end of day UTC`,
 * never as the next day's midnight.
 */
export function formatUntil(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (date.getUTCHours() === 0 && date.getUTCMinutes() === 0 && date.getUTCSeconds() === 0 && date.getUTCMilliseconds() === 0) {
    return `${new Date(date.getTime() - 86_400_000).toISOString().slice(0, 10)}, end of day UTC`;
  }
  return formatTime(iso);
}
