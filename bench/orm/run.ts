/**
 * Volt's ORM against the raw drivers (node:sqlite, pg) and Django's ORM, in process, on a
 * 10,000-row table (authors + books with a foreign key). Results: docs/benchmarks.md, "ORM".
 * Every round's figures go to bench/results/orm-latest.json (gitignored).
 *
 * Usage: node --conditions=volt-source bench/orm/run.ts [--rounds 5] [--no-postgres] [--no-django]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { connect, createTables, type Database, F, f, model, query } from 'voltjs/orm';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = option('--rounds', 5);
const PG_URL = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const PYTHON = '/usr/bin/python3';
const ROWS = 10_000;
const AUTHORS = 100;

const Author = model('bench.Author', { name: f.string({ maxLength: 100, unique: true }) });
const Book = model('bench.Book', {
  title: f.string({ maxLength: 200, index: true }),
  price: f.integer(),
  author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
});

type Shape = 'get' | 'in20' | 'page' | 'bulk' | 'update' | 'decrement' | 'locked' | 'bulkUpdate';
const SHAPES: Shape[] = ['get', 'in20', 'page', 'bulk', 'update', 'decrement', 'locked', 'bulkUpdate'];
const LABEL: Record<Shape, string> = {
  get: '(a) get by pk',
  in20: '(b) 20 rows by id (in)',
  page: '(c) page of 50 (price > x, by title) with the author joined',
  bulk: '(d) bulk insert 1,000 rows (tx)',
  update: '(e) update 100 rows',
  decrement: "(f) atomic decrement of one row (F('price') - 1 where price >= 1)",
  locked: '(g) transaction: select for update by pk, then update it',
  bulkUpdate: '(h) bulkUpdate 20 rows, each its own price (one statement)',
};
type Ops = Record<Shape, number>;
const OPS: Record<'sqlite' | 'postgres', Ops> = {
  sqlite: {
    get: 20000,
    in20: 3000,
    page: 1000,
    bulk: 10,
    update: 1000,
    decrement: 10000,
    locked: 3000,
    bulkUpdate: 3000,
  },
  postgres: {
    get: 3000,
    in20: 1000,
    page: 500,
    bulk: 4,
    update: 300,
    decrement: 1000,
    locked: 300,
    bulkUpdate: 500,
  },
};

/** A small deterministic PRNG, so every implementation sees the same ids. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % n;
  };
}
const title = (i: number): string => `Book ${((i * 7919) % 100_003).toString(36)} ${i}`;

/** One implementation: an async op per shape, and a clean-up after a bulk insert. */
interface Impl {
  get(id: number): unknown;
  in20(ids: number[]): unknown;
  page(minPrice: number): unknown;
  bulk(rows: { title: string; price: number; authorId: number }[]): unknown;
  update(from: number, price: number): unknown;
  decrement(id: number): unknown;
  locked(id: number): unknown;
  bulkUpdate(rows: { id: number; price: number }[]): unknown;
}

const bulkRows = Array.from({ length: 1000 }, (_, i) => ({
  title: `Bulk ${i}`,
  price: i,
  authorId: (i % AUTHORS) + 1,
}));

async function timeShape(
  impl: Impl,
  shape: Shape,
  n: number,
  seed: number,
  cleanup: () => Promise<void>,
): Promise<number> {
  const r = rng(seed);
  if (shape === 'bulk') {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      await impl.bulk(bulkRows);
      total += Number(process.hrtime.bigint() - t0);
      await cleanup();
    }
    return total / n / 1000;
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (shape === 'get') await impl.get(r(ROWS) + 1);
    else if (shape === 'in20') await impl.in20(Array.from({ length: 20 }, () => r(ROWS) + 1));
    else if (shape === 'page') await impl.page(r(5000));
    else if (shape === 'decrement') await impl.decrement(r(ROWS) + 1);
    else if (shape === 'locked') await impl.locked(r(ROWS) + 1);
    else if (shape === 'bulkUpdate') {
      // 20 distinct keys (a key twice is refused), each row its own price.
      const start = r(ROWS - 200) + 1;
      await impl.bulkUpdate(Array.from({ length: 20 }, (_, j) => ({ id: start + 10 * j, price: r(10_000) })));
    } else await impl.update(r(ROWS - 99) + 1, r(10_000));
  }
  return Number(process.hrtime.bigint() - t0) / n / 1000;
}

function volt(db: Database): Impl {
  return {
    get: (id) => query(db, Book).get({ id }),
    in20: (ids) => query(db, Book).filter({ id__in: ids }).all(),
    page: (min) =>
      query(db, Book).selectRelated('author').filter({ price__gt: min }).orderBy('title').limit(50).all(),
    bulk: (rows) => query(db, Book).bulkCreate(rows),
    update: (from, price) =>
      query(db, Book)
        .filter({ id__range: [from, from + 99] })
        .update({ price }),
    decrement: (id) =>
      query(db, Book)
        .filter({ id, price__gte: 1 })
        .update({ price: F('price').minus(1) }),
    locked: (id) =>
      db.transaction(async (tx) => {
        const book = await query(tx, Book).selectForUpdate().get({ id });
        return query(tx, Book)
          .filter({ id })
          .update({ price: book.price + 1 });
      }),
    bulkUpdate: (rows) => query(db, Book).bulkUpdate(rows, ['price']),
  };
}

const COLS = 'id, title, price, author_id';
const PAGE = (ph: string) =>
  'select b.id, b.title, b.price, b.author_id, a.id as a_id, a.name as a_name from bench_book b ' +
  `join bench_author a on a.id = b.author_id where b.price > ${ph} order by b.title limit 50`;
const IN20 = Array.from({ length: 20 }, () => '?').join(', ');
/** The statement bulkUpdate sends for 20 rows, written by hand; `value(n)` is the nth parameter. */
const BULK_UPDATE = (value: (n: number, type: string) => string): string =>
  `update bench_book set price = v.column2 from (values ${Array.from(
    { length: 20 },
    (_, i) => `(${value(2 * i + 1, 'bigint')}, ${value(2 * i + 2, 'integer')})`,
  ).join(', ')}) as v where bench_book.id = v.column1`;
const keysAndPrices = (rows: { id: number; price: number }[]): number[] =>
  rows.flatMap((row) => [row.id, row.price]);

function rawSqlite(file: string): { impl: Impl; db: DatabaseSync } {
  const db = new DatabaseSync(file);
  db.exec(
    'pragma journal_mode = wal; pragma foreign_keys = on; pragma synchronous = normal; pragma busy_timeout = 5000',
  );
  const get = db.prepare(`select ${COLS} from bench_book where id = ?`);
  const in20 = db.prepare(`select ${COLS} from bench_book where id in (${IN20})`);
  const page = db.prepare(PAGE('?'));
  const insert = db.prepare(
    `insert into bench_book (title, price, author_id) values (?, ?, ?) returning ${COLS}`,
  );
  const update = db.prepare('update bench_book set price = ? where id between ? and ?');
  const decrement = db.prepare('update bench_book set price = price - 1 where id = ? and price >= 1');
  const byId = db.prepare(`select ${COLS} from bench_book where id = ?`);
  const setPrice = db.prepare('update bench_book set price = ? where id = ?');
  const bulkUpdate = db.prepare(BULK_UPDATE(() => '?'));
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  return {
    db,
    impl: {
      get: async (id) => get.get(id),
      in20: async (ids) => in20.all(...ids),
      page: async (min) => page.all(min),
      bulk: async (rows) => {
        begin.run();
        const out = [];
        for (const row of rows) out.push(insert.get(row.title, row.price, row.authorId));
        commit.run();
        return out;
      },
      update: async (from, price) => update.run(price, from, from + 99).changes,
      decrement: async (id) => decrement.run(id).changes,
      locked: async (id) => {
        begin.run();
        const book = byId.get(id) as { price: number };
        const changed = setPrice.run(book.price + 1, id).changes;
        commit.run();
        return changed;
      },
      bulkUpdate: async (rows) => bulkUpdate.run(...keysAndPrices(rows)).changes,
    },
  };
}

function rawPostgres(pool: pg.Pool): Impl {
  const in20 = Array.from({ length: 20 }, (_, i) => `$${i + 1}`).join(', ');
  const bulkUpdate = BULK_UPDATE((n, type) => `$${n}::${type}`);
  return {
    get: async (id) => (await pool.query(`select ${COLS} from bench_book where id = $1`, [id])).rows[0],
    in20: async (ids) => (await pool.query(`select ${COLS} from bench_book where id in (${in20})`, ids)).rows,
    page: async (min) => (await pool.query(PAGE('$1'), [min])).rows,
    bulk: async (rows) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const out = [];
        for (const row of rows)
          out.push(
            (
              await client.query(
                `insert into bench_book (title, price, author_id) values ($1, $2, $3) returning ${COLS}`,
                [row.title, row.price, row.authorId],
              )
            ).rows[0],
          );
        await client.query('commit');
        return out;
      } finally {
        client.release();
      }
    },
    update: async (from, price) =>
      (
        await pool.query('update bench_book set price = $1 where id between $2 and $3', [
          price,
          from,
          from + 99,
        ])
      ).rowCount,
    decrement: async (id) =>
      (await pool.query('update bench_book set price = price - 1 where id = $1 and price >= 1', [id]))
        .rowCount,
    locked: async (id) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const book = (await client.query(`select ${COLS} from bench_book where id = $1 for update`, [id]))
          .rows[0] as { price: number };
        const changed = (
          await client.query('update bench_book set price = $1 where id = $2', [book.price + 1, id])
        ).rowCount;
        await client.query('commit');
        return changed;
      } finally {
        client.release();
      }
    },
    bulkUpdate: async (rows) => (await pool.query(bulkUpdate, keysAndPrices(rows))).rowCount,
  };
}

type Results = Record<string, Record<Shape, number[]>>;
const empty = (): Record<Shape, number[]> => ({
  get: [],
  in20: [],
  page: [],
  bulk: [],
  update: [],
  decrement: [],
  locked: [],
  bulkUpdate: [],
});
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function runDialect(
  name: 'sqlite' | 'postgres',
  impls: Record<string, Impl>,
  cleanup: () => Promise<void>,
  betweenRounds: () => Promise<void>,
  django: ((round: number) => Record<Shape, number>) | undefined,
): Promise<Results> {
  const results: Results = {};
  for (const id of Object.keys(impls)) results[id] = empty();
  if (django) results.django = empty();
  const ops = OPS[name];
  for (let round = 0; round <= ROUNDS; round++) {
    const warm = round === 0; // round 0 warms up every path and is not recorded
    const order = Object.keys(impls);
    if (round % 2) order.reverse();
    for (const shape of SHAPES) {
      for (const id of order) {
        const n = warm ? Math.max(1, Math.ceil(ops[shape] / 5)) : ops[shape];
        const us = await timeShape(
          impls[id] as Impl,
          shape,
          n,
          1000 * round + SHAPES.indexOf(shape),
          cleanup,
        );
        if (!warm) results[id]?.[shape].push(us);
      }
      await betweenRounds();
    }
    if (django && !warm) {
      const d = django(round);
      for (const shape of SHAPES) results.django?.[shape].push(d[shape]);
      await betweenRounds();
    }
    process.stderr.write(`${name}: round ${round}${warm ? ' (warm-up)' : ''} done\n`);
  }
  return results;
}

const all: Record<string, Results> = {};
function report(name: string, results: Results): string[] {
  const ids = Object.keys(results);
  const fmt = (x: number): string => (x >= 1000 ? x.toFixed(0) : x.toFixed(1));
  const lines = [
    `### ${name}`,
    '',
    `| shape | ${ids.map((id) => `${id} µs/op`).join(' | ')} | Volt ÷ raw | Volt ÷ Django |`,
    `|---|${ids.map(() => '---:').join('|')}|---:|---:|`,
  ];
  const verdicts: string[] = [];
  const spread: string[] = ['Range across rounds (µs/op, min–max):'];
  for (const shape of SHAPES) {
    const m = Object.fromEntries(ids.map((id) => [id, median(results[id]?.[shape] ?? [])]));
    const v = m.volt as number;
    const vr = (m.raw as number) / v;
    const vd = m.django === undefined ? undefined : m.django / v;
    lines.push(
      `| ${LABEL[shape]} | ${ids.map((id) => fmt(m[id] as number)).join(' | ')} | ${vr.toFixed(2)}× | ${vd === undefined ? 'n/a' : `${vd.toFixed(1)}×`} |`,
    );
    const rounds = ids.map((id) => results[id]?.[shape] ?? []);
    spread.push(
      `  ${LABEL[shape]}: ${ids.map((id, i) => `${id} ${Math.min(...(rounds[i] ?? [])).toFixed(1)}–${Math.max(...(rounds[i] ?? [])).toFixed(1)}`).join(', ')}`,
    );
    verdicts.push(
      `- ${LABEL[shape]}: raw bar (≥ 0.8×) ${vr >= 0.8 ? 'MET' : 'MISSED'}${vd === undefined ? '' : `; Django bar (≥ 3×) ${vd >= 3 ? 'MET' : 'MISSED'}`}`,
    );
  }
  all[name] = results;
  return [...lines, '', ...verdicts, '', ...spread, ''];
}

// --- SQLite -----------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'volt-orm-bench-'));
const file = join(dir, 'bench.db');
const out: string[] = [
  `ORM benchmark: ${ROUNDS} rounds (median), ${ROWS} books, Node ${process.version}`,
  '',
];
try {
  const vdb = await connect(`sqlite:${file}`);
  await createTables(vdb, [Author, Book]);
  const raw = rawSqlite(file);
  const seed = rng(42);
  raw.db.exec('begin');
  const ia = raw.db.prepare('insert into bench_author (name) values (?)');
  for (let i = 1; i <= AUTHORS; i++) ia.run(`Author ${i}`);
  const ib = raw.db.prepare('insert into bench_book (title, price, author_id) values (?, ?, ?)');
  for (let i = 1; i <= ROWS; i++) ib.run(title(i), seed(10_000), (i % AUTHORS) + 1);
  raw.db.exec('commit');
  raw.db.exec('analyze');
  const cleanup = async (): Promise<void> => {
    raw.db.exec(`delete from bench_book where id > ${ROWS}`);
  };
  let django: ((round: number) => Record<Shape, number>) | undefined;
  if (flag('--no-django')) out.push('SKIPPED django: --no-django', '');
  else if (!existsSync(PYTHON)) out.push(`SKIPPED django: ${PYTHON} not found`, '');
  else
    django = (round) =>
      JSON.parse(
        execFileSync(
          PYTHON,
          [
            join(import.meta.dirname, 'django_bench.py'),
            file,
            JSON.stringify({ seed: round, ops: OPS.sqlite }),
          ],
          {
            encoding: 'utf8',
          },
        ),
      ) as Record<Shape, number>;
  const sqlite = await runDialect(
    'sqlite',
    { volt: volt(vdb), raw: raw.impl },
    cleanup,
    async () => {},
    django,
  );
  out.push(...report('SQLite (temp file, WAL)', sqlite));
  raw.db.close();
  await vdb.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// --- PostgreSQL --------------------------------------------------------------------------
if (flag('--no-postgres')) out.push('SKIPPED postgres: --no-postgres');
else {
  const schema = `volt_orm_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    const vdb = await connect(PG_URL, { searchPath: schema });
    await createTables(vdb, [Author, Book]);
    const pool = new pg.Pool({ connectionString: PG_URL, max: 10, options: `-c search_path=${schema}` });
    const seed = rng(42);
    await pool.query(
      `insert into bench_author (name) select 'Author ' || g from generate_series(1, ${AUTHORS}) g`,
    );
    const titles = Array.from({ length: ROWS }, (_, i) => title(i + 1));
    const prices = Array.from({ length: ROWS }, () => seed(10_000));
    const authors = Array.from({ length: ROWS }, (_, i) => ((i + 1) % AUTHORS) + 1);
    await pool.query(
      'insert into bench_book (title, price, author_id) select * from unnest($1::text[], $2::int[], $3::bigint[])',
      [titles, prices, authors],
    );
    const vacuum = async (): Promise<void> => {
      await pool.query('vacuum analyze bench_book');
    };
    await vacuum();
    const cleanup = async (): Promise<void> => {
      await pool.query(`delete from bench_book where id > ${ROWS}`);
    };
    out.push('SKIPPED django on PostgreSQL: psycopg2 is not installed for /usr/bin/python3', '');
    const results = await runDialect(
      'postgres',
      { volt: volt(vdb), raw: rawPostgres(pool) },
      cleanup,
      vacuum,
      undefined,
    );
    out.push(...report('PostgreSQL (pool of 10, one query at a time)', results));
    await pool.end();
    await vdb.close();
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}
console.log(out.join('\n'));
const resultsDir = join(import.meta.dirname, '..', 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  join(resultsDir, 'orm-latest.json'),
  `${JSON.stringify({ rounds: ROUNDS, ops: OPS, results: all }, null, 2)}\n`,
);
