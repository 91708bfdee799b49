/**
 * What the database layer adds to one statement outside a transaction: the async-context
 * lookup that catches `db` used inside its own transaction (`AsyncLocalStorage#getStore()`),
 * and a whole `db.get()` on SQLite and on PostgreSQL (pool check-out, statement, release), in
 * µs per call. Run it on two commits to compare them.
 *
 * Usage: node --conditions=volt-source bench/orm/statement-path.ts [--rounds 5] [--n 20000]
 *        (PostgreSQL needs VOLT_TEST_POSTGRES, e.g. postgres://postgres@127.0.0.1:5432/test)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { parseArgs } from 'node:util';
import { connect, type Database } from 'voltjs/orm';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, n: { type: 'string' } } });
const rounds = Number(values.rounds ?? 5);
const n = Number(values.n ?? 20_000);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** ns per getStore() call, outside any context and inside another storage's context. */
function getStoreCost(): { outside: number; inside: number } {
  const storage = new AsyncLocalStorage<object>();
  const other = new AsyncLocalStorage<object>();
  const calls = 5_000_000;
  const time = () => {
    let found = 0;
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) if (storage.getStore() !== undefined) found++;
    if (found !== 0) throw new Error('unexpected store');
    return ((performance.now() - t0) * 1e6) / calls;
  };
  time(); // warm-up
  const outside = time();
  const inside = other.run({}, time);
  return { outside, inside };
}

async function statementCost(db: Database): Promise<number> {
  const sql = db.dialect === 'sqlite' ? 'select ? as x' : 'select $1::int as x';
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await db.get(sql, [i]);
  return ((performance.now() - t0) * 1000) / n;
}

const outside: number[] = [];
const inside: number[] = [];
const sqlite: number[] = [];
const postgres: number[] = [];
const sqliteDb = await connect('sqlite::memory:');
const pgUrl = process.env.VOLT_TEST_POSTGRES;
const pgDb = pgUrl ? await connect(pgUrl, { max: 1 }) : undefined;
await statementCost(sqliteDb);
if (pgDb) await statementCost(pgDb);
for (let round = 0; round < rounds; round++) {
  const store = getStoreCost();
  outside.push(store.outside);
  inside.push(store.inside);
  sqlite.push(await statementCost(sqliteDb));
  if (pgDb) postgres.push(await statementCost(pgDb));
}
await sqliteDb.close();
await pgDb?.close();
console.log(`AsyncLocalStorage#getStore(), no context:      ${median(outside).toFixed(1)} ns`);
console.log(`AsyncLocalStorage#getStore(), other's context: ${median(inside).toFixed(1)} ns`);
console.log(`SQLite db.get():     ${median(sqlite).toFixed(2)} µs (median of ${rounds} × ${n})`);
if (pgDb) console.log(`PostgreSQL db.get(): ${median(postgres).toFixed(2)} µs (median of ${rounds} × ${n})`);
