/**
 * One server under load, as bench/crud and bench/admin measure it: wrk after the server went
 * idle (and a warm-up), the server's CPU time per request and the CPU stall meanwhile; the
 * medians of a server's rounds; the line a round prints.
 */
import { cpuTime, waitForIdle } from './cpu.ts';
import { cpuStallUs } from './pressure.ts';
import { errorsOf } from './report.ts';
import { formatMs, formatRate, median } from './stats.ts';
import type { WrkResult } from './wrk.ts';

/** One measured wrk run: its result, the server's CPU per request, the share of time stalled. */
export interface LoadMeasurement extends WrkResult {
  cpuUsPerRequest: number | undefined;
  stall: number | undefined;
}

/** The medians of one server's rounds. */
export interface LoadCell<S extends string> {
  server: S;
  rounds: LoadMeasurement[];
  rps: number;
  p50: number;
  p99: number;
  cpuUs: number | undefined;
  errors: number;
}

/** The medians of `rounds`, and their errors summed. */
export function summarizeLoad<S extends string>(server: S, rounds: LoadMeasurement[]): LoadCell<S> {
  const cpu = rounds.map((r) => r.cpuUsPerRequest);
  return {
    server,
    rounds,
    rps: median(rounds.map((r) => r.requestsPerSec)),
    p50: median(rounds.map((r) => r.latencyMs.p50)),
    p99: median(rounds.map((r) => r.latencyMs.p99)),
    cpuUs: cpu.every((c) => c !== undefined) ? median(cpu as number[]) : undefined,
    errors: rounds.reduce((sum, r) => sum + errorsOf(r), 0),
  };
}

/**
 * Loads the server `pid` with `wrk(seconds)` and measures it. Each load starts on an idle server
 * (`waitForIdle()`: a gunicorn worker still answers what its backlog held when wrk stopped),
 * after `warmupSeconds` of load that is not recorded, and the server is left idle again before
 * the next one is measured: servers share the pinned core, and a worker draining its backlog
 * would otherwise take CPU from the next server's measurement.
 */
export async function measureLoad(
  pid: number,
  wrk: (seconds: number) => Promise<WrkResult>,
  warmupSeconds: number,
  seconds: number,
): Promise<LoadMeasurement> {
  await waitForIdle(pid);
  if (warmupSeconds > 0) {
    await wrk(warmupSeconds);
    await waitForIdle(pid);
  }
  const cpuBefore = cpuTime(pid);
  const stallBefore = cpuStallUs();
  const result = await wrk(seconds);
  const stallAfter = cpuStallUs();
  const cpuAfter = cpuTime(pid);
  await waitForIdle(pid);
  const cpuMs =
    cpuBefore && cpuAfter
      ? cpuAfter.userMs - cpuBefore.userMs + cpuAfter.systemMs - cpuBefore.systemMs
      : undefined;
  return {
    ...result,
    cpuUsPerRequest: cpuMs === undefined ? undefined : (cpuMs * 1000) / result.requests,
    stall:
      stallBefore !== undefined && stallAfter !== undefined
        ? (stallAfter - stallBefore) / (seconds * 1e6)
        : undefined,
  };
}

/** The line a round prints: rate, latencies, CPU per request, stall, errors. */
export function roundLine(round: number, rounds: number, label: string, m: LoadMeasurement): string {
  const errors = errorsOf(m);
  return (
    `round ${round + 1}/${rounds}  ${label.padEnd(12)} ${formatRate(m.requestsPerSec).padStart(7)} req/s` +
    `  p50 ${formatMs(m.latencyMs.p50)}  p99 ${formatMs(m.latencyMs.p99)}` +
    (m.cpuUsPerRequest === undefined ? '' : `  CPU ${m.cpuUsPerRequest.toFixed(0)} µs/req`) +
    (m.stall === undefined ? '' : `  stall ${Math.round(m.stall * 100)}%`) +
    (errors > 0 ? `  ERRORS ${errors}` : '')
  );
}
