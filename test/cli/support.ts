/**
 * Helpers for the `volt` command tests: run the CLI from source in a child process, as
 * `npm start` does, and wait for a server it starts.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { run } from '../../src/cli/main.ts';

/** The repository root: the working directory of every run unless a test says otherwise. */
export const root = join(import.meta.dirname, '..', '..');
/** The CLI's entry point, run from source. */
export const main = join(root, 'src', 'cli', 'main.ts');
/** The hello example, the app most tests inspect. */
export const helloApp = join(root, 'examples', 'hello', 'app.ts');

/** Options of {@link volt} and {@link spawnVolt}. */
export interface RunOptions {
  /** Variables set over a clean copy of the environment (`undefined` removes one). */
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** What a finished run printed and how it exited. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function environment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // VOLT_ENV=test keeps the app silent; HOST/PORT from the machine must not leak in.
  const env: NodeJS.ProcessEnv = { ...process.env, VOLT_ENV: 'test', HOST: undefined, PORT: undefined };
  // Under `node --test` this variable would make the child report to the runner instead of printing.
  delete env.NODE_TEST_CONTEXT;
  for (const [key, value] of Object.entries({ HOST: undefined, PORT: undefined, ...overrides })) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Starts `volt <args>` from source without waiting for it. */
export function spawnVolt(args: string[], options: RunOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--conditions=volt-source', main, ...args], {
    cwd: options.cwd ?? root,
    env: environment(options.env),
  });
}

/** Collects a child's output until it exits. */
export async function finished(child: ChildProcessWithoutNullStreams): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** Runs `volt <args>` from source to completion. */
export function volt(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return finished(spawnVolt(args, options));
}

/** A running server started by the CLI. */
export interface RunningServer {
  child: ChildProcessWithoutNullStreams;
  /** The address from the first `Volt listening on …` line. */
  url: string;
  /** Resolves with the address of the next `Volt listening on …` line (after a dev restart). */
  nextListen(timeoutMs?: number): Promise<string>;
  /** Resolves when the process exits, with everything it printed. */
  result: Promise<RunResult>;
}

const LISTENING = /Volt listening on (\S+)\n/g;

/**
 * Starts `volt <args>` and resolves once it prints its `Volt listening on` line. Rejects if the
 * process exits first or takes longer than `timeoutMs`.
 */
export async function startServer(
  args: string[],
  options: RunOptions = {},
  timeoutMs = 15_000,
): Promise<RunningServer> {
  const child = spawnVolt(args, options);
  const result = finished(child);
  let seen = '';
  const urls: string[] = [];
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: string) => {
    seen += chunk;
    urls.splice(0, urls.length, ...[...seen.matchAll(LISTENING)].map((match) => match[1]!));
    for (const wake of waiters.splice(0)) wake();
  });
  const urlNumber = (index: number, ms: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (urls[index] === undefined) return false;
        clearTimeout(timer);
        resolve(urls[index]);
        return true;
      };
      const timer = setTimeout(
        () => reject(new Error(`no "Volt listening on" line #${index + 1} within ${ms} ms:\n${seen}`)),
        ms,
      );
      const wait = () => {
        if (!check()) waiters.push(wait);
      };
      wait();
      result.then((r) => {
        clearTimeout(timer);
        reject(new Error(`volt exited (${r.code ?? r.signal}) before listening:\n${r.stdout}${r.stderr}`));
      });
    });
  let listened = 1;
  try {
    const url = await urlNumber(0, timeoutMs);
    return { child, url, result, nextListen: (ms = timeoutMs) => urlNumber(listened++, ms) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/**
 * Runs the CLI in this process through `run()`, for checks that need no app and no exit: the
 * process-level wiring (exit codes, streams) is covered by the spawned runs.
 */
export async function voltInProcess(args: string[], cwd = root): Promise<Omit<RunResult, 'signal'>> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    cwd,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** A stack trace line, which CLI messages for user mistakes must never contain. */
export const STACK_LINE = /^\s+at /m;
