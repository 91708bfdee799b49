import { parseArgs } from 'node:util';
import pg from 'pg';
import { clockTicks, cpuTime } from '../harness/cpu.ts';
import { requireTool, startRun } from '../harness/machine.ts';
import { list, positiveInt, seconds } from '../harness/options.ts';
import { PEER_IDS, PEERS, type PeerId } from '../harness/peers.ts';
import { cpuStallUs } from '../harness/pressure.ts';
import { freePort, type RunningServer, startServer, stopProcess } from '../harness/processes.ts';
import { type Cell, errorsOf, type Measurement, type ScenarioResult, summarize } from '../harness/report.ts';
import { runMain, writeResults } from '../harness/results.ts';
import { formatMs, formatRate, markdownTable, median, textTable } from '../harness/stats.ts';
import { runWrk } from '../harness/wrk.ts';
import { DB_TESTS, loadPath, TEST_IDS, type TestId, TITLES } from './checks.ts';
import { applicationName, BackendCpu, DATABASE, databaseUrl, prepareDatabase } from './database.ts';
import { TFB_SERVERS } from './peers.ts';
import { verifyServer } from './verify.ts';

const log = (line = '') => console.log(line);

/** The checked options of a run. */
interface Options {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  servers: PeerId[];
  tests: TestId[];
  /** Rows per request of queries and updates. */
  queries: number;
  /** Rows per request of cached-queries. */
  cachedCount: number;
  serverCpu: string;
  clientCpu: string;
  /** The PostgreSQL server (its `test` database must exist; `volt_tfb` is made next to it). */
  postgres: string;
  out: string;
}

const USAGE = `Usage: npm run bench:tfb -- [options]

  --rounds <3>          rounds; the report shows the median across rounds
  --duration <5s>       measured time per server, test and round (whole seconds: 5s, 1m)
  --warmup <2s>         load before each measurement, not recorded (0 for none)
  --connections <64>    open connections (wrk -c); TechEmpower itself uses 256 and 512
  --only <ids>          servers, comma-separated: ${PEER_IDS.join(',')}
  --tests <ids>         test types, comma-separated: ${TEST_IDS.join(',')}
  --queries <20>        rows per request of queries and updates (1..500)
  --cached-count <100>  rows per request of cached-queries (1..500)
  --quick               a smoke run: 1 round, 3s, 1s warm-up
  --server-cpu <0>      taskset CPU list for the servers
  --client-cpu <1>      taskset CPU list for wrk
  --postgres <url>      the PostgreSQL server (postgres://postgres@127.0.0.1:5432)
  --out <path>          JSON results (bench/results/tfb.json; the tables go to tfb.md)
  --help`;

function upTo500(text: string, flag: string): number {
  const n = positiveInt(text, flag);
  if (n > 500) throw new Error(`${flag} must be at most 500, got ${n}`);
  return n;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      tests: { type: 'string' },
      queries: { type: 'string' },
      'cached-count': { type: 'string' },
      quick: { type: 'boolean', default: false },
      'server-cpu': { type: 'string' },
      'client-cpu': { type: 'string' },
      postgres: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick;
  return {
    rounds: values.rounds ? positiveInt(values.rounds, '--rounds') : quick ? 1 : 3,
    seconds: values.duration ? seconds(values.duration, '--duration') : quick ? 3 : 5,
    warmupSeconds: values.warmup ? seconds(values.warmup, '--warmup', 0) : quick ? 1 : 2,
    connections: values.connections ? positiveInt(values.connections, '--connections') : 64,
    servers: values.only ? list(values.only, PEER_IDS, '--only') : [...PEER_IDS],
    tests: values.tests ? list(values.tests, TEST_IDS, '--tests') : [...TEST_IDS],
    queries: values.queries ? upTo500(values.queries, '--queries') : 20,
    cachedCount: values['cached-count'] ? upTo500(values['cached-count'], '--cached-count') : 100,
    serverCpu: values['server-cpu'] ?? '0',
    clientCpu: values['client-cpu'] ?? '1',
    postgres: values.postgres ?? process.env.TFB_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432',
    out: values.out ?? 'bench/results/tfb.json',
  };
}

/** A measurement with PostgreSQL's CPU time during it. */
interface TfbMeasurement extends Measurement {
  /** CPU milliseconds of the `volt_tfb` backends during the run; unknown without /proc. */
  pgCpuMs: number | undefined;
}

/** One test's results: the harness's medians and ratios, plus PostgreSQL's CPU per request. */
interface TestResult extends ScenarioResult<TestId> {
  /** Median PostgreSQL CPU µs per request, by server. */
  pgCpuUs: Partial<Record<PeerId, number>>;
}

// TechEmpower runs wrk with an 8 s timeout; Django's one sync worker queues 64 connections.
const WRK_TIMEOUT_SECONDS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits (30 s at most) until a server has done the work a wrk run left behind: requests it
 * accepted before wrk closed their connections still run to the end — Django's worker alone
 * can hold seconds of them in its queue — and would otherwise be measured with the next run.
 * Settled: under 10 % of a core for 200 ms.
 */
async function settle(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let before = cpuTime(pid);
  while (before && Date.now() < deadline) {
    await sleep(200);
    const after = cpuTime(pid);
    if (!after || after.userMs + after.systemMs - before.userMs - before.systemMs < 20) return;
    before = after;
  }
}

async function runLoad(options: Options, servers: PeerId[]): Promise<TestResult[]> {
  const url = databaseUrl(options.postgres, DATABASE);
  const running = new Map<PeerId, RunningServer>();
  let checker: pg.Client | undefined = new pg.Client({ connectionString: url });
  await checker.connect();
  let backends: BackendCpu | undefined;
  try {
    backends = await BackendCpu.open(options.postgres, clockTicks());
    if (!backends) log('NOTE: the PostgreSQL backends are not readable in /proc: no PG CPU per request');
    for (const id of servers) {
      const port = await freePort();
      const server = await startServer(
        options.serverCpu,
        TFB_SERVERS[id].command(port, databaseUrl(options.postgres, DATABASE, applicationName(id))),
        port,
        '/plaintext',
      );
      running.set(id, server);
      await verifyServer(PEERS[id].label, port, options.tests, checker);
      log(`ready  ${PEERS[id].label.padEnd(10)} pid ${server.child.pid} port ${port}: every test verified`);
    }
    await checker.end();
    checker = undefined;
    const runs = new Map<TestId, Map<PeerId, TfbMeasurement[]>>(
      options.tests.map((t) => [t, new Map(servers.map((s) => [s, [] as TfbMeasurement[]]))]),
    );
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the server order each round so no server always follows the same neighbour.
      const order = [...servers.slice(round % servers.length), ...servers.slice(0, round % servers.length)];
      for (const test of options.tests) {
        const path = loadPath(test, options.queries, options.cachedCount);
        for (const id of order) {
          const { port, child } = running.get(id)!;
          const wrk = (secs: number) =>
            runWrk({
              url: `http://127.0.0.1:${port}${path}`,
              seconds: secs,
              connections: options.connections,
              threads: 1,
              cpu: options.clientCpu,
              timeoutSeconds: WRK_TIMEOUT_SECONDS,
            });
          if (options.warmupSeconds > 0) await wrk(options.warmupSeconds);
          await settle(child.pid!);
          const pgBefore = await backends?.sample(applicationName(id));
          const cpuBefore = cpuTime(child.pid!);
          const stallBefore = cpuStallUs();
          const result = await wrk(options.seconds);
          const stallAfter = cpuStallUs();
          const cpuAfter = cpuTime(child.pid!);
          const pgAfter = await backends?.sample(applicationName(id));
          await settle(child.pid!);
          const known = cpuBefore !== undefined && cpuAfter !== undefined;
          const serverSystemMs = known ? cpuAfter.systemMs - cpuBefore.systemMs : undefined;
          const m: TfbMeasurement = {
            ...result,
            seconds: options.seconds,
            serverCpuMs: known ? cpuAfter.userMs - cpuBefore.userMs + (serverSystemMs ?? 0) : undefined,
            serverSystemMs,
            cpuPressure:
              stallBefore !== undefined && stallAfter !== undefined
                ? (stallAfter - stallBefore) / (options.seconds * 1e6)
                : undefined,
            pgCpuMs: pgBefore && pgAfter ? BackendCpu.between(pgBefore, pgAfter) : undefined,
          };
          runs.get(test)!.get(id)!.push(m);
          const errors = errorsOf(m);
          const perRequest = (ms: number | undefined) =>
            ms === undefined || m.requests === 0 ? '–' : `${((ms * 1000) / m.requests).toFixed(0)} µs`;
          log(
            `round ${round + 1}/${options.rounds}  ${test.padEnd(14)} ${PEERS[id].label.padEnd(10)}` +
              ` ${formatRate(m.requestsPerSec).padStart(8)} req/s  p50 ${formatMs(m.latencyMs.p50)}` +
              `  p99 ${formatMs(m.latencyMs.p99)}  CPU ${perRequest(m.serverCpuMs)}/req` +
              `  PG ${perRequest(m.pgCpuMs)}/req` +
              (m.cpuPressure === undefined ? '' : `  stall ${Math.round(m.cpuPressure * 100)}%`) +
              (errors > 0 ? `  ERRORS ${errors}` : ''),
          );
        }
      }
    }
    return options.tests.map((test) => {
      const byServer = runs.get(test)!;
      const pgCpuUs: Partial<Record<PeerId, number>> = {};
      for (const [id, rounds] of byServer) {
        const known = rounds.filter((r) => r.pgCpuMs !== undefined && r.requests > 0);
        if (known.length === rounds.length && known.length > 0)
          pgCpuUs[id] = median(known.map((r) => (r.pgCpuMs! * 1000) / r.requests));
      }
      return { ...summarize(test, TITLES[test], byServer), pgCpuUs };
    });
  } finally {
    await checker?.end();
    await backends?.close();
    for (const server of running.values()) await stopProcess(server.child);
  }
}

// --- Report -------------------------------------------------------------------------------------

const ratioText = (ratio: number | undefined) => (ratio === undefined ? '–' : `${ratio.toFixed(2)}×`);
const us = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(0)} µs`);

function testRows(result: TestResult): string[][] {
  return [
    ['server', 'req/s', 'p50', 'p99', 'server CPU/req', 'PG CPU/req', 'errors', 'Volt ÷ server', 'per round'],
    ...result.cells.map((c: Cell) => [
      PEERS[c.server].label,
      formatRate(c.rps),
      formatMs(c.p50Ms),
      formatMs(c.p99Ms),
      us(c.cpuUsPerRequest),
      us(result.pgCpuUs[c.server]),
      String(c.errors),
      c.server === 'volt' ? '' : ratioText(c.voltRatio),
      c.server === 'volt' ? '' : c.roundRatios.map((r) => r.toFixed(2)).join(' '),
    ]),
  ];
}
const TEST_RIGHT = [false, true, true, true, true, true, true, true, true];

/** A bar: Volt's req/s at least `min` times the peer's in a test. */
interface Bar {
  test: TestId;
  peer: PeerId;
  min: number;
}

/** The bars: every database test ≥ 0.8× Fastify and ≥ 5× Django; json and plaintext ≥ 0.9× Fastify. */
const BARS: readonly Bar[] = [
  ...DB_TESTS.flatMap((test): Bar[] => [
    { test, peer: 'fastify', min: 0.8 },
    { test, peer: 'django', min: 5 },
  ]),
  { test: 'json', peer: 'fastify', min: 0.9 },
  { test: 'plaintext', peer: 'fastify', min: 0.9 },
];

interface BarCheck extends Bar {
  ratio: number | undefined;
  met: boolean | undefined;
}

function checkBars(results: readonly TestResult[]): BarCheck[] {
  return BARS.map((bar) => {
    const ratio = results.find((r) => r.id === bar.test)?.cells.find((c) => c.server === bar.peer)?.voltRatio;
    return { ...bar, ratio, met: ratio === undefined ? undefined : ratio >= bar.min };
  });
}

const SUMMARY_PEERS: readonly PeerId[] = ['fastify', 'node-http', 'fastapi', 'django'];

/** Tests × servers: req/s, Volt's ratios (bars marked), and the spread of Volt ÷ Fastify across rounds. */
function summaryRows(
  results: readonly TestResult[],
  servers: readonly PeerId[],
  bars: BarCheck[],
): string[][] {
  const peers = SUMMARY_PEERS.filter((p) => servers.includes(p));
  const header = [
    'test',
    ...servers.map((s) => `${PEERS[s].label} req/s`),
    ...(servers.includes('volt') ? peers.map((p) => `Volt ÷ ${PEERS[p].label}`) : []),
    ...(servers.includes('volt') && servers.includes('fastify') ? ['Volt ÷ Fastify, min–max'] : []),
  ];
  const body = results.map((result) => {
    const cell = (id: PeerId) => result.cells.find((c) => c.server === id);
    const ratios = servers.includes('volt')
      ? peers.map((p) => {
          const bar = bars.find((b) => b.test === result.id && b.peer === p);
          const ratio = ratioText(cell(p)?.voltRatio);
          if (!bar || bar.met === undefined) return ratio;
          return `${ratio} ${bar.met ? 'MET' : 'MISSED'} (≥ ${bar.min}×)`;
        })
      : [];
    const spread = cell('fastify')?.roundRatios ?? [];
    return [
      result.id,
      ...servers.map((s) => {
        const c = cell(s);
        return c ? formatRate(c.rps) : '–';
      }),
      ...ratios,
      ...(servers.includes('volt') && servers.includes('fastify')
        ? [spread.length > 0 ? `${Math.min(...spread).toFixed(2)}–${Math.max(...spread).toFixed(2)}` : '–']
        : []),
    ];
  });
  return [header, ...body];
}

function formatBars(bars: readonly BarCheck[]): string {
  return bars
    .map(
      (b) =>
        `${b.test}: Volt ÷ ${PEERS[b.peer].label} = ${ratioText(b.ratio)} (bar ≥ ${b.min}×) ` +
        (b.met === undefined ? 'NOT MEASURED' : b.met ? 'MET' : 'MISSED'),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    log(USAGE);
    return;
  }
  await requireTool('taskset', ['-V'], 'apt-get install util-linux');
  await requireTool('wrk', ['-v'], 'apt-get install wrk');
  const { machine, revision } = await startRun(log);

  const servers: PeerId[] = [];
  const skipped: Array<{ server: PeerId; reason: string }> = [];
  for (const id of options.servers) {
    const reason = await TFB_SERVERS[id].missing();
    if (reason) {
      skipped.push({ server: id, reason });
      log(`SKIPPED ${PEERS[id].label}: ${reason}`);
    } else servers.push(id);
  }
  const minutes =
    (options.rounds * options.tests.length * servers.length * (options.seconds + options.warmupSeconds)) / 60;
  log(
    `${servers.length} servers × ${options.tests.length} tests × ${options.rounds} rounds, ` +
      `${options.warmupSeconds}s warm-up + ${options.seconds}s each, ${options.connections} connections, ` +
      `${options.queries} rows per queries/updates request: about ${minutes.toFixed(1)} min`,
  );
  await prepareDatabase(options.postgres);
  log(`database ${DATABASE}: world (10,000 rows) and fortune (12 rows) created afresh`);
  const results = await runLoad(options, servers);

  log('');
  const markdown: string[] = [];
  for (const result of results) {
    log(`${result.title}\n${textTable(testRows(result), TEST_RIGHT)}\n`);
    markdown.push(`**${result.title}**\n\n${markdownTable(testRows(result), TEST_RIGHT)}`);
  }
  const stalls = results.flatMap((r) => r.cells.flatMap((c) => c.rounds.map((m) => m.cpuPressure ?? 0)));
  if (stalls.length > 0)
    log(
      `CPU stall (Linux PSI) during the measurements: median ${Math.round(median(stalls) * 100)}%, ` +
        `max ${Math.round(Math.max(...stalls) * 100)}%\n`,
    );
  const bars = checkBars(results);
  const summary = summaryRows(results, servers, bars);
  log(
    `Summary (median req/s; Volt ÷ peer, the bars marked)\n${textTable(
      summary,
      summary[0]!.map((_, i) => i > 0),
    )}\n`,
  );
  markdown.push(
    `**Summary**\n\n${markdownTable(
      summary,
      summary[0]!.map((_, i) => i > 0),
    )}`,
  );
  if (servers.includes('volt')) log(`${formatBars(bars)}\n`);
  for (const { server, reason } of skipped) log(`SKIPPED ${PEERS[server].label}: ${reason}`);

  log(
    writeResults(
      options.out,
      'bench:tfb',
      {
        revision,
        machine,
        options,
        servers: Object.fromEntries(servers.map((id) => [id, TFB_SERVERS[id].description])),
        skipped,
        tests: results,
        bars,
      },
      markdown,
    ),
  );
}

runMain(main);
