/**
 * Throttling: {@link rateLimit} caps requests per client on a route, {@link Throttle} caps
 * failures (logins, password resets) per key in code.
 */
import type { Context } from '../http/context.ts';
import { type Dependency, dependency } from '../http/dependencies.ts';
import { HttpError } from '../http/errors.ts';
import { clientKey } from './client-ip.ts';
import { MemoryThrottleStore, type ThrottleStore } from './throttle-store.ts';

// The stores beside the throttles that use them, so one import gives both.
export { MemoryThrottleStore, type ThrottleStore, type ThrottleWindow } from './throttle-store.ts';

function checkLimits(limit: number, window: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new TypeError(`limit must be a whole number above 0, got ${limit}`);
  if (!Number.isFinite(window) || window < 0.001)
    throw new TypeError(`window must be a number of seconds above 0, got ${window}`);
}

function secondsUntil(resetAt: number, now: number): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000));
}

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Requests allowed per window and key. */
  limit: number;
  /** The window in seconds (fractions allowed). */
  window: number;
  /**
   * What is counted; by default the client's address (`ctx.request.ip`, which follows
   * TRUST_PROXY), an IPv6 client by its /64 network ({@link clientKey}).
   */
  key?: (ctx: Context<any, any, any, any, any, any>) => string;
  /** Where counts are kept; a new in-memory store by default (per process). */
  store?: ThrottleStore;
  /** Names the limit in logs and keys: give limits sharing a store different names. Default `rateLimit`. */
  name?: string;
}

/** What a {@link rateLimit} dependency gives the handler. */
export interface RateLimitState {
  limit: number;
  /** Requests left in this window. */
  remaining: number;
  /** When the window ends (epoch milliseconds). */
  resetAt: number;
}

/**
 * A dependency that counts the request against a limit. Within the limit it sets
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds) on the response;
 * past it the request is a 429 problem with `Retry-After` (seconds) and the same headers.
 *
 * @example
 * ```ts
 * const perIp = rateLimit({ limit: 10, window: 60, name: 'search' }); // 10 a minute
 * app.get('/search', { dependencies: [perIp] }, (ctx) => search(ctx.query));
 * ```
 */
export function rateLimit(options: RateLimitOptions): Dependency<RateLimitState> {
  const { limit, window } = options;
  checkLimits(limit, window);
  // The stores count in milliseconds, as the epoch times of their windows.
  const windowMs = Math.round(window * 1000);
  const store = options.store ?? new MemoryThrottleStore();
  const name = options.name ?? 'rateLimit';
  const keyOf = options.key ?? ((ctx: Context) => clientKey(ctx.request.ip));
  const responses = { 429: 'Too many requests: `Retry-After` says in how many seconds to retry' };
  return dependency({ name, responses }, async (ctx): Promise<RateLimitState> => {
    const { count, resetAt } = await store.hit(`${name}:${keyOf(ctx)}`, windowMs);
    const now = Date.now();
    const headers = {
      'ratelimit-limit': String(limit),
      'ratelimit-remaining': String(Math.max(0, limit - count)),
      'ratelimit-reset': String(secondsUntil(resetAt, now)),
    };
    if (count > limit) {
      throw new HttpError(429, {
        code: 'VOLT_SECURITY_THROTTLED',
        detail: `Too many requests: the limit is ${limit} per ${window} seconds. Retry after ${headers['ratelimit-reset']} seconds.`,
        headers: { ...headers, 'retry-after': headers['ratelimit-reset'] },
      });
    }
    ctx.reply.headers(headers);
    return { limit, remaining: limit - count, resetAt };
  });
}

/** Options of {@link Throttle}. */
export interface ThrottleOptions {
  /** Failures allowed per window; the next check after that many is refused. */
  limit: number;
  /** The window in seconds: a key locked out stays locked until its window ends. */
  window: number;
  /** Where counts are kept; a new in-memory store by default (per process). */
  store?: ThrottleStore;
}

/** The answer of {@link Throttle.check}. */
export interface ThrottleVerdict {
  allowed: boolean;
  /** Seconds until the key may try again; 0 when allowed. */
  retryAfter: number;
}

/**
 * Counts failures per key and locks a key out once it reached the limit within the window, e.g.
 * per username and per IP address on a login form.
 *
 * @example
 * ```ts
 * const logins = new Throttle({ limit: 5, window: 15 * 60 }); // 15 minutes
 * const verdict = await logins.check(`user:${username}`);
 * if (!verdict.allowed) throw new HttpError(429, { headers: { 'retry-after': String(verdict.retryAfter) } });
 * if (!(await passwordMatches())) await logins.fail(`user:${username}`);
 * else await logins.reset(`user:${username}`);
 * ```
 */
export class Throttle {
  readonly limit: number;
  /** The window in seconds. */
  readonly window: number;
  readonly #store: ThrottleStore;

  constructor(options: ThrottleOptions) {
    checkLimits(options.limit, options.window);
    this.limit = options.limit;
    this.window = options.window;
    this.#store = options.store ?? new MemoryThrottleStore();
  }

  /** Whether `key` may try now, without counting anything. */
  async check(key: string): Promise<ThrottleVerdict> {
    const window = await this.#store.peek(key);
    const now = Date.now();
    if (window === undefined || window.count < this.limit || window.resetAt <= now)
      return { allowed: true, retryAfter: 0 };
    return { allowed: false, retryAfter: secondsUntil(window.resetAt, now) };
  }

  /** Counts a failure of `key`; answers whether it may still try (the same as a {@link check} after it). */
  async fail(key: string): Promise<ThrottleVerdict> {
    const { count, resetAt } = await this.#store.hit(key, Math.round(this.window * 1000));
    const now = Date.now();
    return count < this.limit
      ? { allowed: true, retryAfter: 0 }
      : { allowed: false, retryAfter: secondsUntil(resetAt, now) };
  }

  /** Forgets the failures of `key` (after a success). */
  async reset(key: string): Promise<void> {
    await this.#store.reset(key);
  }
}
