/**
 * One server under load, as bench/crud and bench/admin measure it: wrk after the server went
 * idle (and a warm-up), the server's CPU time per request and the CPU stall meanwhile; the
 * medians of a server's rounds; the line a round prints.
 */
import { cpuTime, waitForIdle } from './cpu.ts';
import { cpuStallUs } from './pressure.ts';
import { errorsOf } from './report.ts';
import { formatMs, formatRate, median } from './stats.ts';
import { runWrk, type WrkResult } from './wrk.ts';

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

/**
 * The table of a run: each server's medians, the subject's rate over each server's (median and
 * per round), CPU per request and its ratio to the subject's, errors. `label` names a server;
 * `subject` is the server the ratios are of (none: ratios are left blank).
 */
export function loadRows<S extends string>(
  cells: readonly LoadCell<S>[],
  label: (server: S) => string,
  subject: LoadCell<S> | undefined,
  subjectName = '–',
): string[][] {
  return [
    [
      'server',
      'req/s',
      'p50',
      'p99',
      `${subject ? label(subject.server) : subjectName} ÷ server`,
      'per round',
      'CPU/req',
      'CPU ratio',
      'errors',
    ],
    ...cells.map((c) => [
      label(c.server),
      formatRate(c.rps),
      formatMs(c.p50),
      formatMs(c.p99),
      subject ? `${(subject.rps / c.rps).toFixed(2)}×` : '–',
      !subject || c === subject
        ? ''
        : c.rounds.map((r, i) => (subject.rounds[i]!.requestsPerSec / r.requestsPerSec).toFixed(2)).join(' '),
      c.cpuUs === undefined ? '–' : `${c.cpuUs.toFixed(0)} µs`,
      c.cpuUs === undefined || subject?.cpuUs === undefined
        ? '–'
        : `${(c.cpuUs / subject.cpuUs).toFixed(2)}×`,
      String(c.errors),
    ]),
  ];
}

/** Which columns of {@link loadRows} are right-aligned. */
export const LOAD_RIGHT: boolean[] = [false, true, true, true, true, true, true, true, true];

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

/** What {@link loadRounds} needs of a server: its pid, and what wrk sends it. */
export interface LoadTarget {
  pid: number;
  url: string;
  /** A wrk Lua script (a cookie, say). */
  script?: string | undefined;
}

/** The load of each measurement of {@link loadRounds}. */
export interface RoundOptions {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  clientCpu: string;
  /** Seconds before wrk counts a request as timed out. */
  timeoutSeconds?: number | undefined;
}

/**
 * Measures every server `rounds` times, one at a time ({@link measureLoad}), rotating their
 * order each round so that none is always first or last; prints each round's line and returns
 * each server's medians, in the order of `servers`.
 */
export async function loadRounds<S extends string>(
  servers: readonly S[],
  target: (id: S) => LoadTarget,
  options: RoundOptions,
  label: (id: S) => string,
  log: (line: string) => void,
): Promise<LoadCell<S>[]> {
  const runs = new Map(servers.map((id) => [id, [] as LoadMeasurement[]]));
  for (let round = 0; round < options.rounds; round++) {
    const shift = round % servers.length;
    for (const id of [...servers.slice(shift), ...servers.slice(0, shift)]) {
      const { pid, url, script } = target(id);
      const wrk = (seconds: number) =>
        runWrk({
          url,
          seconds,
          connections: options.connections,
          threads: 1,
          script,
          cpu: options.clientCpu,
          timeoutSeconds: options.timeoutSeconds,
        });
      const m = await measureLoad(pid, wrk, options.warmupSeconds, options.seconds);
      runs.get(id)!.push(m);
      log(roundLine(round, options.rounds, label(id), m));
    }
  }
  return servers.map((id) => summarizeLoad(id, runs.get(id)!));
}

/** The line on the CPU stall of a run's measurements (median and max); empty without any. */
export function stallLine(cells: readonly LoadCell<string>[]): string {
  const stalls = cells.flatMap((c) => c.rounds.map((r) => r.stall ?? 0));
  if (stalls.length === 0) return '';
  return (
    `CPU stall (Linux PSI) during the measurements: median ${Math.round(median(stalls) * 100)}%, ` +
    `max ${Math.round(Math.max(...stalls) * 100)}%`
  );
}
