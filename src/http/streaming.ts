/**
 * Streaming responses: raw chunks from an async iterable, and Server-Sent Events.
 *
 * Both are pulled, never pushed: the next item is read from the source only when the socket
 * has room (Node's stream backpressure), so a slow client cannot make the server buffer an
 * entire model answer. A client disconnect destroys the stream, which stops the pulling and
 * aborts `ctx.signal` for the upstream work.
 */
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';

const STREAM = Symbol.for('volt.stream');

/** One Server-Sent Event with its optional name, id and reconnection delay. */
export class ServerSentEvent<T = unknown> {
  readonly data: T;
  readonly event: string | undefined;
  readonly id: string | undefined;
  readonly retry: number | undefined;
  constructor(data: T, options: { event?: string; id?: string; retry?: number } = {}) {
    this.data = data;
    this.event = options.event;
    this.id = options.id;
    this.retry = options.retry;
  }
}

/**
 * Wraps a value as a named SSE event.
 *
 * @example
 * ```ts
 * yield sseEvent({ done: true }, { event: 'end' });
 * ```
 */
export function sseEvent<T>(
  data: T,
  options: { event?: string; id?: string; retry?: number } = {},
): ServerSentEvent<T> {
  return new ServerSentEvent(data, options);
}

/** Options of `ctx.sse()`. */
export interface SseOptions {
  /** Seconds between `: ping` comments sent while the source is silent (fractions allowed); 0 turns them off. Default 15. */
  heartbeat?: number;
}

/** Options of `ctx.stream()`. */
export interface StreamOptions {
  /** Content type of the stream; the route's `contentType` by default, else `application/octet-stream`. */
  contentType?: string;
}

/** What a handler returns to stream a response (made by `ctx.sse()` or `ctx.stream()`). */
export interface StreamBody {
  readonly [STREAM]: 'sse' | 'raw';
  /** The Content-Type; for a raw stream that names none, the route's `contentType`, else `application/octet-stream`. */
  readonly contentType: string | undefined;
  /**
   * Builds the readable stream; called once when the response starts. `shutdown` aborts when
   * the app begins to shut down: an SSE stream then sends its closing event and ends.
   */
  open(log: FastifyBaseLogger, shutdown?: AbortSignal): Readable;
}

/** Tells whether a stream body is Server-Sent Events (which end with a closing event at shutdown). */
export function isSseBody(body: StreamBody): boolean {
  return body[STREAM] === 'sse';
}

/**
 * Milliseconds an EventSource waits before reconnecting after the server closed the stream for
 * a shutdown: long enough for a load balancer to send it to another instance.
 */
export const SHUTDOWN_RETRY_MS = 1000;

/** The last event of an SSE stream the app ends because it is shutting down. */
const CLOSING_FRAME = encodeSse(
  sseEvent({ reason: 'shutdown' }, { event: 'close', retry: SHUTDOWN_RETRY_MS }),
);

/** Tells whether a handler's result is a stream body. */
export function isStreamBody(value: unknown): value is StreamBody {
  return typeof value === 'object' && value !== null && STREAM in value;
}

const HEARTBEAT = Symbol('heartbeat');
const SHUTDOWN = Symbol('shutdown');

function encodeSse(item: unknown): string {
  const event = item instanceof ServerSentEvent ? item : undefined;
  const data = event ? event.data : item;
  let frame = '';
  if (event?.event !== undefined) frame += `event: ${event.event.replace(/[\r\n]/g, '')}\n`;
  if (event?.id !== undefined) frame += `id: ${event.id.replace(/[\r\n]/g, '')}\n`;
  if (event?.retry !== undefined) frame += `retry: ${Math.trunc(event.retry)}\n`;
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  // A line break inside the data would end the field early: each line is its own `data:` field.
  for (const line of (text ?? 'null').split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

async function* sseFrames(
  source: AsyncIterable<unknown>,
  heartbeat: number,
  log: FastifyBaseLogger,
  shutdown: AbortSignal | undefined,
): AsyncGenerator<string> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  // Resolves when the app starts shutting down, so a silent source does not hold the stream open.
  let onShutdown: (() => void) | undefined;
  const stop =
    shutdown &&
    new Promise<typeof SHUTDOWN>((resolve) => {
      onShutdown = () => resolve(SHUTDOWN);
      shutdown.addEventListener('abort', onShutdown, { once: true });
    });
  try {
    let pending = iterator.next();
    while (true) {
      let timer: NodeJS.Timeout | undefined;
      let next: IteratorResult<unknown> | typeof HEARTBEAT | typeof SHUTDOWN;
      try {
        const racers: Array<Promise<IteratorResult<unknown> | typeof HEARTBEAT | typeof SHUTDOWN>> = [
          pending,
        ];
        if (stop) racers.push(stop);
        if (heartbeat > 0) {
          racers.push(
            new Promise<typeof HEARTBEAT>((resolve) => {
              timer = setTimeout(resolve, heartbeat, HEARTBEAT);
            }),
          );
        }
        next = racers.length === 1 ? await pending : await Promise.race(racers);
      } finally {
        // Also when the source threw: a pending heartbeat timer would hold the process open.
        clearTimeout(timer);
      }
      if (next === SHUTDOWN) break;
      if (next === HEARTBEAT) {
        yield ': ping\n\n';
        continue;
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield encodeSse(next.value);
      // The reader may have pulled this frame after the shutdown began.
      if (shutdown?.aborted) break;
      pending = iterator.next();
    }
    yield CLOSING_FRAME;
  } catch (error) {
    // A source whose upstream call was aborted by the shutdown (through ctx.signal) ends like
    // any stream at shutdown; anything else is a failure.
    if (shutdown?.aborted) {
      log.debug({ err: error }, 'SSE source stopped by the shutdown');
      yield CLOSING_FRAME;
      return;
    }
    finished = true;
    // Headers are gone already: tell the client in-band, keep the details in the log.
    log.error({ err: error }, 'SSE source failed');
    yield encodeSse(sseEvent({ title: 'Internal Server Error', status: 500 }, { event: 'error' }));
  } finally {
    if (onShutdown) shutdown?.removeEventListener('abort', onShutdown);
    // The client left early, or the app is shutting down: let the source run its cleanup. Not
    // awaited, because an async generator blocked on upstream I/O only returns once that I/O
    // settles; ctx.signal is what cancels the upstream call.
    if (!finished) iterator.return?.()?.catch(() => {});
  }
}

/** Builds an SSE body; see `ctx.sse()`. */
export function sseBody(source: AsyncIterable<unknown>, options: SseOptions = {}): StreamBody {
  const heartbeat = Math.round((options.heartbeat ?? 15) * 1000);
  return {
    [STREAM]: 'sse',
    contentType: 'text/event-stream; charset=utf-8',
    open: (log, shutdown) =>
      Readable.from(sseFrames(source, heartbeat, log, shutdown), { objectMode: false }),
  };
}

/** Builds a raw streaming body; see `ctx.stream()`. */
export function rawBody(
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> | Readable,
  options: StreamOptions = {},
): StreamBody {
  return {
    [STREAM]: 'raw',
    contentType: options.contentType,
    open: () => (source instanceof Readable ? source : Readable.from(source, { objectMode: false })),
  };
}
