/**
 * Turns the rounds of wrk runs into median tables, Volt's ratios and the JSON record.
 */
import type { ScenarioId } from '../scenarios/index.ts';
import { PEERS, type PeerId } from './peers.ts';
import { formatMs, formatRate, markdownTable, median, textTable } from './stats.ts';
import type { WrkResult } from './wrk.ts';

/** One measured wrk run and the CPU time the server used meanwhile. */
export interface Measurement extends WrkResult {
  seconds: number;
  /** CPU milliseconds of the server's process tree during the run; unknown without /proc. */
  serverCpuMs: number | undefined;
  /** The part of `serverCpuMs` spent in the kernel (socket reads and writes, mostly). */
  serverSystemMs: number | undefined;
  /** Share of the run during which some task waited for a CPU (Linux PSI); high means contention. */
  cpuPressure: number | undefined;
}

/** The median figures of one server in one scenario. */
export interface Cell {
  server: PeerId;
  rounds: Measurement[];
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU microseconds per request. */
  cpuUsPerRequest: number | undefined;
  /** Share of one core the server used while loaded (1 = saturated; less means it waited). */
  cpuBusy: number | undefined;
  /** Share of the server's CPU time spent in the kernel. */
  systemShare: number | undefined;
  /** This server's CPU per request divided by Volt's (Volt's own row is 1). */
  voltCpuRatio: number | undefined;
  /** Non-2xx responses and socket errors, summed over the rounds. */
  errors: number;
  /** Volt's req/s divided by this server's (Volt's own row is 1). */
  voltRatio: number | undefined;
  /** Volt's req/s divided by this server's within each round (measured minutes apart at most). */
  roundRatios: number[];
  /** The median of `roundRatios`: less exposed to one noisy round than the ratio of medians. */
  pairedRatio: number | undefined;
}

/** One scenario's results (the id of a scenario of `npm run bench`, or of another runner's test). */
export interface ScenarioResult<I extends string = ScenarioId> {
  id: I;
  title: string;
  cells: Cell[];
}

/** A bar Volt must clear: its req/s at least `min` times the peer's in the scenario. */
export interface Bar {
  scenario: ScenarioId;
  peer: PeerId;
  min: number;
}

/** The bars from the design goals: ≥ 0.9× bare Fastify and ≥ 3× FastAPI on /json and the POST. */
export const BARS: readonly Bar[] = [
  { scenario: 'json', peer: 'fastify', min: 0.9 },
  { scenario: 'json', peer: 'fastapi', min: 3 },
  { scenario: 'items', peer: 'fastify', min: 0.9 },
  { scenario: 'items', peer: 'fastapi', min: 3 },
];

/** A bar and what was measured against it. */
export interface BarCheck extends Bar {
  ratio: number | undefined;
  /** Volt ÷ peer in each round, and their median. */
  roundRatios: number[];
  pairedRatio: number | undefined;
  met: boolean | undefined;
}

/** Non-2xx responses plus socket errors of one run. */
export function errorsOf(result: WrkResult): number {
  const s = result.socketErrors;
  return result.non2xx + s.connect + s.read + s.write + s.timeout;
}

/** Reduces rounds of measurements to medians and ratios. */
export function summarize<I extends string>(
  id: I,
  title: string,
  runs: ReadonlyMap<PeerId, Measurement[]>,
): ScenarioResult<I> {
  const cells: Cell[] = [];
  for (const [server, rounds] of runs) {
    if (rounds.length === 0) continue;
    const withCpu = rounds.filter((r) => r.serverCpuMs !== undefined && r.requests > 0);
    const cpuKnown = withCpu.length === rounds.length;
    cells.push({
      server,
      rounds,
      rps: median(rounds.map((r) => r.requestsPerSec)),
      p50Ms: median(rounds.map((r) => r.latencyMs.p50)),
      p99Ms: median(rounds.map((r) => r.latencyMs.p99)),
      cpuUsPerRequest: cpuKnown
        ? median(withCpu.map((r) => (r.serverCpuMs! * 1000) / r.requests))
        : undefined,
      cpuBusy: cpuKnown ? median(withCpu.map((r) => r.serverCpuMs! / (r.seconds * 1000))) : undefined,
      systemShare: cpuKnown
        ? median(withCpu.map((r) => (r.serverSystemMs ?? 0) / (r.serverCpuMs! || 1)))
        : undefined,
      errors: rounds.reduce((sum, r) => sum + errorsOf(r), 0),
      voltRatio: undefined,
      voltCpuRatio: undefined,
      roundRatios: [],
      pairedRatio: undefined,
    });
  }
  const volt = cells.find((c) => c.server === 'volt');
  for (const cell of cells) {
    cell.voltRatio = volt ? volt.rps / cell.rps : undefined;
    cell.voltCpuRatio =
      volt?.cpuUsPerRequest && cell.cpuUsPerRequest ? cell.cpuUsPerRequest / volt.cpuUsPerRequest : undefined;
    if (!volt || volt.rounds.length !== cell.rounds.length) continue;
    cell.roundRatios = cell.rounds.map((r, i) => volt.rounds[i]!.requestsPerSec / r.requestsPerSec);
    cell.pairedRatio = median(cell.roundRatios);
  }
  return { id, title, cells };
}

/** Checks the bars against the results (a bar whose scenario or peer did not run stays unknown). */
export function checkBars(results: readonly ScenarioResult[]): BarCheck[] {
  return BARS.map((bar) => {
    const cell = results.find((r) => r.id === bar.scenario)?.cells.find((c) => c.server === bar.peer);
    const ratio = cell?.voltRatio;
    return {
      ...bar,
      ratio,
      roundRatios: cell?.roundRatios ?? [],
      pairedRatio: cell?.pairedRatio,
      met: ratio === undefined ? undefined : ratio >= bar.min,
    };
  });
}

const ratioText = (ratio: number | undefined) => (ratio === undefined ? '–' : `${ratio.toFixed(2)}×`);

function rows(result: ScenarioResult): string[][] {
  return [
    [
      'server',
      'req/s',
      'p50',
      'p99',
      'Volt ÷ server',
      'per round',
      'CPU/req',
      'in kernel',
      'CPU busy',
      'errors',
    ],
    ...result.cells.map((c) => [
      PEERS[c.server].label,
      formatRate(c.rps),
      formatMs(c.p50Ms),
      formatMs(c.p99Ms),
      ratioText(c.voltRatio),
      c.server === 'volt' ? '' : c.roundRatios.map((r) => r.toFixed(2)).join(' '),
      c.cpuUsPerRequest === undefined ? '–' : `${c.cpuUsPerRequest.toFixed(1)} µs`,
      c.systemShare === undefined ? '–' : `${Math.round(c.systemShare * 100)}%`,
      c.cpuBusy === undefined ? '–' : `${Math.round(c.cpuBusy * 100)}%`,
      String(c.errors),
    ]),
  ];
}

const RIGHT = [false, true, true, true, true, true, true, true, true, true];

/** The line of named ratios under each table: Volt/Fastify, Volt/FastAPI and the rest. */
function ratioLine(result: ScenarioResult): string {
  return result.cells
    .filter((c) => c.server !== 'volt' && c.voltRatio !== undefined)
    .map((c) => `Volt/${PEERS[c.server].label} = ${ratioText(c.voltRatio)}`)
    .join(', ');
}

/** Renders one scenario as a text table. */
export function formatScenario(result: ScenarioResult): string {
  const line = ratioLine(result);
  return [`${result.title}`, textTable(rows(result), RIGHT), ...(line ? [line] : [])].join('\n');
}

/** Renders the bar checks as text lines. */
export function formatBars(checks: readonly BarCheck[]): string {
  return checks
    .map((c) => {
      const verdict = c.met === undefined ? 'NOT MEASURED' : c.met ? 'MET' : 'MISSED';
      const rounds =
        c.roundRatios.length > 1 ? `; per round ${c.roundRatios.map((r) => r.toFixed(2)).join(', ')}` : '';
      return (
        `/${c.scenario}: Volt/${PEERS[c.peer].label} = ${ratioText(c.ratio)} (bar ≥ ${c.min}×) ${verdict}` +
        `${rounds}`
      );
    })
    .join('\n');
}

/** Renders one scenario as Markdown, for docs/benchmarks.md. */
export function markdownScenario(result: ScenarioResult): string {
  const line = ratioLine(result);
  return [`**${result.title}**`, '', markdownTable(rows(result), RIGHT), ...(line ? ['', line] : [])].join(
    '\n',
  );
}
