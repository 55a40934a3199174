/**
 * The team server's change notices as Server-Sent Events (`GET /api/events`): every signed-in
 * client keeps one stream open, and each notice the core's after-write step gives
 * (`CoreOptions.onChange`, from the writer thread and from jobs) goes to every stream as
 * `event: change` with the notice as JSON `data`; a `: ping` comment every 20 s keeps proxies
 * from closing an idle stream. A stream lives only as long as its session: its session is checked
 * again at every ping and after every notice about sessions or people (signed out, ended,
 * deactivated, roles changed), without counting as a use (a page left open still idles out), and
 * the stream is closed when it no longer lets its holder in.
 */
import type { ServerResponse } from 'node:http';
import type { ChangeNotice } from '../../shared/changes.js';
import { CHANGE_EVENT } from '../../shared/remote.js';
import { SECURITY_HEADERS } from './http.js';

/** How often an open stream gets a comment, and its session is checked. */
export const PING_INTERVAL_MS = 20_000;
/** What a client waits before reconnecting a dropped stream (the `retry` field). */
const RETRY_MS = 3_000;
/** The most streams one session may hold open (tabs of one browser); the oldest is closed past it. */
const MAX_STREAMS_PER_SESSION = 8;

interface Stream {
  readonly sessionId: number;
  readonly response: ServerResponse;
  /** Whether the stream's session still lets its holder in. */
  readonly isLive: () => boolean;
}

export class ChangeStreams {
  private readonly streams = new Set<Stream>();
  private readonly timer: NodeJS.Timeout;

  constructor(pingIntervalMs = PING_INTERVAL_MS) {
    this.timer = setInterval(() => this.ping(), pingIntervalMs);
    this.timer.unref();
  }

  /** How many streams are open (tests, the log). */
  get size(): number {
    return this.streams.size;
  }

  /** Start a stream on `response` for an authenticated session. */
  open(response: ServerResponse, sessionId: number, isLive: () => boolean, extraHeaders: Readonly<Record<string, string>> = {}): void {
    const mine = [...this.streams].filter((stream) => stream.sessionId === sessionId);
    for (const stream of mine.slice(0, Math.max(0, mine.length - MAX_STREAMS_PER_SESSION + 1))) this.end(stream);
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      ...extraHeaders,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Proxies (nginx) must pass each event on as it comes.
      'X-Accel-Buffering': 'no',
    });
    response.write(`retry: ${RETRY_MS}\n\n`);
    const stream: Stream = { sessionId, response, isLive };
    this.streams.add(stream);
    response.on('close', () => this.streams.delete(stream));
  }

  /**
   * Send a notice to every open stream; one about sessions or people then checks every stream's
   * session again (a page whose session this notice ended still hears of it, and looks).
   */
  publish(notice: ChangeNotice): void {
    const frame = `event: ${CHANGE_EVENT}\ndata: ${JSON.stringify({ topics: notice.topics, operation: notice.operation, actor: notice.actor, at: notice.at })}\n\n`;
    for (const stream of this.streams) stream.response.write(frame);
    if (notice.topics.includes('sessions') || notice.topics.includes('investigators')) this.checkSessions();
  }

  /** Close every stream (the server is stopping). */
  close(): void {
    clearInterval(this.timer);
    for (const stream of [...this.streams]) this.end(stream);
  }

  private ping(): void {
    this.checkSessions();
    for (const stream of this.streams) stream.response.write(': ping\n\n');
  }

  private checkSessions(): void {
    for (const stream of [...this.streams]) {
      let isLive = false;
      try {
        isLive = stream.isLive();
      } catch {
        isLive = false;
      }
      if (!isLive) this.end(stream);
    }
  }

  private end(stream: Stream): void {
    this.streams.delete(stream);
    stream.response.end();
  }
}
