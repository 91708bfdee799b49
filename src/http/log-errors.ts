/**
 * How errors appear in the app's log. pino's own serializer joins an error's message with its
 * causes' (`message: cause: cause…`), so an error that wraps a driver's error of the same text
 * logs it twice (`database is locked: database is locked`). This one adds a cause's message only
 * when the text so far does not already say it; the rest (type, stack with causes, the error's
 * own fields) is what pino writes.
 */

interface ErrorLike {
  message: string;
  stack?: string;
  cause?: unknown;
  errors?: unknown;
}

function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as ErrorLike).message === 'string';
}

/** The chain of causes below `error`, each once, at most ten deep. */
function causes(error: ErrorLike): ErrorLike[] {
  const chain: ErrorLike[] = [];
  const seen = new Set<unknown>([error]);
  let cause = error.cause;
  while (isErrorLike(cause) && !seen.has(cause) && chain.length < 10) {
    chain.push(cause);
    seen.add(cause);
    cause = cause.cause;
  }
  return chain;
}

/** What the log holds of an error. */
export interface LoggedError {
  type: string;
  message: string;
  stack: string;
  [field: string]: unknown;
}

/**
 * An error as a log record: `{ type, message, stack, …own fields }`, the message naming each
 * cause once. Fastify's logger uses it for the `err` key.
 *
 * @example
 * ```ts
 * serializeError(new Error('database is locked', { cause: new Error('database is locked') })).message;
 * // 'database is locked'
 * ```
 */
export function serializeError(error: Error): LoggedError {
  const chain = causes(error);
  let message = error.message;
  for (const cause of chain) {
    if (cause.message !== '' && !message.includes(cause.message)) message += `: ${cause.message}`;
  }
  let stack = error.stack ?? '';
  for (const cause of chain) stack += `\ncaused by: ${cause.stack ?? cause.message}`;
  const out: LoggedError = {
    type: String((error as { constructor?: { name?: unknown } }).constructor?.name ?? error.name),
    message,
    stack,
  };
  const { errors } = error as ErrorLike;
  if (Array.isArray(errors))
    out.aggregateErrors = errors.map((e) => (isErrorLike(e) ? serializeError(e as Error) : e));
  for (const key in error) {
    if (key === 'cause' || out[key] !== undefined) continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (isErrorLike(value)) out[key] = serializeError(value as Error);
    else if (isData(value)) out[key] = value;
    else out[key] = `[${(value as { constructor?: { name?: string } }).constructor?.name ?? typeof value}]`;
  }
  return out;
}

/**
 * Whether a field is data worth logging as it is: a scalar, an array, or a plain object (a
 * validation error's field list, say). Anything else is an object of some library — pg puts the
 * whole `client` (its connection settings with the password among them) on an idle client's
 * error — and is logged by its class name only.
 */
function isData(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function';
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
