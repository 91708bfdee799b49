/**
 * Prints what a CPU profile taken under load says: self time by area, the top functions by
 * self time, and Volt's (and the app's) functions by inclusive time, each also per request.
 */
import type { FunctionCost, ProfileSummary } from './cpu-profile.ts';
import { formatRate, textTable } from './stats.ts';

/** Options of {@link printProfileReport}. */
export interface ProfileReportOptions {
  /** `Volt, GET /json` — what was profiled. */
  title: string;
  /** Requests served and their rate during the profiled load. */
  result: { requests: number; requestsPerSec: number };
  /** How many functions each table lists. */
  top: number;
  /** Which functions the inclusive table lists (Volt's by default). */
  own?: (f: FunctionCost) => boolean;
  /** The inclusive table's heading. */
  ownTitle?: string;
}

/** Prints the report of one profiled load to stdout. */
export function printProfileReport(summary: ProfileSummary, options: ProfileReportOptions): void {
  const { result, top } = options;
  const pct = (ms: number) => `${((ms / summary.totalMs) * 100).toFixed(1)}%`;
  const busyMs = summary.totalMs - (summary.areas.find((a) => a.area === '(idle)')?.selfMs ?? 0);
  const perRequest = (ms: number) => `${((ms * 1000) / result.requests).toFixed(2)} µs`;
  console.log(
    `${options.title}: ${formatRate(result.requestsPerSec)} req/s under the profiler, ` +
      `${result.requests} requests, ${(busyMs / 1000).toFixed(2)} s busy of ${(summary.totalMs / 1000).toFixed(2)} s\n`,
  );
  console.log('Self time by area');
  console.log(
    textTable(
      [
        ['area', 'self', 'share', 'per request'],
        ...summary.areas
          .slice(0, 15)
          .map((a) => [a.area, `${a.selfMs.toFixed(0)} ms`, pct(a.selfMs), perRequest(a.selfMs)]),
      ],
      [false, true, true, true],
    ),
  );
  const rows = (list: FunctionCost[], key: 'selfMs' | 'totalMs') => [
    ['function', 'area', key === 'selfMs' ? 'self' : 'total', 'share', 'per request'],
    ...list.map((f) => [f.name, f.area, `${f[key].toFixed(0)} ms`, pct(f[key]), perRequest(f[key])]),
  ];
  const bySelf = [...summary.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  console.log(`\nTop ${top} functions by self time`);
  console.log(textTable(rows(bySelf, 'selfMs'), [false, false, true, true, true]));
  const own = summary.functions
    .filter(options.own ?? ((f) => f.area.startsWith('volt ')))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top);
  if (own.length > 0) {
    console.log(`\n${options.ownTitle ?? 'Volt functions by inclusive time'}`);
    console.log(textTable(rows(own, 'totalMs'), [false, false, true, true, true]));
  }
}
