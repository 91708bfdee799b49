/**
 * The request context a handler and its dependencies receive.
 *
 * One object per request; the costly parts (cookies, the abort signal, the after-response
 * queue) are created only when a handler first touches them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { parseCookie } from 'cookie';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
// A type only (erased when run): the HTTP layer never loads the ORM; `volt()` hands the app
// its database and each app's context class reads it (see `VoltApp`).
import type { Database } from '../orm/database.ts';
import { rawBody, type SseOptions, type StreamBody, type StreamOptions, sseBody } from './streaming.ts';

type Task = () => unknown;

// The async context outside every request (taken when this module loads): after-response work
// runs in it, so a task does not see the finished request's AsyncLocalStorage stores (a
// transaction that committed, a request-scoped logger) however the response ended.
const outsideRequests = AsyncLocalStorage.snapshot();

/** A context of any route, whatever its parameters, body and dependencies. */
export type AnyContext = Context<any, any, any, any, any, any>;

/**
 * What a handler receives. Its parts are typed from the route's schemas.
 *
 * @typeParam P path parameters, Q query, H headers, C cookies, B body, D dependency values
 */
export class Context<P = unknown, Q = unknown, H = unknown, C = unknown, B = unknown, D = unknown> {
  /** The Fastify request (escape hatch). */
  readonly request: FastifyRequest;
  /** The Fastify reply (escape hatch). */
  readonly reply: FastifyReply;
  /** Validated, coerced path parameters. */
  readonly params: P;
  /** Validated, coerced query parameters. */
  readonly query: Q;
  /** Validated request headers (names in lower case). */
  readonly headers: H;
  /** Validated JSON body. */
  readonly body: B;
  /** Values of the route's `deps`. */
  deps: D;
  #cookies: C | undefined;
  #status: number | undefined;
  #after: { teardown: Task[]; background: Task[] } | undefined;
  #abort: AbortController | undefined;
  #shutdown: AbortSignal | undefined;
  #settled = false;
  #onSettled: (() => void) | undefined;
  /** `null` once the tasks ran: a task queued later would never run. */
  #beforeSend: Array<() => unknown> | undefined | null;

  constructor(request: FastifyRequest, reply: FastifyReply) {
    this.request = request;
    this.reply = reply;
    this.params = request.params as P;
    this.query = request.query as Q;
    this.headers = request.headers as H;
    this.body = request.body as B;
    this.deps = undefined as D;
  }

  /**
   * The app's database, opened at startup (`volt({ database })`, or `DATABASE_URL` when an
   * installed app has models). Throws an error naming the cause when the app has none.
   *
   * @example
   * ```ts
   * app.get('/authors', {}, (ctx) => query(ctx.db, Author).all());
   * ```
   */
  get db(): Database {
    throw new Error('ctx.db: this context belongs to no app (build contexts through an app)');
  }

  /** Cookies sent with the request, parsed on first use (validated when the route declares them). */
  get cookies(): C {
    if (this.#cookies === undefined) {
      const header = this.request.headers.cookie;
      this.#cookies = (header ? parseCookie(header) : {}) as C;
    }
    return this.#cookies;
  }

  /** @internal Replaces the parsed cookies with their validated, coerced form. */
  setCookies(cookies: C): void {
    this.#cookies = cookies;
  }

  /** The request id that appears on every log line of this request. */
  get id(): string {
    return this.request.id;
  }

  /** A logger bound to this request (its lines carry the request id). */
  get log(): FastifyBaseLogger {
    return this.request.log;
  }

  /**
   * Aborts when the client goes away before the response is complete, and, for an SSE
   * response, when the app shuts down (`signal.reason.code` is then `VOLT_SHUTDOWN`). Hand it
   * to upstream calls (`fetch(url, { signal: ctx.signal })`) so their work stops with the client.
   */
  get signal(): AbortSignal {
    if (!this.#abort) {
      const controller = new AbortController();
      this.#abort = controller;
      const res = this.reply.raw;
      // `writableEnded`, not `writableFinished`: a response that was completely written is not
      // aborted by a close that comes before the last bytes were flushed (nor by the test
      // client, whose responses never flush to a socket).
      if (res.destroyed && !res.writableEnded)
        controller.abort(new Error('The client closed the connection'));
      else
        res.once('close', () => {
          if (!res.writableEnded) controller.abort(new Error('The client closed the connection'));
        });
      if (this.#shutdown) this.#followShutdown(controller, this.#shutdown);
    }
    return this.#abort.signal;
  }

  /** @internal Makes `signal` abort when the app shuts down, while this response lasts (SSE streams). */
  abortOnShutdown(shutdown: AbortSignal): void {
    this.#shutdown = shutdown;
    if (this.#abort) this.#followShutdown(this.#abort, shutdown);
  }

  #followShutdown(controller: AbortController, shutdown: AbortSignal): void {
    if (shutdown.aborted) {
      controller.abort(shutdown.reason);
      return;
    }
    const onShutdown = () => controller.abort(shutdown.reason);
    shutdown.addEventListener('abort', onShutdown, { once: true });
    // The app's signal outlives every request: a finished response takes its listener along.
    this.reply.raw.once('close', () => shutdown.removeEventListener('abort', onShutdown));
  }

  /** The status set with `ctx.status()`, if any (else the route's `status` option, or 200, applies). */
  get statusCode(): number | undefined {
    return this.#status;
  }

  /** Sets the status code of a successful response, e.g. `ctx.status(201)`. */
  status(code: number): this {
    this.#status = code;
    return this;
  }

  /** Sets a response header. */
  header(name: string, value: string | number | readonly string[]): this {
    this.reply.header(name, value);
    return this;
  }

  /**
   * Runs `task` after the response has been sent. Tasks run one after another in the order
   * added; a failure is logged with the request id and does not stop the next task. When the
   * response is an error (the handler or a dependency threw, or serialization failed), the
   * request's tasks are dropped, as their work was meant to follow a success.
   *
   * @example
   * ```ts
   * app.post('/users', { body: NewUser, status: 201 }, async (ctx) => {
   *   const user = await users.create(ctx.body);
   *   ctx.background(() => mailer.sendWelcome(user.email));
   *   return user;
   * });
   * ```
   */
  background(task: Task): void {
    this.#afterQueue().background.push(task);
  }

  /** Runs `fn` after the response was sent (also after an error response); dependencies use it to clean up. */
  onTeardown(fn: Task): void {
    this.#afterQueue().teardown.push(fn);
  }

  /**
   * Streams Server-Sent Events from an async iterable; each item becomes one event (strings as
   * they are, other values as JSON; use `sseEvent()` for a name or id). Sends `: ping`
   * heartbeats while the source is silent and stops pulling when the client disconnects.
   *
   * @example
   * ```ts
   * app.get('/tokens', {}, (ctx) => ctx.sse(model.stream(prompt, { signal: ctx.signal })));
   * ```
   */
  sse(source: AsyncIterable<unknown>, options?: SseOptions): StreamBody {
    return sseBody(source, options);
  }

  /** Streams raw chunks (strings or bytes) from an iterable or a Node readable, with backpressure. */
  stream(
    source:
      | AsyncIterable<string | Uint8Array>
      | Iterable<string | Uint8Array>
      | import('node:stream').Readable,
    options?: StreamOptions,
  ): StreamBody {
    return rawBody(source, options);
  }

  /**
   * @internal Runs `task` once the handler and the dependencies finished (or failed), before
   * the response is serialized and its headers leave: an installed app's per-request work that
   * only some requests need (auth saves a changed `ctx.session` through it). A request that
   * queues nothing pays nothing. `false` when the tasks already ran (a `response` hook, say):
   * `task` is not queued.
   */
  beforeSend(task: () => unknown): boolean {
    if (this.#beforeSend === null) return false;
    if (this.#beforeSend) this.#beforeSend.push(task);
    else this.#beforeSend = [task];
    return true;
  }

  /**
   * @internal Called by the compiled route after the handler: runs the {@link beforeSend} tasks
   * in order; synchronous while they are, a promise from the first that returns one.
   */
  runBeforeSend(): Promise<void> | undefined {
    const tasks = this.#beforeSend;
    this.#beforeSend = null;
    if (!tasks) return undefined;
    const next = (start: number): Promise<void> | undefined => {
      for (let i = start; i < tasks.length; i++) {
        const result = tasks[i]!();
        if (result instanceof Promise) return result.then(() => next(i + 1));
      }
      return undefined;
    };
    return next(0);
  }

  /**
   * @internal Called by the compiled route once the handler and the dependencies finished (or
   * failed): the after-response work waits for it, as a handler may still use what a teardown
   * releases after the response went out (sent early through `ctx.reply`, or the client left).
   */
  settle(): void {
    this.#settled = true;
    const onSettled = this.#onSettled;
    this.#onSettled = undefined;
    onSettled?.();
  }

  #afterQueue(): { teardown: Task[]; background: Task[] } {
    if (!this.#after) {
      const queue = { teardown: [] as Task[], background: [] as Task[] };
      this.#after = queue;
      const res = this.reply.raw;
      const run = () => {
        // An error response (also one from serialization or an error mapper) means the work
        // queued for after a success must not happen.
        if (res.statusCode >= 400) queue.background.length = 0;
        runAfterResponse(queue, this.request.log).catch(() => {});
      };
      // Once both the response and the handler are done, on a later turn, outside the request.
      const whenSettled = () => {
        if (this.#settled) outsideRequests(() => setImmediate(run));
        else this.#onSettled = () => outsideRequests(() => setImmediate(run));
      };
      if (res.destroyed || res.writableFinished) whenSettled();
      else res.once('close', whenSettled);
    }
    return this.#after;
  }
}

async function runAfterResponse(queue: { teardown: Task[]; background: Task[] }, log: FastifyBaseLogger) {
  // Teardown first, newest first (like nested `finally` blocks), then background tasks in order.
  for (let i = queue.teardown.length - 1; i >= 0; i--) {
    try {
      await queue.teardown[i]!();
    } catch (err) {
      log.error({ err }, 'dependency teardown failed');
    }
  }
  for (const task of queue.background) {
    try {
      await task();
    } catch (err) {
      log.error({ err }, 'background task failed');
    }
  }
}

// Where the app keeps a request's context when hooks share it (see VoltApp.on).
export const CONTEXT = Symbol('volt.context');

/**
 * The request's context when hooks share it: the one a hook made before (its body set once
 * read), or a new one, kept on the request for the phases after.
 */
export function sharedContext(
  request: FastifyRequest,
  reply: FastifyReply,
  AppContext: typeof Context,
): AnyContext {
  const holder = request as unknown as Record<symbol, AnyContext | null>;
  const held = holder[CONTEXT];
  if (held) {
    if (held.body === undefined) (held as { body: unknown }).body = request.body;
    return held;
  }
  const ctx = new AppContext(request, reply);
  holder[CONTEXT] = ctx;
  return ctx;
}

/**
 * Ends the context hooks made for a request no handler ran for (a 404, a refusal by a hook or
 * before the body): the after-response work it queued may run. Nothing without one.
 */
export function settleShared(request: FastifyRequest): void {
  (request as unknown as Record<symbol, AnyContext | null | undefined>)[CONTEXT]?.settle();
}
