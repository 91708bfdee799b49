/**
 * Child processes for the benchmark: servers pinned to a core, a readiness probe, a bounded
 * stop, and a small HTTP client for checking answers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';

/** How to start one server process. */
export interface Command {
  /** The executable. */
  command: string;
  args: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory; the repository root by default. */
  cwd?: string;
}

/** A started server. */
export interface RunningServer {
  readonly child: ChildProcess;
  readonly port: number;
  /** The last lines the process wrote to stdout and stderr, for error messages. */
  output(): string;
}

const live = new Set<ChildProcess>();

// Never leave a server behind, even when the run is interrupted or crashes.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `command` pinned to CPU `cpu` with `taskset` (the pid stays the command's own). */
export function spawnPinned(cpu: string, cmd: Command): ChildProcess {
  const child = spawn('taskset', ['-c', cpu, cmd.command, ...cmd.args], {
    cwd: cmd.cwd ?? process.cwd(),
    env: { ...process.env, ...cmd.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** An HTTP answer as the checks see it. */
export interface Answer {
  status: number;
  contentType: string;
  /** Every header of the answer, names in lower case. */
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request, for checks and readiness probes (not for load). */
export interface Probe {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Sends one request with a fresh connection; rejects on a network error or after `timeoutMs`. */
export function fetchOnce(port: number, probe: Probe, timeoutMs = 5000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...probe.headers };
    if (probe.body !== undefined) headers['content-length'] = String(Buffer.byteLength(probe.body));
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: probe.method,
        path: probe.path,
        headers,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(probe.body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a server pinned to `cpu` and waits until `GET readyPath` answers (any status).
 * Throws with the process's output when it exits first or is not ready within `timeoutMs`.
 */
export async function startServer(
  cpu: string,
  cmd: Command,
  port: number,
  readyPath: string,
  timeoutMs = 30_000,
): Promise<RunningServer> {
  const child = spawnPinned(cpu, cmd);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  const server: RunningServer = { child, port, output: () => tail.trim() };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${cmd.command} ${exited} before it was ready:\n${server.output()}`);
    try {
      await fetchOnce(port, { method: 'GET', path: readyPath }, 1000);
      return server;
    } catch {
      await sleep(50);
    }
  }
  await stopProcess(child);
  throw new Error(`${cmd.command} was not ready within ${timeoutMs} ms:\n${server.output()}`);
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Runs a command to completion and returns its stdout; rejects on a non-zero exit or after `timeoutMs`. */
export function capture(command: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} failed (${signal ?? `code ${code}`}): ${err.trim() || out.trim()}`,
          ),
        );
    });
  });
}
