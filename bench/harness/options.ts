/**
 * Command-line options of `npm run bench`.
 */
import { parseArgs } from 'node:util';
import { SCENARIO_IDS, type ScenarioId } from '../scenarios/index.ts';
import { PEER_IDS, type PeerId } from './peers.ts';

/** The checked options of a run. */
export interface BenchOptions {
  /** Seconds wrk measures each server in each scenario and round. */
  seconds: number;
  /** Seconds of load before each measurement (not recorded). */
  warmupSeconds: number;
  connections: number;
  /** wrk threads; one, since wrk has one core. */
  threads: number;
  rounds: number;
  servers: PeerId[];
  scenarios: ScenarioId[];
  /** Run the load scenarios. */
  load: boolean;
  /** Run the cold-start measurement. */
  coldStart: boolean;
  /** Spawns per server in the cold-start measurement. */
  coldRuns: number;
  /** The CPU the servers are pinned to, and wrk's. */
  serverCpu: string;
  clientCpu: string;
  /** Where the JSON results go. */
  out: string;
  /** Re-print the tables of a saved JSON result instead of measuring. */
  report: string | undefined;
}

/** The usage text. */
export const USAGE = `Usage: npm run bench -- [options]

  --duration <10s>      measured time per server, scenario and round (whole seconds: 10s, 1m)
  --warmup <2s>         load before each measurement, not recorded (0 for none)
  --connections <64>    open connections (wrk -c)
  --threads <1>         wrk threads (wrk runs on one core)
  --rounds <3>          rounds; the report shows the median across rounds
  --only <ids>          servers, comma-separated: ${PEER_IDS.join(',')}
  --scenarios <ids>     scenarios, comma-separated: ${SCENARIO_IDS.join(',')}
  --quick               a smoke run: 3s, 1s warm-up, 1 round, 5 cold starts
  --cold-start          measure only the cold start
  --no-cold-start       skip the cold start
  --cold-runs <15>      spawns per server for the cold start
  --server-cpu <0>      taskset CPU list for the servers
  --client-cpu <1>      taskset CPU list for wrk
  --out <path>          JSON results (bench/results/latest.json)
  --report <path>       re-print the tables of a saved JSON result (no measuring)
  --help`;

/** A duration flag in whole seconds (`10s`, `1m`, `10`), at least `min`: wrk takes whole seconds (or minutes) only. */
export function seconds(text: string, flag: string, min = 1): number {
  const match = /^(\d+)(s|m)?$/.exec(text.trim());
  const value = match ? Number(match[1]) * (match[2] === 'm' ? 60 : 1) : -1;
  if (value < min) throw new Error(`${flag} must be whole seconds like 10s or 1m, got "${text}"`);
  return value;
}

/** A flag holding a whole number ≥ 1. */
export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number ≥ 1, got "${text}"`);
  return n;
}

/** A comma-separated list of ids, each one of `allowed`, returned in the order of `allowed`. */
export function list<T extends string>(text: string, allowed: readonly T[], flag: string): T[] {
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !(allowed as readonly string[]).includes(id));
  if (unknown.length > 0)
    throw new Error(`${flag}: unknown ${unknown.join(', ')}; choose from ${allowed.join(', ')}`);
  // Keep the canonical order so tables always read the same way.
  return allowed.filter((id) => ids.includes(id));
}

/** Parses the command line. Throws an error naming the bad flag. Returns `undefined` for `--help`. */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowNegative: true,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      scenarios: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'cold-start': { type: 'boolean' },
      'cold-runs': { type: 'string' },
      'server-cpu': { type: 'string' },
      'client-cpu': { type: 'string' },
      out: { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick;
  const coldOnly = values['cold-start'] === true;
  return {
    seconds: values.duration ? seconds(values.duration, '--duration') : quick ? 3 : 10,
    warmupSeconds: values.warmup ? seconds(values.warmup, '--warmup', 0) : quick ? 1 : 2,
    connections: values.connections ? positiveInt(values.connections, '--connections') : 64,
    threads: values.threads ? positiveInt(values.threads, '--threads') : 1,
    rounds: values.rounds ? positiveInt(values.rounds, '--rounds') : quick ? 1 : 3,
    servers: values.only ? list(values.only, PEER_IDS, '--only') : [...PEER_IDS],
    scenarios: values.scenarios ? list(values.scenarios, SCENARIO_IDS, '--scenarios') : [...SCENARIO_IDS],
    load: !coldOnly,
    coldStart: values['cold-start'] !== false,
    coldRuns: values['cold-runs'] ? positiveInt(values['cold-runs'], '--cold-runs') : quick ? 5 : 15,
    serverCpu: values['server-cpu'] ?? '0',
    clientCpu: values['client-cpu'] ?? '1',
    out: values.out ?? 'bench/results/latest.json',
    report: values.report,
  };
}

/**
 * The options every one-page load benchmark shares (bench/crud, bench/admin, bench/auth): its
 * rounds, the load of each measurement, the servers, the cores, where the results go.
 */
export interface LoadOptions<S extends string> {
  rounds: number;
  /** Seconds wrk measures each server in each round. */
  seconds: number;
  /** Seconds of load before each measurement (not recorded). */
  warmupSeconds: number;
  connections: number;
  servers: S[];
  /** The CPU list the servers are pinned to, and wrk's. */
  serverCpu: string;
  clientCpu: string;
  /** Where the JSON results go (the tables beside it as .md). */
  out: string;
}

/** `parseArgs` definitions of the {@link LoadOptions} flags, to spread into a runner's own. */
export const LOAD_FLAGS = {
  rounds: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string' },
  only: { type: 'string' },
  'server-cpu': { type: 'string' },
  'client-cpu': { type: 'string' },
  out: { type: 'string' },
} as const;

/** What `parseArgs` gives for {@link LOAD_FLAGS}. */
export type LoadFlagValues = { [K in keyof typeof LOAD_FLAGS]?: string | undefined };

/** A runner's own defaults: its rounds and its results file. */
export interface LoadDefaults {
  rounds: number;
  out: string;
}

/** The {@link LoadOptions} of parsed flags, checked; throws naming a bad flag. */
export function loadOptions<S extends string>(
  values: LoadFlagValues,
  servers: readonly S[],
  defaults: LoadDefaults,
): LoadOptions<S> {
  return {
    rounds: values.rounds ? positiveInt(values.rounds, '--rounds') : defaults.rounds,
    seconds: values.duration ? seconds(values.duration, '--duration', 1) : 5,
    warmupSeconds: values.warmup ? seconds(values.warmup, '--warmup', 0) : 1,
    connections: values.connections ? positiveInt(values.connections, '--connections') : 64,
    servers: values.only ? list(values.only, servers, '--only') : [...servers],
    serverCpu: values['server-cpu'] ?? '0',
    clientCpu: values['client-cpu'] ?? '1',
    out: values.out ?? defaults.out,
  };
}

/** The usage lines of the {@link LoadOptions} flags; `extra` lines go after `--connections`. */
export function loadUsage(
  command: string,
  servers: readonly string[],
  defaults: LoadDefaults,
  extra: readonly string[] = [],
): string {
  return [
    `Usage: ${command} -- [options]`,
    '',
    `  --rounds <${defaults.rounds}>          rounds; the report shows the median across rounds`,
    '  --duration <5s>       measured time per server and round (whole seconds)',
    '  --warmup <1s>         load before each measurement, not recorded (0 for none)',
    '  --connections <64>    open connections (wrk -c)',
    ...extra,
    `  --only <ids>          servers, comma-separated: ${servers.join(',')}`,
    '  --server-cpu <0>      taskset CPU list for the servers',
    '  --client-cpu <1>      taskset CPU list for wrk',
    `  --out <path>          JSON results (${defaults.out}; the tables go beside it as .md)`,
    '  --help',
  ].join('\n');
}
