/**
 * The one Redis client contract of Volt's Redis stores (sessions, throttles): a connected client
 * of `redis` (node-redis v4/v5, `createClient()`) or of `ioredis` (`new Redis()`), passed as it
 * is — no adapter. Volt depends on neither library: the stores send every command, scripts
 * included (`EVAL`), through the generic command method each has, found at runtime.
 */

/** node-redis (v4, v5): `sendCommand(['SET', key, value], { abortSignal })`. */
export interface NodeRedisCommands {
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** ioredis (v5, v6): `call('SET', [key, value])`. */
export interface IoRedisCommands {
  call(command: string, args: string[]): Promise<unknown>;
}

/**
 * A Redis client the stores accept: either library's client as it is. Both are also read for
 * their `error`/`ready` events and whether they say they are connected (node-redis `isReady`,
 * ioredis `status`), when they have them.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * new RedisSessionStore(await createClient({ url }).connect());
 * // or
 * import Redis from 'ioredis';
 * new RedisSessionStore(new Redis(url));
 * ```
 */
export type RedisClient = NodeRedisCommands | IoRedisCommands;

/** Whether `value` is a client the Redis stores can use. */
export function isRedisClient(value: unknown): value is RedisClient {
  if (typeof value !== 'object' || value === null) return false;
  const { call, sendCommand } = value as { call?: unknown; sendCommand?: unknown };
  return typeof call === 'function' || typeof sendCommand === 'function';
}

/**
 * Sends one command (`['EVAL', script, '1', key]`) and answers its reply. `signal` drops a
 * command node-redis has not sent yet (ioredis has no such option: its command is sent once it
 * can be, and its reply ignored).
 *
 * @example
 * ```ts
 * await redisCommand(client, ['SET', 'k', 'v', 'PX', '1000']);
 * ```
 */
export function redisCommand(client: RedisClient, args: string[], signal?: AbortSignal): Promise<unknown> {
  // ioredis first: its clients also have a `sendCommand`, which takes a Command object.
  if (typeof (client as IoRedisCommands).call === 'function') {
    const [command, ...rest] = args;
    return (client as IoRedisCommands).call(command!, rest);
  }
  return (client as NodeRedisCommands).sendCommand(args, signal ? { abortSignal: signal } : undefined);
}
