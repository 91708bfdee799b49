/**
 * Helpers shared by the HTTP tests: quiet apps, a log recorder, a real socket.
 */
import type { FastifyBaseLogger } from 'fastify';
import { type AppOptions, VoltApp } from '../../src/http/app.ts';

/** One recorded log call. */
export interface LogEntry {
  level: string;
  obj: unknown;
  msg: unknown;
}

/** A Fastify-compatible logger that records every call, for asserting what was logged. */
export function recordingLogger(): { logger: FastifyBaseLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const record =
    (level: string) =>
    (obj: unknown, msg?: unknown): void => {
      entries.push({ level, obj, msg });
    };
  const logger = {
    level: 'trace',
    fatal: record('fatal'),
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    trace: record('trace'),
    silent: () => {},
    child: () => logger,
  };
  return { logger: logger as unknown as FastifyBaseLogger, entries };
}

/** An app with no logging and no `.env` file, so tests do not depend on the machine. */
export function quietApp(options: AppOptions = {}): VoltApp {
  return new VoltApp({ logger: false, envFile: false, ...options });
}

/** Starts the app on a random port of 127.0.0.1 and answers its base URL. */
export async function listenLocal(app: VoltApp): Promise<{ host: string; port: number }> {
  await app.listen({ host: '127.0.0.1', port: 0, signals: false });
  const address = app.fastify.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return { host: '127.0.0.1', port: address.port };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it is true or `timeout` ms passed; answers whether it became true. */
export async function waitFor(check: () => boolean, timeout = 2000): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** A promise with its resolve function, to hold a handler or task until the test releases it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
