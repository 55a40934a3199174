/**
 * Progress of long work on the terminal's error stream (standard output stays the command's
 * result): `stage: done / total (percent), rate/s, N s left`, a line at most every second (and
 * when the stage changes), so a log of it stays short.
 */

/** How often a progress line is printed while nothing but the numbers change. */
const EVERY_MS = 1000;

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export class ProgressLine {
  private lastAt = 0;
  private lastStage = '';
  private started = Date.now();

  constructor(private readonly write: (line: string) => void) {}

  /** Show how far `stage` got; rate and time left from the server when it knows them, else from what was seen here. */
  show(stage: string, done: number, total: number, count: (value: number) => string, rate: number | null = null, etaSeconds: number | null = null): void {
    const now = Date.now();
    if (stage !== this.lastStage) this.started = now;
    else if (now - this.lastAt < EVERY_MS) return;
    this.lastAt = now;
    this.lastStage = stage;
    const elapsed = (now - this.started) / 1000;
    const speed = rate ?? (elapsed > 0.5 && done > 0 ? done / elapsed : null);
    const left = etaSeconds ?? (speed && speed > 0 && total > done ? (total - done) / speed : null);
    if (total === 0 && done === 0) {
      this.write(`${stage}...`);
      return;
    }
    const parts = [total > 0 ? `${count(done)} / ${count(total)} (${Math.floor((done / total) * 100)}%)` : count(done)];
    if (speed !== null) parts.push(`${count(Math.round(speed))}/s`);
    if (left !== null) parts.push(`${duration(left)} left`);
    this.write(`${stage}: ${parts.join(', ')}`);
  }

  /** A line that stays (a step finished). */
  done(line: string): void {
    this.clear();
    this.write(line);
  }

  /** A notice (a retry). */
  note(line: string): void {
    this.write(line);
  }

  /** Forget the current stage (the next `show` prints at once). */
  clear(): void {
    this.lastStage = '';
    this.lastAt = 0;
  }
}
