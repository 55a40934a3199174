/**
 * One named logger per module. Lines go to stderr (stdout belongs to CLI output), as
 * `time level name: message`. REPDESK_LOG_LEVEL=debug|info|warn|error|silent sets the floor.
 */
const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
type Level = (typeof LEVELS)[number];

function floor(): number {
  const configured = (process.env.REPDESK_LOG_LEVEL ?? 'warn') as Level;
  const index = LEVELS.indexOf(configured);
  return index === -1 ? 2 : index;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger whose lines are prefixed with `name`. */
export function createLogger(name: string): Logger {
  const emit = (level: Level) => (message: string) => {
    if (LEVELS.indexOf(level) < floor()) return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${name}: ${message}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
