/**
 * What production logs, cheaply: one line per request, when it ends (Fastify's default is two,
 * "incoming request" and "request completed"), to standard output through a buffer that writes
 * the lines of one turn of the event loop together, once that turn's work is done.
 *
 * A write per line cost more than making the line (3–4 µs each, measured with pino's own
 * destinations, synchronous or not); one write per turn costs well under 1 µs a line.
 */
import { writeSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { LogController } from 'fastify';
import { hasSecretParam, requestJson } from './log-redaction.ts';

/**
 * Fastify's log controller for Volt's apps: no line when a request arrives (Fastify's default
 * is two, "incoming request" and "request completed"), one when it ends.
 *
 * With Volt's own logger the completed line is written by {@link AccessLog} from the response
 * itself; this writes it (through the request's logger) only for a logger the app brought.
 */
export class OneLineRequestLog extends LogController {
  readonly #own: boolean;

  /** `own`: Volt's {@link AccessLog} writes the completed lines. */
  constructor(own = false) {
    super();
    this.#own = own;
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
      return;
    }
    if (this.#own) return;
    reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

const kAccess = Symbol('volt.access');

/** What the access log keeps of a request, on Node's request object, from start to end. */
interface AccessRecord {
  readonly id: string;
  /** `performance.now()` when the request was routed. */
  readonly start: number;
  /** Fastify's request, from the first `onRequest` hook: its `ip` and `host` follow `TRUST_PROXY`. */
  request: FastifyRequest | undefined;
}

type Raw = IncomingMessage & { [kAccess]?: AccessRecord };

/**
 * The access log of an app with Volt's own logger: one `request completed` line per request,
 * written when the response ends (`res.end()`), straight to the log's buffer as the JSON pino
 * would make (its fields in pino's order, the request through the same `req` serializer).
 *
 * Fastify's way — a `finish` and an `error` listener on every response, and the line through
 * pino's generic path — cost 5–6 µs of a 13 µs `/json` request; this costs about 1.5 µs.
 * The app's server makes its responses with a class that calls {@link AccessLog.ended}, Fastify runs
 * without a logger of its own (so it sets up no listeners), and {@link AccessLog.childLogger}
 * gives each request its `ctx.log`. Requests made with `inject()` (the test client) go
 * through no server and are not logged, as with Django's test client; their errors are.
 */
export class AccessLog {
  /** The app's logger. */
  readonly logger: PinoLike;
  readonly #out: LogBuffer;
  readonly #base: string;
  #secretRoutes = false;
  /** The `Date.now()` of {@link #head}. */
  #time = 0;
  /** The line up to its request id, for {@link #time}. */
  #head = '';

  constructor(logger: PinoLike, out: LogBuffer) {
    this.logger = logger;
    this.#out = out;
    this.#base = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
  }

  /**
   * Fastify's `childLoggerFactory`: a {@link RequestLogger} for `ctx.log`, and the request's
   * start for its line.
   */
  readonly childLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
    _logger,
    bindings,
    options,
    raw,
  ) => {
    (raw as Raw)[kAccess] = {
      id: (bindings as { reqId: string }).reqId,
      start: performance.now(),
      request: undefined,
    };
    return new RequestLogger(
      this.logger,
      bindings as Record<string, unknown>,
      options as Record<string, unknown>,
    ) as unknown as FastifyBaseLogger;
  };

  /** Gives the line of `request` Fastify's view of it (its `ip` and `host` behind a proxy, its route). */
  static link(request: FastifyRequest): void {
    const record = (request.raw as Raw)[kAccess];
    if (record !== undefined) record.request = request;
  }

  /**
   * Tells the log a route the app serves: the path of a request is redacted by its route only
   * when some route has a secret parameter (`/reset/:token`), found by Fastify's `onRoute`.
   */
  noteRoute(url: string): void {
    if (!this.#secretRoutes && hasSecretParam(url)) this.#secretRoutes = true;
  }

  /** Writes the line of a response that ended (the app's response class calls it). */
  readonly ended = (res: ServerResponse): void => this.#completed(res);

  #completed(res: ServerResponse): void {
    const raw = res.req as Raw;
    const record = raw[kAccess];
    // Not a request Fastify routed (Node's own answers): nothing to say it was.
    if (record === undefined) return;
    const request = record.request;
    if (!(request === undefined ? this.logger : (request.log as PinoLike)).isLevelEnabled('info')) return;
    const micros = Math.round((performance.now() - record.start) * 1000);
    // The line's start changes once a millisecond.
    const now = Date.now();
    if (now !== this.#time) {
      this.#time = now;
      this.#head = `{"level":30,"time":${now}${this.#base},"reqId":`;
    }
    const route = this.#secretRoutes ? request?.routeOptions.url : undefined;
    this.#out.write(
      `${this.#head}${JSON.stringify(record.id)},"req":${requestJson(request ?? rawView(raw), route)},"res":{"statusCode":${res.statusCode}},"responseTime":${millis(micros)},"msg":"request completed"}\n`,
    );
  }
}

/** `micros` as milliseconds with three decimals, a JSON number (`1.5` for 1500, `0.072` for 72). */
export function millis(micros: number): string {
  const whole = Math.floor(micros / 1000);
  const rest = micros - whole * 1000;
  if (rest === 0) return `${whole}`;
  return `${whole}.${rest < 10 ? '00' : rest < 100 ? '0' : ''}${rest}`;
}

/** What the `req` serializer reads, from Node's request, for one that reached no hook. */
function rawView(raw: IncomingMessage): FastifyRequest {
  return {
    method: raw.method,
    url: raw.url,
    headers: raw.headers,
    host: raw.headers.host ?? '',
    ip: raw.socket?.remoteAddress,
    socket: raw.socket,
    routeOptions: undefined,
  } as unknown as FastifyRequest;
}

const requireModule = createRequire(import.meta.url);

/**
 * The app's pino logger, as Fastify would make it from `options` (its `res` serializer added to
 * the app's), writing to `stream`.
 */
export function createPino(options: {
  level: string;
  serializers: Record<string, (value: never) => unknown>;
  stream: unknown;
}): PinoLike {
  const pino = requireModule('pino') as (options: object, stream: unknown) => PinoLike;
  return pino(
    {
      level: options.level,
      serializers: {
        res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
        ...options.serializers,
      },
    },
    options.stream,
  );
}

/** The pino logger of the app, as the request logger reaches it. */
export type PinoLike = FastifyBaseLogger & {
  isLevelEnabled(level: string): boolean;
  bindings(): Record<string, unknown>;
  flush(callback?: (error?: Error) => void): void;
};

type LogArgs = [unknown, ...unknown[]];

/**
 * A request's logger (`ctx.log`) that makes pino's child logger, with the request id bound, only
 * when the request logs a line of its own: most requests log nothing but their completed line,
 * which {@link OneLineRequestLog} writes without one. Everything pino's child offers
 * (`info`…`trace`, `child`, `level`, `isLevelEnabled`, `bindings`, `flush`) goes to it.
 */
export class RequestLogger {
  readonly #parent: PinoLike;
  readonly #bindings: Record<string, unknown>;
  readonly #options: Record<string, unknown>;
  #child: PinoLike | undefined;

  constructor(parent: PinoLike, bindings: Record<string, unknown>, options: Record<string, unknown>) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #logger(): PinoLike {
    this.#child ??= this.#parent.child(this.#bindings, this.#options) as PinoLike;
    return this.#child;
  }

  fatal(...args: LogArgs): void {
    (this.#logger.fatal as (...a: LogArgs) => void)(...args);
  }
  error(...args: LogArgs): void {
    (this.#logger.error as (...a: LogArgs) => void)(...args);
  }
  warn(...args: LogArgs): void {
    (this.#logger.warn as (...a: LogArgs) => void)(...args);
  }
  info(...args: LogArgs): void {
    (this.#logger.info as (...a: LogArgs) => void)(...args);
  }
  debug(...args: LogArgs): void {
    (this.#logger.debug as (...a: LogArgs) => void)(...args);
  }
  trace(...args: LogArgs): void {
    (this.#logger.trace as (...a: LogArgs) => void)(...args);
  }
  silent(...args: LogArgs): void {
    (this.#logger.silent as (...a: LogArgs) => void)(...args);
  }
  child(bindings: Record<string, unknown>, options?: Record<string, unknown>): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
  }
  /** The logger that answers for the level: the parent's, unless this request's route sets its own. */
  get #leveled(): PinoLike {
    return this.#child ?? (this.#options.level === undefined ? this.#parent : this.#logger);
  }
  get level(): string {
    return this.#leveled.level;
  }
  set level(level: string) {
    this.#logger.level = level;
  }
  isLevelEnabled(level: string): boolean {
    return this.#leveled.isLevelEnabled(level);
  }
  bindings(): Record<string, unknown> {
    return this.#logger.bindings();
  }
  flush(callback?: (error?: Error) => void): void {
    this.#logger.flush(callback);
  }
}

/** Lines past this many bytes are written at once, not at the end of the turn. */
const HIGH_WATER = 64 * 1024;
/** How long to wait before trying again when the output is full (a pipe nobody reads yet). */
const RETRY_MS = 10;

/**
 * Log lines for one file descriptor, written together at the end of each turn of the event
 * loop (`setImmediate`), at once past {@link HIGH_WATER}, and synchronously when the process
 * exits — so a crash loses no line that was logged. A full pipe (`EAGAIN`) is waited out
 * without blocking; a closed one (`EPIPE`) drops the log, as pino does.
 */
export class LogBuffer {
  readonly #fd: number;
  #parts: string[] = [];
  #size = 0;
  /** Bytes a write left unwritten (a full pipe), written before the next lines. */
  #rest: Buffer | undefined;
  #scheduled = false;
  #closed = false;

  constructor(fd: number) {
    this.#fd = fd;
    process.on('exit', () => this.flushSync());
  }

  /** Takes one line (pino calls it with a whole JSON line). */
  write(line: string): boolean {
    if (this.#closed) return true;
    this.#parts.push(line);
    this.#size += line.length;
    if (this.#size >= HIGH_WATER) this.#flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#onTurnEnd);
    }
    return true;
  }

  #onTurnEnd = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  /** Writes what is waiting; what a full pipe refuses is kept for later. */
  #flush(): void {
    let chunk: string | Buffer | undefined = this.#take();
    while (chunk !== undefined && chunk.length > 0) {
      let written: number;
      try {
        written = typeof chunk === 'string' ? writeSync(this.#fd, chunk) : writeSync(this.#fd, chunk);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          this.#rest = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          if (!this.#scheduled) {
            this.#scheduled = true;
            setTimeout(this.#onTurnEnd, RETRY_MS).unref();
          }
        } else {
          // EPIPE, EBADF…: nobody reads the log any more.
          this.#closed = true;
          this.#parts = [];
        }
        return;
      }
      // A string is written as UTF-8: the bytes written count in that encoding.
      if (typeof chunk === 'string') {
        if (written >= Buffer.byteLength(chunk)) return;
        chunk = Buffer.from(chunk).subarray(written);
      } else {
        if (written >= chunk.length) return;
        chunk = chunk.subarray(written);
      }
    }
  }

  /** The lines waiting, after what a full pipe left: one string (no copy) when nothing was left. */
  #take(): string | Buffer | undefined {
    const parts = this.#parts;
    const lines = parts.length === 0 ? undefined : parts.length === 1 ? parts[0]! : parts.join('');
    this.#parts = [];
    this.#size = 0;
    const rest = this.#rest;
    this.#rest = undefined;
    if (rest === undefined) return lines;
    return lines === undefined ? rest : Buffer.concat([rest, Buffer.from(lines)]);
  }

  /** Writes everything now, waiting out a full pipe (at exit, or an app's close). */
  flushSync(): void {
    for (let attempt = 0; attempt < 1000 && !this.#closed; attempt++) {
      this.#flush();
      if (this.#rest === undefined && this.#parts.length === 0) return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

let stdout: LogBuffer | undefined;

/** Standard output for the log, shared by the process's apps. */
export function logDestination(): LogBuffer {
  stdout ??= new LogBuffer(1);
  return stdout;
}

/** Writes out the log lines still waiting (at an app's close). */
export function flushLog(): void {
  stdout?.flushSync();
}
