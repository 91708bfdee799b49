/**
 * bulkUpdate of 20 rows alone, Volt and the raw driver running the same statement alternating
 * every round (medians of 31 rounds): the shape (h) of run.ts, readable on a busy machine.
 * Results: docs/benchmarks.md, "bulkUpdate of 20 rows".
 *
 * Usage: node --conditions=volt-source bench/orm/bulk-update.ts   (BENCH_POSTGRES, or --no-postgres)
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { connect, createTables, type Database, f, model, query } from 'voltjs/orm';

const PG_URL = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = 31;
const Author = model('bench.Author', { name: f.string({ maxLength: 100, unique: true }) });
const Book = model('bench.Book', {
  title: f.string({ maxLength: 200, index: true }),
  price: f.integer(),
  author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
});

type Rows = { id: number; price: number }[];

/** The statement bulkUpdate sends for 20 rows, written by hand; `value(n)` is the nth parameter. */
const statement = (value: (n: number, type: string) => string): string =>
  `update bench_book set price = v.column2 from (values ${Array.from(
    { length: 20 },
    (_, i) => `(${value(2 * i + 1, 'bigint')}, ${value(2 * i + 2, 'integer')})`,
  ).join(', ')}) as v where bench_book.id = v.column1`;

let seed = 7;
const random = (n: number): number => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed % n;
};
/** 20 distinct keys (a key twice is refused), each row its own price. */
const rows = (): Rows => {
  const start = random(9800) + 1;
  return Array.from({ length: 20 }, (_, j) => ({ id: start + 10 * j, price: random(10_000) }));
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function seedTables(db: Database): Promise<void> {
  await createTables(db, [Author, Book]);
  const author = await query(db, Author).create({ name: 'Author' });
  await query(db, Book).bulkCreate(
    Array.from({ length: 10_000 }, (_, i) => ({ title: `Book ${i}`, price: i, authorId: author.id })),
  );
}

async function sideBySide(name: string, db: Database, raw: (rows: Rows) => Promise<unknown>, calls: number) {
  const volt = (batch: Rows) => query(db, Book).bulkUpdate(batch, ['price']);
  const times = { volt: [] as number[], raw: [] as number[] };
  for (let round = 0; round <= ROUNDS; round++) {
    const order = round % 2 ? (['raw', 'volt'] as const) : (['volt', 'raw'] as const);
    for (const id of order) {
      const run = id === 'volt' ? volt : raw;
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await run(rows());
      // Round 0 warms both paths up and is not recorded.
      if (round > 0) times[id].push(((performance.now() - t0) / calls) * 1000);
    }
  }
  const [v, r] = [median(times.volt), median(times.raw)];
  console.log(
    `${name}: volt ${v.toFixed(1)} µs, raw ${r.toFixed(1)} µs per call; Volt ÷ raw ${(r / v).toFixed(2)}×`,
  );
}

const file = join(tmpdir(), `volt-bulk-update-${process.pid}.db`);
try {
  const db = await connect(`sqlite:${file}`);
  await seedTables(db);
  const raw = new DatabaseSync(file);
  raw.exec('pragma journal_mode = wal; pragma foreign_keys = on; pragma synchronous = normal');
  const update = raw.prepare(statement(() => '?'));
  await sideBySide(
    'SQLite',
    db,
    async (batch) => update.run(...batch.flatMap((r) => [r.id, r.price])).changes,
    300,
  );
  raw.close();
  await db.close();
} finally {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

if (!process.argv.includes('--no-postgres')) {
  const schema = `volt_bulk_update_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    const db = await connect(PG_URL, { searchPath: schema });
    await seedTables(db);
    const pool = new pg.Pool({ connectionString: PG_URL, max: 10, options: `-c search_path=${schema}` });
    const text = statement((n, type) => `$${n}::${type}`);
    await sideBySide(
      'PostgreSQL',
      db,
      async (batch) =>
        (
          await pool.query(
            text,
            batch.flatMap((r) => [r.id, r.price]),
          )
        ).rowCount,
      60,
    );
    await pool.end();
    await db.close();
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}
