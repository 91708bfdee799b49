/**
 * Abort signals on database work (`db.withSignal(signal)`): the error a stopped statement
 * throws, a wait that ends early when the signal aborts, and signals combined by nested views.
 */
import { DatabaseAbortedError } from '../errors.ts';

/** The error of work stopped by `signal`; the signal's reason is its cause. */
export function abortedError(signal: AbortSignal): DatabaseAbortedError {
  return new DatabaseAbortedError('Database work stopped because its signal was aborted', {
    cause: signal.reason,
  });
}

/** Both signals: aborts when either does (`view.withSignal(other)`). */
export function bothSignals(first: AbortSignal | undefined, second: AbortSignal): AbortSignal {
  return first === undefined || first === second ? second : AbortSignal.any([first, second]);
}

/**
 * Resolves after `ms`, or rejects with {@link abortedError} as soon as `signal` aborts. The
 * timer keeps the process alive, as the statement waiting on it would.
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
