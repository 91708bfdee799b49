/**
 * `npm run bench:crud`: the list page of a REST resource. `GET /api/products?price__gte=10&
 * ordering=-price&expand=category&limit=50` on a 10,000-row SQLite table (100 categories),
 * cursor-paginated: Volt's `resource()` (voltjs/crud) against the same endpoint written as a
 * plain Volt route, by hand on bare Fastify + node:sqlite, and as a Django REST framework
 * ModelViewSet. The bars: Volt ≥ 0.7× fastify-raw and ≥ 10× DRF in one run, and a number of
 * SQL statements per request that does not grow with the page size.
 *
 * The databases are made afresh from the same seeded rows (bench/crud/setup.ts); every server
 * is its own process pinned to one core, wrk to the other; every server's answers are checked
 * against the data set before any load (bench/crud/verify.ts: rows, values, and the next link
 * followed once); rounds rotate the server order; the report gives medians across rounds and
 * the ratios. See bench/README.md, "REST resources".
 *
 * Usage: node --conditions=volt-source bench/crud/run.ts [--rounds 3] [--duration 5s] [--warmup 1s]
 *        [--connections 64] [--only volt,volt-handwritten,fastify-raw,drf] [--server-cpu 0]
 *        [--client-cpu 1] [--out bench/results/crud-latest.json]
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LOAD_RIGHT, type LoadCell, loadRounds, loadRows, stallLine } from '../harness/load.ts';
import { requireTool, startRun } from '../harness/machine.ts';
import {
  LOAD_FLAGS,
  type LoadDefaults,
  type LoadOptions,
  loadOptions,
  loadUsage,
} from '../harness/options.ts';
import { freePort, type RunningServer, startServer, stopProcess } from '../harness/processes.ts';
import { runMain, writeResults } from '../harness/results.ts';
import { markdownTable, textTable } from '../harness/stats.ts';
import { BENCH_PATH, BENCH_QUERY, queryString } from './data.ts';
import {
  type Databases,
  DESCRIPTION,
  drfStatements,
  LABEL,
  prepareDatabases,
  rawStatements,
  SERVER_IDS,
  type ServerId,
  type Statements,
  serverCommand,
  serverMissing,
  voltStatements,
} from './setup.ts';
import { verifyServer } from './verify.ts';

const log = (line = '') => console.log(line);

/** The bars of the issue: Volt ÷ fastify-raw and Volt ÷ DRF. */
const BAR_RAW = 0.7;
const BAR_DRF = 10;
/** The page sizes the SQL statements are counted at. */
const COUNT_LIMITS = [10, 50, 100];

const DEFAULTS: LoadDefaults = { rounds: 3, out: 'bench/results/crud-latest.json' };
const USAGE = loadUsage('npm run bench:crud', SERVER_IDS, DEFAULTS, [
  '  --no-index            no index on the price (each server then scans and sorts the table)',
]);

interface Options extends LoadOptions<ServerId> {
  /** Whether the price is indexed (by the index each server's query uses). */
  indexed: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowNegative: true,
    options: {
      ...LOAD_FLAGS,
      index: { type: 'boolean', default: true },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  return { ...loadOptions(values, SERVER_IDS, DEFAULTS), indexed: values.index };
}

type Cell = LoadCell<ServerId>;

/** The server the ratios are of: Volt, or Volt by hand when Volt could not run. */
function subjectOf(cells: Cell[]): Cell | undefined {
  return cells.find((c) => c.server === 'volt') ?? cells.find((c) => c.server === 'volt-handwritten');
}

const rows = (cells: Cell[]): string[][] =>
  loadRows(cells, (server) => LABEL[server], subjectOf(cells), 'Volt');
const RIGHT = LOAD_RIGHT;

/** The ratio lines: every Volt server against each peer, the bars marked for Volt's resource. */
function ratioLines(cells: Cell[]): string[] {
  const lines: string[] = [];
  const by = new Map(cells.map((c) => [c.server, c]));
  for (const id of ['volt', 'volt-handwritten'] as const) {
    const volt = by.get(id);
    if (!volt) continue;
    for (const [peer, bar] of [
      ['fastify-raw', BAR_RAW],
      ['drf', BAR_DRF],
    ] as const) {
      const other = by.get(peer);
      if (!other) continue;
      const ratio = volt.rps / other.rps;
      const verdict = id === 'volt' ? ` (bar ≥ ${bar}×: ${ratio >= bar ? 'MET' : 'MISSED'})` : '';
      lines.push(`${LABEL[id]} ÷ ${LABEL[peer]} = ${ratio.toFixed(2)}×${verdict}`);
    }
  }
  return lines;
}

const countPath = (limit: number) => `/api/products?${queryString({ ...BENCH_QUERY, limit })}`;

/**
 * The SQL statements of one request at each page size, by server, and the plan SQLite gives
 * the list's statement (whether it uses the price index). fastify-raw's is its one statement.
 */
async function countStatements(
  servers: ServerId[],
  dbs: Databases,
): Promise<{ table: string[][]; lines: string[]; plans: string[]; byServer: Record<string, unknown> }> {
  const paths = COUNT_LIMITS.map(countPath);
  const byServer: Record<string, Record<string, Statements> | string> = {};
  for (const id of servers) {
    try {
      byServer[id] =
        id === 'volt' || id === 'volt-handwritten'
          ? await voltStatements(id, dbs.volt, paths)
          : id === 'drf'
            ? await drfStatements(dbs.drf!, paths)
            : rawStatements(dbs.raw, paths);
    } catch (error) {
      byServer[id] = `not counted: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
  }
  const table = [
    ['server', ...COUNT_LIMITS.map((n) => `limit=${n}`)],
    ...servers.map((id) => {
      const s = byServer[id]!;
      return [LABEL[id], ...(typeof s === 'string' ? [s, '', ''] : paths.map((p) => String(s[p]!.length)))];
    }),
  ];
  const plans = servers.flatMap((id) => {
    const s = byServer[id]!;
    return typeof s === 'string' ? [] : s[paths[1]!]!.map((st) => `${LABEL[id]}: ${st.plan}`);
  });
  const lines: string[] = [];
  const volt = byServer.volt;
  if (volt && typeof volt !== 'string') {
    const counts = paths.map((p) => volt[p]!.length);
    lines.push(
      new Set(counts).size === 1
        ? `Volt's SQL statements per request are constant in the page size (${counts[0]}): bar MET`
        : `Volt's SQL statements per request grow with the page size (${counts.join(', ')}): bar MISSED`,
    );
  }
  return { table, lines, plans, byServer };
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
      skipped.push(`SKIPPED ${LABEL[id]}: ${missing}`);
      log(`SKIPPED ${LABEL[id]}: ${missing}`);
    } else servers.push(id);
  }
  if (servers.length === 0) throw new Error('no server can run');
  log(
    `${servers.length} servers × ${options.rounds} rounds, ${options.warmupSeconds}s warm-up + ${options.seconds}s each, ` +
      `${options.connections} connections: about ${((options.rounds * servers.length * (options.seconds + options.warmupSeconds)) / 60).toFixed(1)} min`,
  );
  log(`GET ${BENCH_PATH}`);
  const dbs = await prepareDatabases(servers.includes('drf'), options.indexed);
  log(
    `databases made in ${dbs.dir}: ${dbs.data.categories.length} categories, ${dbs.data.products.length} products`,
  );
  const running = new Map<ServerId, RunningServer>();
  const cells: Cell[] = [];
  let statements: Awaited<ReturnType<typeof countStatements>> | undefined;
  try {
    for (const id of servers) {
      const port = await freePort();
      running.set(
        id,
        await startServer(options.serverCpu, serverCommand(id, port, dbs), port, '/api/products?limit=1'),
      );
    }
    for (const [id, server] of running) {
      await verifyServer(LABEL[id], server.port, dbs.data);
      log(
        `ready  ${LABEL[id].padEnd(12)} pid ${server.child.pid} port ${server.port}: pages and next links checked`,
      );
    }
    statements = await countStatements(servers, dbs);
    // Each load starts on an idle server: a gunicorn worker still answers what its backlog held
    // when wrk stopped (bench/harness/cpu.ts).
    const measured = await loadRounds(
      servers,
      (id) => {
        const { port, child } = running.get(id)!;
        return { pid: child.pid!, url: `http://127.0.0.1:${port}${BENCH_PATH}` };
      },
      { ...options, timeoutSeconds: 8 },
      (id) => LABEL[id],
      log,
    );
    cells.push(...measured);
  } finally {
    for (const server of running.values()) await stopProcess(server.child);
    rmSync(dbs.dir, { recursive: true, force: true });
  }

  const title = `GET ${BENCH_PATH} (10,000 products, SQLite, price ${options.indexed ? 'indexed' : 'not indexed'}; medians of ${options.rounds} rounds)`;
  const ratios = ratioLines(cells);
  log('');
  for (const line of skipped) log(line);
  log(`${title}\n${textTable(rows(cells), RIGHT)}\n${ratios.join('\n')}\n`);
  log(`SQL statements per request (expand=category, by page size)\n${textTable(statements!.table)}`);
  for (const line of statements!.lines) log(line);
  log(`Query plans (limit=50):\n${statements!.plans.map((p) => `  ${p}`).join('\n')}`);
  log(`\n${stallLine(cells)}`);
  const markdown = [
    ...skipped,
    `**${title}**`,
    markdownTable(rows(cells), RIGHT),
    ratios.join('  \n'),
    '**SQL statements per request** (expand=category, by page size)',
    markdownTable(statements!.table),
    statements!.lines.join('  \n'),
    `Query plans (limit=50):\n\n${statements!.plans.map((p) => `- ${p}`).join('\n')}`,
  ].filter(Boolean);
  log(
    writeResults(
      options.out,
      'bench:crud',
      {
        revision,
        machine,
        options,
        request: BENCH_PATH,
        servers: Object.fromEntries(servers.map((id) => [id, DESCRIPTION[id]])),
        skipped,
        results: cells,
        statements: statements!.byServer,
      },
      markdown,
    ),
  );
}

runMain(main);
