/**
 * Runs wrk pinned to its own core and parses its `--latency` report.
 */
import { capture } from './processes.ts';

/** What one wrk run measured. */
export interface WrkResult {
  requestsPerSec: number;
  /** Latency percentiles in milliseconds. */
  latencyMs: { p50: number; p75: number; p90: number; p99: number };
  requests: number;
  /** Responses with a status outside 2xx/3xx. */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

/** Options of one wrk run. */
export interface WrkOptions {
  url: string;
  seconds: number;
  connections: number;
  threads: number;
  /** A Lua script path. */
  script?: string | undefined;
  /** The CPU list wrk is pinned to. */
  cpu: string;
  /** Seconds before wrk counts a request as timed out (wrk's default: 2). */
  timeoutSeconds?: number | undefined;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function toMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`wrk: cannot read the duration "${text}"`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** Parses wrk's text report (run with `--latency`). Throws when a figure is missing. */
export function parseWrk(output: string): WrkResult {
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(output);
    if (!match) throw new Error(`wrk: no ${p}% latency in:\n${output}`);
    return toMs(match[1]!);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const total = /^\s*(\d+) requests in/m.exec(output);
  if (!rps || !total) throw new Error(`wrk: no Requests/sec in:\n${output}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  return {
    requestsPerSec: Number(rps[1]),
    latencyMs: { p50: percentile('50'), p75: percentile('75'), p90: percentile('90'), p99: percentile('99') },
    requests: Number(total[1]),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: {
      connect: socket ? Number(socket[1]) : 0,
      read: socket ? Number(socket[2]) : 0,
      write: socket ? Number(socket[3]) : 0,
      timeout: socket ? Number(socket[4]) : 0,
    },
  };
}

/** Runs wrk once (bounded: killed 30 s after its own duration) and parses the report. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    ...['-c', options.cpu, 'wrk', '--latency'],
    ...['-t', String(options.threads), '-c', String(options.connections), '-d', `${options.seconds}s`],
    ...(options.script ? ['-s', options.script] : []),
    ...(options.timeoutSeconds ? ['--timeout', `${options.timeoutSeconds}s`] : []),
    options.url,
  ];
  const output = await capture(
    'taskset',
    args,
    (options.seconds + 30 + (options.timeoutSeconds ?? 0)) * 1000,
  );
  return parseWrk(output);
}
