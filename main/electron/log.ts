/**
 * The desktop app's log file, rotated by size: `main.log`, then `main.log.1` ... `main.log.<keep>`,
 * the oldest dropped. The core's loggers write to stderr; the shell copies that stream here, so
 * main/core stays free of Electron and of the desktop's file layout.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface RotatingLogOptions {
  /** The logs folder (Electron's `app.getPath('logs')`). */
  readonly folder: string;
  readonly name: string;
  readonly maxBytes: number;
  /** How many rotated files are kept besides the current one. */
  readonly keep: number;
}

export interface RotatingLog {
  /** The current file. */
  readonly path: string;
  write(text: string): void;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A log file that rotates before a write would take it past `maxBytes`. */
export function createRotatingLog(options: RotatingLogOptions): RotatingLog {
  mkdirSync(options.folder, { recursive: true });
  const path = join(options.folder, `${options.name}.log`);
  const rotated = (index: number) => `${path}.${index}`;
  let size = sizeOf(path);

  function rotate(): void {
    rmSync(rotated(options.keep), { force: true });
    for (let index = options.keep - 1; index >= 1; index -= 1) {
      if (sizeOf(rotated(index)) > 0) renameSync(rotated(index), rotated(index + 1));
    }
    if (options.keep >= 1) renameSync(path, rotated(1));
    else rmSync(path, { force: true });
    size = 0;
  }

  return {
    path,
    write(text: string) {
      const bytes = Buffer.byteLength(text);
      if (size > 0 && size + bytes > options.maxBytes) rotate();
      // The log must never take the app down: a full disk loses lines, not the session.
      try {
        appendFileSync(path, text, { mode: 0o600 });
        size += bytes;
      } catch {
        return;
      }
    },
  };
}

/** Copy everything written to a stream (the core's stderr loggers) into the log as well. */
export function copyStreamToLog(stream: NodeJS.WriteStream, log: RotatingLog): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    log.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

/** One named logger of the shell, writing `time level name: message` lines to the log. */
export function createShellLogger(log: RotatingLog, name: string): { info(message: string): void; warn(message: string): void; error(message: string): void } {
  const emit = (level: string) => (message: string) => log.write(`${new Date().toISOString()} ${level} ${name}: ${message}\n`);
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
