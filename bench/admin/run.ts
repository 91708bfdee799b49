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
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { queryPlan } from '../crud/setup.ts';
import { LOAD_RIGHT, type LoadCell, loadRounds, loadRows, stallLine } from '../harness/load.ts';
import { requireTool, startRun } from '../harness/machine.ts';
import {
  LOAD_FLAGS,
  type LoadDefaults,
  type LoadOptions,
  loadOptions,
  loadUsage,
} from '../harness/options.ts';
import { fetchOnce, freePort, type RunningServer, startServer, stopProcess } from '../harness/processes.ts';
import { runMain, writeResults } from '../harness/results.ts';
import { markdownTable, textTable } from '../harness/stats.ts';
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

const DEFAULTS: LoadDefaults = { rounds: 5, out: 'bench/results/admin-latest.json' };
const USAGE = loadUsage('npm run bench:admin', SERVER_IDS, DEFAULTS);

type Options = LoadOptions<ServerId>;

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...LOAD_FLAGS, help: { type: 'boolean', default: false } },
  });
  if (values.help) return undefined;
  return loadOptions(values, SERVER_IDS, DEFAULTS);
}

type Cell = LoadCell<ServerId>;

/** The server the ratios are of: Volt's admin, else fastify-raw (a run without Volt's). */
const subjectOf = (cells: Cell[]) =>
  cells.find((c) => c.server === 'volt') ?? cells.find((c) => c.server === 'fastify-raw');

const rows = (cells: Cell[]): string[][] => loadRows(cells, (server) => LABEL[server], subjectOf(cells), '–');
const RIGHT = LOAD_RIGHT;

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
    const measured = await loadRounds(
      servers,
      (id) => {
        const { port, child } = running.get(id)!;
        return { pid: child.pid!, url: `http://127.0.0.1:${port}${benchPath(id)}`, script: scripts.get(id) };
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

  const title = `One admin change list page: category 48, search "el", price descending (10,000 products, SQLite, 100 rows a page, logged in; medians of ${options.rounds} rounds)`;
  const paths = servers.map((id) => `${LABEL[id]}: GET ${benchPath(id)}`);
  const ratios = ratioLines(cells);
  log('');
  for (const line of skipped) log(line);
  log(`${title}\n${paths.join('\n')}\n${textTable(rows(cells), RIGHT)}\n${ratios.join('\n')}\n`);
  log(`SQL statements per page (by page size)\n${textTable(statements!.table)}`);
  for (const line of statements!.lines) log(line);
  log(`\n${stallLine(cells)}`);
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
  log(
    writeResults(
      options.out,
      'bench:admin',
      {
        revision,
        machine,
        options,
        request: Object.fromEntries(servers.map((id) => [id, benchPath(id)])),
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
