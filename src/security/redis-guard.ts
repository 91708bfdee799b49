/**
 * Redis calls that cannot hang a request or crash the process. A Redis client with no `error`
 * listener throws that error out of the process when Redis goes away; with one, its commands
 * wait for the whole outage in the client's offline queue. The Redis stores run every command
 * through a {@link RedisGuard}: it listens for the client's errors, does not send while the
 * client says it is not connected, gives up on a command after a timeout, and then fails fast
 * for a moment instead of making every request wait again. An outage is logged twice: once
 * when it starts, once when Redis answers again (not once per reconnection attempt).
 */
import { HttpError } from '../http/errors.ts';

/**
 * A store's Redis cannot answer now (down, reconnecting, too slow): a 503 problem with
 * `Retry-After`. Stable code: `VOLT_STORE_UNAVAILABLE`; the cause is kept for the log.
 *
 * @example
 * ```ts
 * if (!connected) throw new StoreUnavailableError('The cache', 5); // 503, Retry-After: 5
 * ```
 */
export class StoreUnavailableError extends HttpError {
  override readonly code = 'VOLT_STORE_UNAVAILABLE';

  constructor(what: string, retryAfter: number, cause?: unknown) {
    super(503, {
      detail: `${what} is unavailable for a moment; try again in ${retryAfter} seconds.`,
      headers: { 'retry-after': String(retryAfter) },
      cause,
    });
    this.name = 'StoreUnavailableError';
  }
}

/** Options of a {@link RedisGuard} (and of the Redis stores, which pass them on). */
export interface RedisGuardOptions {
  /** Seconds a command may take before it counts as failed (fractions allowed). Default 1. */
  commandTimeout?: number;
  /** Seconds clients are told to wait (`Retry-After` of the 503). Default 5. */
  retryAfter?: number;
  /**
   * Called with every error the client emits (the guard's own listener keeps them from
   * crashing the process; a reconnecting client emits one per attempt).
   */
  onError?: (error: unknown) => void;
  /**
   * Where the start and the end of an outage are logged (a warning, then an info line), e.g.
   * `app.fastify.log`. Default: one JSON line each on stderr, in pino's shape. `false`: not logged.
   */
  logger?: RedisOutageLogger | false;
}

/** What the guard logs outages with: pino's `warn` and `info` (`app.fastify.log` fits). */
export interface RedisOutageLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/** The outage logger when none is given: pino-shaped JSON lines (40 warn, 30 info) on stderr. */
const stderrLogger: RedisOutageLogger = {
  warn: (fields, message) => writeLine(40, fields, message),
  info: (fields, message) => writeLine(30, fields, message),
};

function writeLine(level: number, fields: object, message: string): void {
  const line = { level, time: Date.now(), pid: process.pid, msg: message, ...fields };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

/** An error as a log line shows it: its class and message (a client error holds sockets and more). */
function describe(error: unknown): { type: string; message: string } {
  return error instanceof Error
    ? { type: error.name, message: error.message }
    : { type: typeof error, message: String(error) };
}

/** What the guard reads of a client: an event emitter, and how it says it is connected. */
interface ClientShape {
  on?: (event: string, listener: (error: unknown) => void) => unknown;
  /** node-redis (v4, v5). */
  isReady?: unknown;
  /** ioredis: `'ready'` when connected. */
  status?: unknown;
}

/** How long (ms) commands are not tried after one failed for want of Redis. */
const PAUSE_AFTER_FAILURE = 1000;

/** Replies of a Redis that is up but cannot serve now; any other reply error is the caller's. */
const BUSY_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;

class CommandTimeout extends Error {
  readonly code = 'VOLT_STORE_TIMEOUT';
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'CommandTimeout';
  }
}

/** Whether `error` says Redis is unreachable (not that the command itself was wrong). */
function unavailable(error: unknown): boolean {
  if (error instanceof CommandTimeout) return true;
  const message = String((error as Error | undefined)?.message ?? error);
  // A server reply starts with its code in capitals: `ERR …`, `NOSCRIPT …`, `WRONGTYPE …`.
  if ((error as Error | undefined)?.name === 'ErrorReply' || /^[A-Z]{3,}[A-Z_]* /.test(message))
    return BUSY_REPLY.test(message);
  return true;
}

/**
 * Runs a store's Redis commands within a time bound. Made by the Redis stores from the client
 * they are given; use it for a Redis-backed store of your own.
 *
 * @example
 * ```ts
 * const guard = new RedisGuard(client, 'The cache', { commandTimeout: 0.5 }); // seconds
 * const value = await guard.run((signal) => client.sendCommand(['GET', key], { abortSignal: signal }));
 * ```
 */
export class RedisGuard {
  readonly #client: ClientShape;
  readonly #what: string;
  readonly #timeout: number;
  readonly #retryAfter: number;
  readonly #logger: RedisOutageLogger | undefined;
  #pausedUntil = 0;
  /** Whether an outage began (and was logged) and Redis has not answered since. */
  #down = false;

  constructor(client: object, what: string, options: RedisGuardOptions = {}) {
    this.#client = client as ClientShape;
    this.#what = what;
    const commandTimeout = options.commandTimeout ?? 1;
    this.#retryAfter = options.retryAfter ?? 5;
    if (!Number.isFinite(commandTimeout) || commandTimeout <= 0)
      throw new TypeError(`commandTimeout must be a number of seconds above 0, got ${commandTimeout}`);
    this.#timeout = Math.max(1, Math.round(commandTimeout * 1000));
    if (!Number.isSafeInteger(this.#retryAfter) || this.#retryAfter < 1)
      throw new TypeError(`retryAfter must be a whole number of seconds above 0, got ${this.#retryAfter}`);
    this.#logger = options.logger === false ? undefined : (options.logger ?? stderrLogger);
    const onError = options.onError;
    if (typeof this.#client.on === 'function') {
      this.#client.on('error', (error) => {
        this.#pausedUntil = Date.now() + PAUSE_AFTER_FAILURE;
        this.#wentDown(error);
        onError?.(error);
      });
      // A client that reconnected says so (node-redis and ioredis emit `ready`).
      this.#client.on('ready', () => this.#cameBack());
    }
  }

  #wentDown(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.#logger?.warn(
      { store: this.#what, err: describe(error) },
      `${this.#what} cannot reach Redis; trying again until it answers`,
    );
  }

  #cameBack(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#logger?.info({ store: this.#what }, `${this.#what} reaches Redis again`);
  }

  /** `false` while the client says it is not connected, or just after a command failed for want of Redis. */
  get available(): boolean {
    const { isReady, status } = this.#client;
    if (isReady === false || (typeof status === 'string' && status !== 'ready')) return false;
    return Date.now() >= this.#pausedUntil;
  }

  /**
   * Runs `command` (which should pass `signal` on to the client, to drop a command not yet
   * sent). Throws a {@link StoreUnavailableError} at once while Redis is not available, or when
   * the command fails for want of Redis or takes longer than the timeout; other errors (a
   * script error, say) are thrown as they are.
   */
  async run<T>(command: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (!this.available) throw new StoreUnavailableError(this.#what, this.#retryAfter);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new CommandTimeout(this.#timeout));
      }, this.#timeout);
    });
    try {
      const result = await Promise.race([command(controller.signal), timeout]);
      this.#cameBack();
      return result;
    } catch (error) {
      if (!unavailable(error)) throw error;
      this.#pausedUntil = Date.now() + PAUSE_AFTER_FAILURE;
      this.#wentDown(error);
      throw new StoreUnavailableError(this.#what, this.#retryAfter, error);
    } finally {
      clearTimeout(timer);
    }
  }
}
