/**
 * One server profiled under load: started with `--cpu-prof` (100 µs sampling), loaded after a
 * 2 s warm-up that the summary leaves out, stopped (the profile is written when the process
 * exits on SIGTERM), and its profile summarized over the measured load only.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProfileSummary, summarizeProfile } from './cpu-profile.ts';
import { type Command, startServer, stopProcess } from './processes.ts';
import type { WrkResult } from './wrk.ts';

/** Options of {@link profileUnderLoad}. */
export interface ProfiledLoadOptions {
  /** How to start the server; the profiler flags are put before its arguments. */
  command: Command;
  /** The port the command listens on. */
  port: number;
  /** A path that answers once the server is up. */
  readyPath: string;
  /** Runs once the server is up, before any load (to check its answers); throws to stop. */
  check?: () => Promise<void>;
  /** Loads the server for that many seconds. */
  load: (seconds: number) => Promise<WrkResult>;
  /** Seconds of measured load. */
  seconds: number;
}

/** A profiled load: the measured run and where its CPU time went. */
export interface ProfiledLoad {
  result: WrkResult;
  summary: ProfileSummary;
}

/**
 * Starts the server under the profiler, loads it, stops it and summarizes its profile. The
 * server is stopped and the profile folder removed whatever happens.
 */
export async function profileUnderLoad(options: ProfiledLoadOptions): Promise<ProfiledLoad> {
  const dir = mkdtempSync(join(tmpdir(), 'volt-profile-'));
  try {
    // 100 µs sampling: a request takes tens of microseconds.
    const flags = ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100'];
    const command = { ...options.command, args: [...flags, ...options.command.args] };
    const running = await startServer('0', command, options.port, options.readyPath);
    try {
      await options.check?.();
      // Warm up (JIT, caches), then keep only the samples taken during the measured load.
      await options.load(2);
      const fromUs = Number(process.hrtime.bigint() / 1000n);
      const result = await options.load(options.seconds);
      const toUs = Number(process.hrtime.bigint() / 1000n);
      await stopProcess(running.child, 15_000);
      const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
      if (!file) throw new Error(`no profile written; server output:\n${running.output()}`);
      const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), { fromUs, toUs });
      return { result, summary };
    } finally {
      await stopProcess(running.child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
