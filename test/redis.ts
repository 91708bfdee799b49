import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';

/**
 * The Redis server the Redis-store tests use: `VOLT_TEST_REDIS` (CI sets it and starts
 * Redis). Without it those tests are skipped with this reason, shown in the test report.
 */
export const REDIS_URL: string | undefined = process.env.VOLT_TEST_REDIS || undefined;

/** The skip reason when no Redis is configured, else `false`. */
export const REDIS_SKIP: string | false = REDIS_URL
  ? false
  : 'Redis: VOLT_TEST_REDIS is not set (e.g. redis://127.0.0.1:6379)';

if (!REDIS_URL && process.env.CI === 'true')
  throw new Error('VOLT_TEST_REDIS must be set under CI=true: .ci/run starts Redis and sets it');

/**
 * A Redis server of the test's own, on a free port, for fault tests: they stop and restart it
 * without touching the shared one. `undefined` (the test skips) when `redis-server` is not
 * installed, unless CI=true, where that is an error.
 */
export async function privateRedis(): Promise<PrivateRedis | undefined> {
  const binary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
  if (!binary) {
    if (process.env.CI === 'true') throw new Error('redis-server must be installed under CI=true');
    return undefined;
  }
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  let child: ChildProcess | undefined;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        binary,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--loglevel',
          'warning',
        ],
        { stdio: 'ignore' },
      );
      for (let tries = 0; ; tries++) {
        const up = await new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.end();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        });
        if (up) return;
        if (tries > 100) throw new Error(`the private redis-server on port ${port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    signal(signal) {
      child?.kill(signal);
    },
    async stop(signal = 'SIGKILL') {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGCONT');
      running.kill(signal);
      await exited;
    },
  };
  await redis.start();
  return redis;
}

/** A private redis-server process (see {@link privateRedis}). */
export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** Starts it (again) on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Sends a signal (`SIGSTOP` freezes it, `SIGCONT` resumes it). */
  signal(signal: NodeJS.Signals): void;
  /** Stops it (SIGKILL by default) and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}
