/**
 * `npm run bench:auth`: the request path of every authenticated API call. One route guarded
 * by `auth.requireUser`, reached (a) with a bearer API token and (b) with the session cookie,
 * and (c) an unguarded route as the baseline — Volt against bare Fastify and raw `node:http`
 * doing the same checks by hand (bench/auth/servers/by-hand.ts) on the same SQLite file.
 *
 * Every server is its own process pinned to one core, wrk is pinned to the other; answers are
 * checked before any load; rounds rotate the server order; the report gives medians across
 * rounds and Volt ÷ Fastify, Volt ÷ node:http per scenario. See bench/README.md.
 *
 * Usage: node --conditions=volt-source bench/auth/run.ts [--rounds 3] [--duration 5s] [--warmup 1s]
 *        [--connections 64] [--only volt,fastify,node-http] [--scenarios token,session,open]
 *        [--server-cpu 0] [--client-cpu 1] [--out bench/results/auth-latest.json]
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuTime } from '../harness/cpu.ts';
import { stallLine } from '../harness/load.ts';
import { startRun } from '../harness/machine.ts';
import { LOAD_FLAGS, type LoadOptions, list, loadOptions } from '../harness/options.ts';
import { cpuStallUs } from '../harness/pressure.ts';
import { fetchOnce, freePort, type RunningServer, startServer, stopProcess } from '../harness/processes.ts';
import { runMain, writeResults } from '../harness/results.ts';
import { formatMs, formatRate, markdownTable, median, textTable } from '../harness/stats.ts';
import { runWrk, type WrkResult } from '../harness/wrk.ts';
import {
  headersOf,
  LABEL,
  logIn,
  pathOf,
  prepareDatabase,
  SCENARIO_IDS,
  type ScenarioId,
  SERVER_IDS,
  type ServerId,
  serverCommand,
  TITLE,
  USERNAME,
  writeScript,
} from './setup.ts';

const log = (line = '') => console.log(line);

/** The checked options of a run. */
interface Options extends LoadOptions<ServerId> {
  scenarios: ScenarioId[];
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...LOAD_FLAGS, scenarios: { type: 'string' } },
  });
  return {
    ...loadOptions(values, SERVER_IDS, { rounds: 3, out: 'bench/results/auth-latest.json' }),
    scenarios: values.scenarios ? list(values.scenarios, SCENARIO_IDS, '--scenarios') : [...SCENARIO_IDS],
  };
}

/** Checks the answers of one server; throws on the first wrong one. */
async function verify(
  id: ServerId,
  port: number,
  userId: number,
  token: string,
  cookie: string,
): Promise<void> {
  const me = JSON.stringify({ id: userId, username: USERNAME });
  const expect: Array<[string, Record<string, string>, number, string | undefined]> = [
    ['/me', headersOf('token', token, cookie), 200, me],
    ['/me', headersOf('session', token, cookie), 200, me],
    ['/open', {}, 200, JSON.stringify({ id: 0, username: 'anonymous' })],
    ['/me', {}, 401, undefined],
    [
      '/me',
      { authorization: `Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` },
      401,
      undefined,
    ],
    ['/me', { cookie: cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) }, 401, undefined],
  ];
  for (const [path, headers, status, body] of expect) {
    const answer = await fetchOnce(port, { method: 'GET', path, headers });
    const what = `${LABEL[id]} GET ${path} with ${Object.keys(headers).join(', ') || 'no credentials'}`;
    if (answer.status !== status)
      throw new Error(`${what}: status ${answer.status}, expected ${status}: ${answer.body}`);
    if (body !== undefined && (answer.body !== body || !answer.contentType.startsWith('application/json')))
      throw new Error(`${what}: ${answer.contentType} ${answer.body}, expected application/json ${body}`);
  }
}

interface Measurement extends WrkResult {
  cpuUsPerRequest: number | undefined;
  stall: number | undefined;
}

interface Cell {
  server: ServerId;
  rounds: Measurement[];
  rps: number;
  p50: number;
  p99: number;
  cpuUs: number | undefined;
  errors: number;
  /** Volt ÷ this server: ratio of the medians, and per round. */
  ratio: number;
  perRound: number[];
}

const errorsOf = (r: WrkResult) =>
  r.non2xx + r.socketErrors.connect + r.socketErrors.read + r.socketErrors.write + r.socketErrors.timeout;

function summarize(runs: Map<ServerId, Measurement[]>): Cell[] {
  const cells = [...runs].map(([server, rounds]) => {
    const cpu = rounds.map((r) => r.cpuUsPerRequest);
    return {
      server,
      rounds,
      rps: median(rounds.map((r) => r.requestsPerSec)),
      p50: median(rounds.map((r) => r.latencyMs.p50)),
      p99: median(rounds.map((r) => r.latencyMs.p99)),
      cpuUs: cpu.every((c) => c !== undefined) ? median(cpu as number[]) : undefined,
      errors: rounds.reduce((sum, r) => sum + errorsOf(r), 0),
      ratio: Number.NaN,
      perRound: [] as number[],
    };
  });
  const volt = cells.find((c) => c.server === 'volt');
  for (const cell of cells) {
    if (!volt) continue;
    cell.ratio = volt.rps / cell.rps;
    cell.perRound = cell.rounds.map((r, i) => volt.rounds[i]!.requestsPerSec / r.requestsPerSec);
  }
  return cells;
}

function rows(cells: Cell[]): string[][] {
  return [
    ['server', 'req/s', 'p50', 'p99', 'Volt ÷ server', 'per round', 'CPU/req', 'errors'],
    ...cells.map((c) => [
      LABEL[c.server],
      formatRate(c.rps),
      formatMs(c.p50),
      formatMs(c.p99),
      Number.isNaN(c.ratio) ? '–' : `${c.ratio.toFixed(2)}×`,
      c.server === 'volt' ? '' : c.perRound.map((r) => r.toFixed(2)).join(' '),
      c.cpuUs === undefined ? '–' : `${c.cpuUs.toFixed(1)} µs`,
      String(c.errors),
    ]),
  ];
}
const RIGHT = [false, true, true, true, true, true, true, true];

function ratioLine(cells: Cell[]): string {
  return cells
    .filter((c) => c.server !== 'volt' && !Number.isNaN(c.ratio))
    .map((c) => `Volt ÷ ${LABEL[c.server]} = ${c.ratio.toFixed(2)}×${c.ratio < 0.7 ? ' (below 0.7×)' : ''}`)
    .join(', ');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { machine, revision } = await startRun(log);
  const total = options.rounds * options.scenarios.length * options.servers.length;
  log(
    `${options.servers.length} servers × ${options.scenarios.length} scenarios × ${options.rounds} rounds, ` +
      `${options.warmupSeconds}s warm-up + ${options.seconds}s each, ${options.connections} connections: about ` +
      `${((total * (options.seconds + options.warmupSeconds)) / 60).toFixed(1)} min`,
  );
  const fixture = await prepareDatabase();
  const dir = dirname(fixture.file);
  const secretKey = randomBytes(48).toString('base64url');
  const servers = new Map<ServerId, RunningServer>();
  const results = new Map<ScenarioId, Cell[]>();
  try {
    // Volt first: the session every server checks is made by logging in through it.
    const order = options.servers.includes('volt')
      ? (['volt', ...options.servers.filter((s) => s !== 'volt')] as ServerId[])
      : options.servers;
    let cookie = '';
    for (const id of order) {
      const port = await freePort();
      servers.set(
        id,
        await startServer(options.serverCpu, serverCommand(id, port, fixture, secretKey), port, '/open'),
      );
      if (!cookie) {
        if (id !== 'volt')
          throw new Error('the session is made by logging in through Volt: keep volt in --only');
        cookie = await logIn(port);
      }
    }
    for (const [id, server] of servers) {
      await verify(id, server.port, fixture.userId, fixture.token, cookie);
      log(`ready  ${LABEL[id].padEnd(10)} pid ${server.child.pid} port ${server.port}: answers checked`);
    }
    const scripts = new Map(options.scenarios.map((s) => [s, writeScript(dir, s, fixture.token, cookie)]));
    const runs = new Map(
      options.scenarios.map((s) => [s, new Map(options.servers.map((id) => [id, [] as Measurement[]]))]),
    );
    const wrk = (port: number, scenario: ScenarioId, seconds: number) =>
      runWrk({
        url: `http://127.0.0.1:${port}${pathOf(scenario)}`,
        seconds,
        connections: options.connections,
        threads: 1,
        script: scripts.get(scenario),
        cpu: options.clientCpu,
      });
    for (let round = 0; round < options.rounds; round++) {
      const ids = options.servers;
      const rotated = [...ids.slice(round % ids.length), ...ids.slice(0, round % ids.length)];
      for (const scenario of options.scenarios) {
        for (const id of rotated) {
          const { port, child } = servers.get(id)!;
          if (options.warmupSeconds > 0) await wrk(port, scenario, options.warmupSeconds);
          const cpuBefore = cpuTime(child.pid!);
          const stallBefore = cpuStallUs();
          const result = await wrk(port, scenario, options.seconds);
          const stallAfter = cpuStallUs();
          const cpuAfter = cpuTime(child.pid!);
          const cpuMs =
            cpuBefore && cpuAfter
              ? cpuAfter.userMs - cpuBefore.userMs + cpuAfter.systemMs - cpuBefore.systemMs
              : undefined;
          const m: Measurement = {
            ...result,
            cpuUsPerRequest: cpuMs === undefined ? undefined : (cpuMs * 1000) / result.requests,
            stall:
              stallBefore !== undefined && stallAfter !== undefined
                ? (stallAfter - stallBefore) / (options.seconds * 1e6)
                : undefined,
          };
          runs.get(scenario)!.get(id)!.push(m);
          const errors = errorsOf(m);
          log(
            `round ${round + 1}/${options.rounds}  ${scenario.padEnd(8)} ${LABEL[id].padEnd(10)}` +
              ` ${formatRate(m.requestsPerSec).padStart(8)} req/s  p50 ${formatMs(m.latencyMs.p50)}` +
              `  p99 ${formatMs(m.latencyMs.p99)}` +
              (m.cpuUsPerRequest === undefined ? '' : `  CPU ${m.cpuUsPerRequest.toFixed(1)} µs/req`) +
              (m.stall === undefined ? '' : `  stall ${Math.round(m.stall * 100)}%`) +
              (errors > 0 ? `  ERRORS ${errors}` : ''),
          );
        }
      }
    }
    for (const scenario of options.scenarios) results.set(scenario, summarize(runs.get(scenario)!));
  } finally {
    for (const server of servers.values()) await stopProcess(server.child);
    rmSync(dir, { recursive: true, force: true });
  }

  log('');
  const markdown: string[] = [];
  for (const [scenario, cells] of results) {
    log(`${TITLE[scenario]}\n${textTable(rows(cells), RIGHT)}\n${ratioLine(cells)}\n`);
    markdown.push(`**${TITLE[scenario]}**\n\n${markdownTable(rows(cells), RIGHT)}\n\n${ratioLine(cells)}`);
  }
  const stalls = stallLine([...results.values()].flat());
  if (stalls) log(`${stalls}\n`);
  log(
    writeResults(
      options.out,
      'bench:auth',
      {
        revision,
        machine,
        options,
        scenarios: Object.fromEntries(results),
      },
      markdown,
    ),
  );
}

runMain(main);
