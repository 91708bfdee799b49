/**
 * `npm run bench`: Volt against bare Fastify, raw node:http, FastAPI and Django in one run.
 *
 * Every server runs as its own process pinned to one core, wrk runs pinned to the other.
 * Each server's answer to each scenario is checked before any load. Rounds interleave the
 * servers; the report gives the median across rounds and Volt's ratio to each peer.
 * See bench/README.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type ColdStartReport, formatColdStart, measureColdStart } from './cold-start.ts';
import { cpuTime } from './harness/cpu.ts';
import { requireTool, startRun } from './harness/machine.ts';
import { type BenchOptions, parseOptions, USAGE } from './harness/options.ts';
import { PEERS, type PeerId } from './harness/peers.ts';
import { cpuStallUs } from './harness/pressure.ts';
import { fetchOnce, freePort, type RunningServer, startServer, stopProcess } from './harness/processes.ts';
import {
  type BarCheck,
  checkBars,
  errorsOf,
  formatBars,
  formatScenario,
  type Measurement,
  markdownScenario,
  type ScenarioResult,
  summarize,
} from './harness/report.ts';
import { formatMs, formatRate, median } from './harness/stats.ts';
import { runWrk, type WrkResult } from './harness/wrk.ts';
import { checkAnswer, checkRefusal, checkScripts, SCENARIOS, type ScenarioId } from './scenarios/index.ts';

const log = (line = '') => console.log(line);

/** Leaves out the peers that are not installed, saying so. */
async function availablePeers(
  ids: PeerId[],
): Promise<{ peers: PeerId[]; skipped: Array<{ server: PeerId; reason: string }> }> {
  const peers: PeerId[] = [];
  const skipped: Array<{ server: PeerId; reason: string }> = [];
  for (const id of ids) {
    const reason = await PEERS[id].missing();
    if (reason) {
      skipped.push({ server: id, reason });
      log(`SKIPPED ${PEERS[id].label}: ${reason}`);
    } else peers.push(id);
  }
  return { peers, skipped };
}

/** Checks every scenario's answer (and that the invalid request is refused); throws on the first wrong one. */
async function verify(id: PeerId, server: RunningServer, scenarios: ScenarioId[]): Promise<void> {
  for (const scenarioId of scenarios) {
    const scenario = SCENARIOS[scenarioId];
    const wrong = checkAnswer(scenario, await fetchOnce(server.port, scenario.request));
    if (wrong)
      throw new Error(
        `${PEERS[id].label} answers ${scenario.request.method} ${scenario.request.path} wrongly: ${wrong}`,
      );
    if (scenario.invalid) {
      const refused = checkRefusal(await fetchOnce(server.port, scenario.invalid));
      if (refused) throw new Error(`${PEERS[id].label} does not validate /${scenarioId}: ${refused}`);
    }
  }
}

function wrkFor(
  options: BenchOptions,
  port: number,
  scenarioId: ScenarioId,
  seconds: number,
): Promise<WrkResult> {
  const scenario = SCENARIOS[scenarioId];
  return runWrk({
    url: `http://127.0.0.1:${port}${scenario.request.path}`,
    seconds,
    connections: options.connections,
    threads: options.threads,
    script: scenario.script,
    cpu: options.clientCpu,
  });
}

async function runLoad(options: BenchOptions, peers: PeerId[]): Promise<ScenarioResult[]> {
  const servers = new Map<PeerId, RunningServer>();
  try {
    for (const id of peers) {
      const port = await freePort();
      const server = await startServer(options.serverCpu, PEERS[id].command(port), port, '/plaintext');
      servers.set(id, server);
      await verify(id, server, options.scenarios);
      log(`ready  ${PEERS[id].label.padEnd(10)} pid ${server.child.pid} port ${port}: answers checked`);
    }
    const runs = new Map<ScenarioId, Map<PeerId, Measurement[]>>(
      options.scenarios.map((s) => [s, new Map(peers.map((p) => [p, [] as Measurement[]]))]),
    );
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the server order each round so no server always follows the same neighbour.
      const order = [...peers.slice(round % peers.length), ...peers.slice(0, round % peers.length)];
      for (const scenarioId of options.scenarios) {
        for (const id of order) {
          const { port, child } = servers.get(id)!;
          if (options.warmupSeconds > 0) await wrkFor(options, port, scenarioId, options.warmupSeconds);
          const cpuBefore = cpuTime(child.pid!);
          const stallBefore = cpuStallUs();
          const wrk = await wrkFor(options, port, scenarioId, options.seconds);
          const stallAfter = cpuStallUs();
          const cpuAfter = cpuTime(child.pid!);
          const cpuPressure =
            stallBefore !== undefined && stallAfter !== undefined
              ? (stallAfter - stallBefore) / (options.seconds * 1e6)
              : undefined;
          const known = cpuBefore !== undefined && cpuAfter !== undefined;
          const serverSystemMs = known ? cpuAfter.systemMs - cpuBefore.systemMs : undefined;
          const serverCpuMs = known ? cpuAfter.userMs - cpuBefore.userMs + (serverSystemMs ?? 0) : undefined;
          const result: Measurement = {
            ...wrk,
            seconds: options.seconds,
            serverCpuMs,
            serverSystemMs,
            cpuPressure,
          };
          runs.get(scenarioId)!.get(id)!.push(result);
          const errors = errorsOf(result);
          const cpu =
            serverCpuMs === undefined
              ? ''
              : `  CPU ${((serverCpuMs * 1000) / wrk.requests).toFixed(1)} µs/req`;
          const stall = cpuPressure === undefined ? '' : `  stall ${Math.round(cpuPressure * 100)}%`;
          log(
            `round ${round + 1}/${options.rounds}  ${scenarioId.padEnd(9)} ${PEERS[id].label.padEnd(10)}` +
              ` ${formatRate(result.requestsPerSec).padStart(8)} req/s  p50 ${formatMs(result.latencyMs.p50)}` +
              `  p99 ${formatMs(result.latencyMs.p99)}${cpu}${stall}${errors > 0 ? `  ERRORS ${errors}` : ''}`,
          );
        }
      }
    }
    return options.scenarios.map((id) => summarize(id, SCENARIOS[id].title, runs.get(id)!));
  } finally {
    for (const server of servers.values()) await stopProcess(server.child);
  }
}

/** The saved record of a run (bench/results/latest.json). */
interface RunRecord {
  date: string;
  command: string;
  scenarios: ScenarioResult[];
  coldStart?: ColdStartReport;
}

/** Prints the tables, the stall summary, the bars and the cold start of a run. */
function printReport(results: ScenarioResult[], coldStart: ColdStartReport | undefined): BarCheck[] {
  log('');
  for (const result of results) log(`${formatScenario(result)}\n`);
  const stalls = results.flatMap((r) => r.cells.flatMap((c) => c.rounds.map((m) => m.cpuPressure ?? 0)));
  if (stalls.length > 0) {
    log(
      `CPU stall (share of time some task waited for a core, Linux PSI) during the measurements: ` +
        `median ${Math.round(median(stalls) * 100)}%, max ${Math.round(Math.max(...stalls) * 100)}%\n`,
    );
  }
  const bars = checkBars(results);
  if (results.length > 0) log(`${formatBars(bars)}\n`);
  if (coldStart) log(`${formatColdStart(coldStart)}\n`);
  return bars;
}

/** Re-summarizes a saved run from its raw rounds and prints it, then its tables in Markdown. */
function reprint(file: string): void {
  const record = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  log(`${record.command}, ${record.date}`);
  const results = record.scenarios.map((scenario) =>
    summarize(scenario.id, scenario.title, new Map(scenario.cells.map((c) => [c.server, c.rounds]))),
  );
  printReport(results, record.coldStart);
  log(results.map(markdownScenario).join('\n\n'));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    log(USAGE);
    return;
  }
  if (options.report) {
    reprint(options.report);
    return;
  }
  await requireTool('taskset', ['-V'], 'apt-get install util-linux');
  const { machine, revision } = await startRun(log);

  let results: ScenarioResult[] = [];
  let skipped: Array<{ server: PeerId; reason: string }> = [];
  if (options.load) {
    await requireTool('wrk', ['-v'], 'apt-get install wrk');
    checkScripts();
    const available = await availablePeers(options.servers);
    skipped = available.skipped;
    const total = options.rounds * options.scenarios.length * available.peers.length;
    const minutes = (total * (options.seconds + options.warmupSeconds)) / 60;
    log(
      `${available.peers.length} servers × ${options.scenarios.length} scenarios × ${options.rounds} rounds, ` +
        `${options.warmupSeconds}s warm-up + ${options.seconds}s each, ${options.connections} connections: ` +
        `about ${minutes.toFixed(1)} min`,
    );
    results = await runLoad(options, available.peers);
  }

  let coldStart: ColdStartReport | undefined;
  if (options.coldStart) {
    log(`\nCold start: ${options.coldRuns} spawns of each program…`);
    coldStart = await measureColdStart({ runs: options.coldRuns, cpu: options.serverCpu });
  }

  const bars = printReport(results, coldStart);
  for (const { server, reason } of skipped) log(`SKIPPED ${PEERS[server].label}: ${reason}`);

  const record = {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    revision,
    machine,
    options,
    servers: Object.fromEntries(options.servers.map((id) => [id, PEERS[id].description])),
    skipped,
    scenarios: results,
    bars,
    coldStart,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(record, null, 2)}\n`);
  const markdown = results.map(markdownScenario).join('\n\n');
  writeFileSync(options.out.replace(/\.json$/, '.md'), `${markdown}\n`);
  log(`Results: ${options.out} (and ${options.out.replace(/\.json$/, '.md')})`);
}

main().catch((error: unknown) => {
  console.error(`\nBENCHMARK FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
