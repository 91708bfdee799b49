/**
 * `npm run bench:admin`: an admin change list page, on bench/crud's 10,000 products (100
 * categories), SQLite: a category filter, a search on the name and SKU, ordered by the price
 * descending, 100 rows a page with their category's name, a logged-in staff session. Volt's
 * admin (`GET /admin/crud/product?category__exact=48&q=el&o=-price`, servers/volt.ts) against
 * Django's admin change list and the same page written by hand on bare Fastify + node:sqlite
 * (both `GET /admin/shop/product/?category__id__exact=48&q=el&o=-3`). The bars: Volt ≥ 0.7×
 * fastify-raw and ≥ 5× Django's admin in one run, SQL statements per page constant in the page
 * size.
 *
 * The databases are made afresh (bench/admin/setup.ts); every server is its own process pinned
 * to one core, wrk to the other, sending the session cookie (Volt's from a login through its
 * admin's login form when the server starts); every server's pages are checked
 * against the data set before any load (bench/admin/verify.ts); the SQL statements of one page
 * are counted at 20 and 100 rows a page; rounds rotate the server order; the report gives the
 * medians across rounds and the ratios. See bench/README.md, "Admin change list".
 *
 * Usage: node --conditions=volt-source bench/admin/run.ts [--rounds 5] [--duration 5s] [--warmup 1s]
 *        [--connections 64] [--only fastify-raw,django-admin] [--server-cpu 0] [--client-cpu 1]
 *        [--out bench/results/admin-latest.json]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { queryPlan } from '../crud/setup.ts';
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
  voltLogin,
} from './setup.ts';
import { benchPath, verifyServer } from './verify.ts';

const log = (line = '') => console.log(line);

/** The bars of the issue, for Volt's admin: ÷ fastify-raw and ÷ Django's admin. */
const BAR_RAW = 0.7;
const BAR_DJANGO = 5;
/** The page sizes the SQL statements are counted at. */
const PAGE_SIZES = [20, 100];

const USAGE = `Usage: npm run bench:admin -- [options]

  --rounds <5>          rounds; the report shows the median across rounds
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
    rounds: values.rounds ? positiveInt(values.rounds, '--rounds') : 5,
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

/** The server the ratios are of: Volt's admin, else fastify-raw (a run without Volt's). */
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
type Counted = Array<{ sql: string; plan?: string | undefined }> | number;

/**
 * The SQL statements of one page of the benchmark's request at each page size: Django's through
 * CaptureQueriesContext (admin_app.py count, its ModelAdmin's list_per_page set by
 * ADMIN_PER_PAGE); fastify-raw's counted in its code, Volt's by its bench server on a counting
 * view of its database (`countQueries`), each answered in `x-sql-statements` by a second process
 * started with ADMIN_COUNT_SQL=1 (Volt's also gives the SQL, `x-sql-text`). The page is asked
 * twice on one session and the second answer counted, as under load; a first answer that
 * differs (Volt's admin loads the user's saved list settings into the session once) is noted.
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
  const notes: string[] = [];
  for (const id of servers) {
    const counts: Record<number, Counted> = {};
    const path = benchPath(id);
    try {
      for (const size of PAGE_SIZES) {
        if (id === 'django-admin') {
          counts[size] = (await djangoStatements(dbs, size, [path]))[path]!;
        } else {
          const port = await freePort();
          const env = { ADMIN_COUNT_SQL: '1', ADMIN_PER_PAGE: String(size) };
          const server = await startServer(cpu, serverCommand(id, port, dbs, env), port, '/admin/');
          try {
            const cookie = await cookieOf(id, port, dbs);
            const ask = async () => {
              const answer = await fetchOnce(port, { method: 'GET', path, headers: { cookie } });
              const n = Number(answer.headers['x-sql-statements']);
              if (answer.status !== 200 || !Number.isInteger(n))
                throw new Error(
                  `status ${answer.status}, x-sql-statements ${answer.headers['x-sql-statements']}`,
                );
              const text = answer.headers['x-sql-text'];
              const sql =
                typeof text === 'string'
                  ? (JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as string[])
                  : undefined;
              return { n, sql };
            };
            const first = await ask();
            const steady = await ask();
            if (first.n !== steady.n)
              notes.push(
                `${LABEL[id]}, ${size} a page: ${first.n} statements on the session's first change list, ${steady.n} after`,
              );
            counts[size] = steady.sql
              ? steady.sql.map((sql) => ({ sql, plan: planOf(dbs.volt, sql) }))
              : steady.n;
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
  lines.push(...notes);
  return { table, lines, byServer };
}

/** SQLite's plan of one statement of Volt's, or undefined when it cannot be planned alone. */
function planOf(file: string, sql: string): string | undefined {
  try {
    return queryPlan(file, sql);
  } catch {
    return undefined;
  }
}

/**
 * The cookie server `id` on `port` is sent: Volt's admin's `volt_session`, from a login through
 * its login form (each start of the server), else the `sessionid` setup.ts made.
 */
async function cookieOf(id: ServerId, port: number, dbs: Databases): Promise<string> {
  if (id === 'volt') return voltLogin(port);
  return `sessionid=${id === 'django-admin' ? dbs.djangoSession : dbs.rawSession}`;
}

/** A wrk Lua script that sends the server's session cookie. */
function writeScript(dir: string, id: ServerId, cookie: string): string {
  const file = join(dir, `${id}.lua`);
  writeFileSync(file, `wrk.headers["Cookie"] = ${JSON.stringify(cookie)}\n`);
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
  for (const id of servers)
    log(
      `${LABEL[id].padEnd(12)} GET ${benchPath(id)} (logged in: ${id === 'volt' ? 'volt_session' : 'sessionid'} cookie)`,
    );
  const dbs = await prepareDatabases(servers.includes('django-admin'));
  log(
    `databases made in ${dbs.dir}: ${dbs.data.categories.length} categories, ${dbs.data.products.length} products`,
  );
  const running = new Map<ServerId, RunningServer>();
  const cookies = new Map<ServerId, string>();
  const cells: Cell[] = [];
  let statements: Awaited<ReturnType<typeof countStatements>> | undefined;
  try {
    for (const id of servers) {
      const port = await freePort();
      running.set(id, await startServer(options.serverCpu, serverCommand(id, port, dbs), port, '/admin/'));
    }
    for (const [id, server] of running) {
      const cookie = await cookieOf(id, server.port, dbs);
      cookies.set(id, cookie);
      await verifyServer(id, LABEL[id], server.port, cookie, dbs.data);
      log(
        `ready  ${LABEL[id].padEnd(12)} pid ${server.child.pid} port ${server.port}: both pages' rows, counts, escaping, login checked`,
      );
    }
    statements = await countStatements(servers, dbs, options.serverCpu);
    const scripts = new Map(servers.map((id) => [id, writeScript(dbs.dir, id, cookies.get(id)!)]));
    const runs = new Map(servers.map((id) => [id, [] as Measurement[]]));
    for (let round = 0; round < options.rounds; round++) {
      const rotated = [...servers.slice(round % servers.length), ...servers.slice(0, round % servers.length)];
      for (const id of rotated) {
        const { port, child } = running.get(id)!;
        const wrk = (secs: number) =>
          runWrk({
            url: `http://127.0.0.1:${port}${benchPath(id)}`,
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

  const title = `One admin change list page: category 48, search "el", price descending (10,000 products, SQLite, 100 rows a page, logged in; medians of ${options.rounds} rounds)`;
  const paths = servers.map((id) => `${LABEL[id]}: GET ${benchPath(id)}`);
  const ratios = ratioLines(cells);
  log('');
  for (const line of skipped) log(line);
  log(`${title}\n${paths.join('\n')}\n${textTable(rows(cells), RIGHT)}\n${ratios.join('\n')}\n`);
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
    paths.map((p) => `    ${p}`).join('\n'),
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
        request: Object.fromEntries(servers.map((id) => [id, benchPath(id)])),
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
