/**
 * `npm run bench:admin`: an admin change list page. `GET /admin/shop/product/?
 * category__id__exact=48&q=el&o=-3` on bench/crud's 10,000 products (100 categories), SQLite: a
 * category filter, a search on the name and SKU, ordered by the price descending, 100 rows a
 * page with their category's name, a logged-in staff session. Django's admin change list
 * against the same page written by hand on bare Fastify + node:sqlite; Volt's admin slot is
 * skipped until voltjs/admin exists. The bars to measure later: Volt ≥ 0.7× fastify-raw and
 * ≥ 5× Django's admin in one run, SQL statements per page constant in the page size.
 *
 * The databases are made afresh (bench/admin/setup.ts); every server is its own process pinned
 * to one core, wrk to the other, sending the session cookie; every server's pages are checked
 * against the data set before any load (bench/admin/verify.ts); the SQL statements of one page
 * are counted at 20 and 100 rows a page; rounds rotate the server order; the report gives the
 * medians across rounds and the ratios. See bench/README.md, "Admin change list".
 *
 * Usage: node --conditions=volt-source bench/admin/run.ts [--rounds 3] [--duration 5s] [--warmup 1s]
 *        [--connections 64] [--only fastify-raw,django-admin] [--server-cpu 0] [--client-cpu 1]
 *        [--out bench/results/admin-latest.json]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type LoadCell,
  type LoadMeasurement,
  measureLoad,
  roundLine,
  summarizeLoad,
} from '../harness/load.ts';
import { requireTool, startRun } from '../harness/machine.ts';
import { list, positiveInt, seconds } from '../harness/options.ts';
import { fetchOnce, freePort, type RunningServer, startServer, stopProcess } from '../harness/processes.ts';
import { formatMs, formatRate, markdownTable, median, textTable } from '../harness/stats.ts';
import { runWrk } from '../harness/wrk.ts';
import {
  type Databases,
  DESCRIPTION,
  djangoStatements,
  LABEL,
  prepareDatabases,
  SERVER_IDS,
  type ServerId,
  serverCommand,
  serverMissing,
} from './setup.ts';
import { BENCH_PATH, verifyServer } from './verify.ts';

const log = (line = '') => console.log(line);

/** The bars of the issue, for Volt's admin: ÷ fastify-raw and ÷ Django's admin. */
const BAR_RAW = 0.7;
const BAR_DJANGO = 5;
/** The page sizes the SQL statements are counted at. */
const PAGE_SIZES = [20, 100];

const USAGE = `Usage: npm run bench:admin -- [options]

  --rounds <3>          rounds; the report shows the median across rounds
  --duration <5s>       measured time per server and round (whole seconds)
  --warmup <1s>         load before each measurement, not recorded (0 for none)
  --connections <64>    open connections (wrk -c)
  --only <ids>          servers, comma-separated: ${SERVER_IDS.join(',')}
  --server-cpu <0>      taskset CPU list for the servers
  --client-cpu <1>      taskset CPU list for wrk
  --out <path>          JSON results (bench/results/admin-latest.json; the tables go beside it as .md)
  --help`;

interface Options {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  servers: ServerId[];
  serverCpu: string;
  clientCpu: string;
  out: string;
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
      'server-cpu': { type: 'string' },
      'client-cpu': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  return {
    rounds: values.rounds ? positiveInt(values.rounds, '--rounds') : 3,
    seconds: values.duration ? seconds(values.duration, '--duration', 1) : 5,
    warmupSeconds: values.warmup ? seconds(values.warmup, '--warmup', 0) : 1,
    connections: values.connections ? positiveInt(values.connections, '--connections') : 64,
    servers: values.only ? list(values.only, SERVER_IDS, '--only') : [...SERVER_IDS],
    serverCpu: values['server-cpu'] ?? '0',
    clientCpu: values['client-cpu'] ?? '1',
    out: values.out ?? 'bench/results/admin-latest.json',
  };
}

type Measurement = LoadMeasurement;
type Cell = LoadCell<ServerId>;
const summarize = summarizeLoad<ServerId>;

/** The server the ratios are of: Volt's admin, else fastify-raw (until Volt's admin exists). */
const subjectOf = (cells: Cell[]) =>
  cells.find((c) => c.server === 'volt') ?? cells.find((c) => c.server === 'fastify-raw');

function rows(cells: Cell[]): string[][] {
  const subject = subjectOf(cells);
  return [
    [
      'server',
      'req/s',
      'p50',
      'p99',
      `${subject ? LABEL[subject.server] : '–'} ÷ server`,
      'per round',
      'CPU/req',
      'CPU ratio',
      'errors',
    ],
    ...cells.map((c) => [
      LABEL[c.server],
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
const RIGHT = [false, true, true, true, true, true, true, true, true];

/** The ratio lines: fastify-raw ÷ Django's admin, and Volt's admin against both with the bars. */
function ratioLines(cells: Cell[]): string[] {
  const by = new Map(cells.map((c) => [c.server, c]));
  const lines: string[] = [];
  const raw = by.get('fastify-raw');
  const django = by.get('django-admin');
  if (raw && django) lines.push(`fastify-raw ÷ Django admin = ${(raw.rps / django.rps).toFixed(2)}×`);
  const volt = by.get('volt');
  for (const [peer, bar] of [
    [raw, BAR_RAW],
    [django, BAR_DJANGO],
  ] as const) {
    if (!volt || !peer) continue;
    const ratio = volt.rps / peer.rps;
    lines.push(
      `Volt admin ÷ ${LABEL[peer.server]} = ${ratio.toFixed(2)}× (bar ≥ ${bar}×: ${ratio >= bar ? 'MET' : 'MISSED'})`,
    );
  }
  return lines;
}

/** One statement's SQL (and plan, when known). */
type Counted = Array<{ sql: string; plan?: string }> | number;

/**
 * The SQL statements of one page of the benchmark's request at each page size: Django's through
 * CaptureQueriesContext (admin_app.py count, its ModelAdmin's list_per_page set by
 * ADMIN_PER_PAGE), fastify-raw's counted in its code (a second process with ADMIN_COUNT_SQL=1
 * answers them in `x-sql-statements`).
 */
async function countStatements(
  servers: ServerId[],
  dbs: Databases,
  cpu: string,
): Promise<{
  table: string[][];
  lines: string[];
  byServer: Record<string, Record<number, Counted> | string>;
}> {
  const byServer: Record<string, Record<number, Counted> | string> = {};
  for (const id of servers) {
    const counts: Record<number, Counted> = {};
    try {
      for (const size of PAGE_SIZES) {
        if (id === 'django-admin') {
          counts[size] = (await djangoStatements(dbs, size, [BENCH_PATH]))[BENCH_PATH]!;
        } else {
          const port = await freePort();
          const env = { ADMIN_COUNT_SQL: '1', ADMIN_PER_PAGE: String(size) };
          const server = await startServer(cpu, serverCommand(id, port, dbs, env), port, '/admin/');
          try {
            const answer = await fetchOnce(port, {
              method: 'GET',
              path: BENCH_PATH,
              headers: { cookie: cookieOf(id, dbs) },
            });
            const n = Number(answer.headers['x-sql-statements']);
            if (answer.status !== 200 || !Number.isInteger(n))
              throw new Error(
                `status ${answer.status}, x-sql-statements ${answer.headers['x-sql-statements']}`,
              );
            counts[size] = n;
          } finally {
            await stopProcess(server.child);
          }
        }
      }
      byServer[id] = counts;
    } catch (error) {
      byServer[id] = `not counted: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
  }
  const size = (c: Counted) => (typeof c === 'number' ? c : c.length);
  const table = [
    ['server', ...PAGE_SIZES.map((n) => `${n} a page`)],
    ...servers.map((id) => {
      const s = byServer[id]!;
      return [LABEL[id], ...(typeof s === 'string' ? [s, ''] : PAGE_SIZES.map((n) => String(size(s[n]!))))];
    }),
  ];
  const lines: string[] = [];
  for (const id of servers) {
    const s = byServer[id]!;
    if (typeof s === 'string') continue;
    const counts = PAGE_SIZES.map((n) => size(s[n]!));
    lines.push(
      `${LABEL[id]}: ${new Set(counts).size === 1 ? `constant in the page size (${counts[0]})` : `grows with the page size (${counts.join(', ')})`}`,
    );
    const detail = s[100];
    if (Array.isArray(detail))
      for (const st of detail)
        lines.push(
          `  ${st.sql.length > 160 ? `${st.sql.slice(0, 157)}…` : st.sql}${st.plan ? `  [${st.plan}]` : ''}`,
        );
  }
  return { table, lines, byServer };
}

function cookieOf(id: ServerId, dbs: Databases): string {
  return `sessionid=${id === 'django-admin' ? dbs.djangoSession : dbs.rawSession}`;
}

/** A wrk Lua script that sends the server's session cookie. */
function writeScript(dir: string, id: ServerId, dbs: Databases): string {
  const file = join(dir, `${id}.lua`);
  writeFileSync(file, `wrk.headers["Cookie"] = ${JSON.stringify(cookieOf(id, dbs))}\n`);
  return file;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    log(USAGE);
    return;
  }
  const { machine, revision } = await startRun(log);
  await requireTool('wrk', ['-v'], 'apt-get install wrk');
  const skipped: string[] = [];
  const servers: ServerId[] = [];
  for (const id of options.servers) {
    const missing = await serverMissing(id);
    if (missing) {
      const line = id === 'volt' ? `SKIPPED: ${missing}` : `SKIPPED ${LABEL[id]}: ${missing}`;
      skipped.push(line);
      log(line);
    } else servers.push(id);
  }
  if (servers.length === 0) throw new Error('no server can run');
  log(
    `${servers.length} servers × ${options.rounds} rounds, ${options.warmupSeconds}s warm-up + ${options.seconds}s each, ` +
      `${options.connections} connections: about ${((options.rounds * servers.length * (options.seconds + options.warmupSeconds)) / 60).toFixed(1)} min`,
  );
  log(`GET ${BENCH_PATH} (logged in: sessionid cookie)`);
  const dbs = await prepareDatabases(servers.includes('django-admin'));
  log(
    `databases made in ${dbs.dir}: ${dbs.data.categories.length} categories, ${dbs.data.products.length} products`,
  );
  const running = new Map<ServerId, RunningServer>();
  const cells: Cell[] = [];
  let statements: Awaited<ReturnType<typeof countStatements>> | undefined;
  try {
    for (const id of servers) {
      const port = await freePort();
      running.set(id, await startServer(options.serverCpu, serverCommand(id, port, dbs), port, '/admin/'));
    }
    for (const [id, server] of running) {
      await verifyServer(LABEL[id], server.port, cookieOf(id, dbs), dbs.data);
      log(
        `ready  ${LABEL[id].padEnd(12)} pid ${server.child.pid} port ${server.port}: both pages' rows, counts, escaping, login checked`,
      );
    }
    statements = await countStatements(servers, dbs, options.serverCpu);
    const scripts = new Map(servers.map((id) => [id, writeScript(dbs.dir, id, dbs)]));
    const runs = new Map(servers.map((id) => [id, [] as Measurement[]]));
    for (let round = 0; round < options.rounds; round++) {
      const rotated = [...servers.slice(round % servers.length), ...servers.slice(0, round % servers.length)];
      for (const id of rotated) {
        const { port, child } = running.get(id)!;
        const wrk = (secs: number) =>
          runWrk({
            url: `http://127.0.0.1:${port}${BENCH_PATH}`,
            seconds: secs,
            connections: options.connections,
            threads: 1,
            script: scripts.get(id),
            cpu: options.clientCpu,
            timeoutSeconds: 8,
          });
        const m = await measureLoad(child.pid!, wrk, options.warmupSeconds, options.seconds);
        runs.get(id)!.push(m);
        log(roundLine(round, options.rounds, LABEL[id], m));
      }
    }
    for (const id of servers) cells.push(summarize(id, runs.get(id)!));
  } finally {
    for (const server of running.values()) await stopProcess(server.child);
    rmSync(dbs.dir, { recursive: true, force: true });
  }

  const title = `GET ${BENCH_PATH} (10,000 products, SQLite, 100 rows a page, logged in; medians of ${options.rounds} rounds)`;
  const ratios = ratioLines(cells);
  log('');
  for (const line of skipped) log(line);
  log(`${title}\n${textTable(rows(cells), RIGHT)}\n${ratios.join('\n')}\n`);
  log(`SQL statements per page (by page size)\n${textTable(statements!.table)}`);
  for (const line of statements!.lines) log(line);
  const stalls = cells.flatMap((c) => c.rounds.map((r) => r.stall ?? 0));
  log(
    `\nCPU stall (Linux PSI) during the measurements: median ${Math.round(median(stalls) * 100)}%, ` +
      `max ${Math.round(Math.max(...stalls) * 100)}%`,
  );
  const markdown = [
    ...skipped,
    `**${title}**`,
    markdownTable(rows(cells), RIGHT),
    ratios.join('  \n'),
    '**SQL statements per page** (by page size)',
    markdownTable(statements!.table),
    statements!.lines.map((l) => `    ${l}`).join('\n'),
  ].filter(Boolean);
  const argv = process.argv.slice(2).join(' ');
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(
    options.out,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        command: `npm run bench:admin${argv ? ` -- ${argv}` : ''}`,
        revision,
        machine,
        options,
        request: BENCH_PATH,
        servers: Object.fromEntries(servers.map((id) => [id, DESCRIPTION[id]])),
        skipped,
        results: cells,
        statements: statements!.byServer,
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(options.out.replace(/\.json$/, '.md'), `${markdown.join('\n\n')}\n`);
  log(`Results: ${options.out} (and ${options.out.replace(/\.json$/, '.md')})`);
}

main().catch((error: unknown) => {
  console.error(`\nBENCHMARK FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
