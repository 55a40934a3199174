/**
 * Following a team server's change notices: `GET /api/events` (Server-Sent Events) with the
 * session's token, read as it arrives, and opened again after a break (a server restart, a lost
 * network) with growing pauses. A stream silent for three of the server's 20-second pings is
 * taken as dead and opened again. A refusal (the session ended) stops following: signing in
 * again is the person's decision.
 */
import type { ApiError } from '../../shared/result.js';
import { EVENTS_PATH } from '../../shared/remote.js';
import { resultOfAnswer } from './remote-client.js';
import { ServerUnreachable, describeConnectionError, type ServerWire } from './transport.js';

/** One event of the stream. */
export interface StreamEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * An incremental reader of `text/event-stream` (the WHATWG rules that matter here): lines end
 * with LF, CRLF or CR; `event:` and `data:` fields (several data lines joined with LF); lines
 * starting with `:` are comments (the server's pings); a blank line ends an event.
 */
export class EventStreamParser {
  private buffer = '';
  private eventName = '';
  private dataLines: string[] = [];

  push(text: string): StreamEvent[] {
    this.buffer += text;
    const events: StreamEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone CR at the end may be the first half of CRLF: wait for the next chunk.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (this.dataLines.length > 0) events.push({ event: this.eventName || 'message', data: this.dataLines.join('\n') });
        this.eventName = '';
        this.dataLines = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.eventName = value;
      else if (field === 'data') this.dataLines.push(value);
    }
    return events;
  }
}

/** Where following the stream stands, for whoever shows it. */
export type EventStreamState =
  | { readonly kind: 'open' }
  /** Broken or not reachable; opened again after `retryInMs`. */
  | { readonly kind: 'broken'; readonly reason: string; readonly retryInMs: number }
  /** The server refused the stream (no session, or it ended): not tried again. */
  | { readonly kind: 'refused'; readonly error: ApiError };

export interface EventFollowerOptions {
  readonly wire: ServerWire;
  /** The headers of each attempt (the current token). */
  readonly headers: () => Record<string, string>;
  readonly onEvent: (event: StreamEvent) => void;
  readonly onState: (state: EventStreamState) => void;
  /** The pauses before each new attempt after a break; the last repeats. */
  readonly retryDelaysMs?: readonly number[];
  /** Silence after which the stream is taken as dead (default 60 s: three missed pings). */
  readonly silenceMs?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** Follow the stream until `stop()`. */
export function followEvents(options: EventFollowerOptions): { stop(): void } {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const silenceMs = options.silenceMs ?? 60_000;
  let isStopped = false;
  let failures = 0;
  let controller: AbortController | null = null;
  let retryTimer: NodeJS.Timeout | null = null;

  const broken = (reason: string) => {
    if (isStopped) return;
    const retryInMs = delays[Math.min(failures, delays.length - 1)];
    failures += 1;
    options.onState({ kind: 'broken', reason, retryInMs });
    retryTimer = setTimeout(() => void attempt(), retryInMs);
  };

  const attempt = async () => {
    retryTimer = null;
    if (isStopped) return;
    controller = new AbortController();
    const signal = controller.signal;
    let silence: NodeJS.Timeout | null = null;
    try {
      const response = await options.wire.open({ method: 'GET', path: EVENTS_PATH, headers: { Accept: 'text/event-stream', ...options.headers() }, signal });
      if (response.statusCode !== 200 || !String(response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        const chunks: Buffer[] = [];
        for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
        const result = resultOfAnswer(options.wire.origin, 'the change notices', { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        if (!result.ok && (result.error.code === 'unauthenticated' || result.error.code === 'forbidden')) {
          isStopped = true;
          options.onState({ kind: 'refused', error: result.error });
          return;
        }
        broken(result.ok ? `${EVENTS_PATH} answered ${response.statusCode}, not an event stream` : result.error.message);
        return;
      }
      failures = 0;
      options.onState({ kind: 'open' });
      const parser = new EventStreamParser();
      response.setEncoding('utf8');
      const resetSilence = () => {
        if (silence) clearTimeout(silence);
        silence = setTimeout(() => response.destroy(new Error(`nothing heard for ${Math.round(silenceMs / 1000)} s`)), silenceMs);
      };
      resetSilence();
      for await (const text of response as AsyncIterable<string>) {
        resetSilence();
        for (const event of parser.push(text)) options.onEvent(event);
      }
      broken('it closed the connection (stopped or restarting?)');
    } catch (error) {
      if (signal.aborted) return;
      broken(error instanceof ServerUnreachable ? error.reason : describeConnectionError(error).reason);
    } finally {
      if (silence) clearTimeout(silence);
    }
  };

  void attempt();
  return {
    stop: () => {
      isStopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      controller?.abort();
    },
  };
}
