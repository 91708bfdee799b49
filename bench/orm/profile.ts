/**
 * Loops one Volt ORM shape on SQLite for a CPU profile (no comparison, no timing).
 *
 * Usage: node --conditions=volt-source --cpu-prof --cpu-prof-interval 100 bench/orm/profile.ts [get|in20|page|decrement|locked] [n]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createTables, F, f, model, query } from 'voltjs/orm';

const Author = model('bench.Author', { name: f.string({ maxLength: 100, unique: true }) });
const Book = model('bench.Book', {
  title: f.string({ maxLength: 200, index: true }),
  price: f.integer(),
  author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
});
const shape = process.argv[2] ?? 'get';
const n = Number(process.argv[3] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'volt-orm-profile-'));
try {
  const db = await connect(`sqlite:${join(dir, 'p.db')}`);
  await createTables(db, [Author, Book]);
  await db.transaction(async (tx) => {
    await tx.run("insert into bench_author (name) values ('A')");
    for (let i = 1; i <= 10_000; i++)
      await tx.run('insert into bench_book (title, price, author_id) values (?, ?, 1)', [
        `Book ${i}`,
        (i * 37) % 10_000,
      ]);
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const id = ((i * 7919) % 10_000) + 1;
    if (shape === 'get') await query(db, Book).get({ id });
    else if (shape === 'in20')
      await query(db, Book)
        .filter({ id__in: Array.from({ length: 20 }, (_, j) => ((id + j * 499) % 10_000) + 1) })
        .all();
    else if (shape === 'decrement')
      await query(db, Book)
        .filter({ id, price__gte: 1 })
        .update({ price: F('price').minus(1) });
    else if (shape === 'locked')
      await db.transaction(async (tx) => {
        const book = await query(tx, Book).selectForUpdate().get({ id });
        return query(tx, Book)
          .filter({ id })
          .update({ price: book.price + 1 });
      });
    else
      await query(db, Book)
        .filter({ price__gt: id % 5000 })
        .orderBy('title')
        .limit(50)
        .all();
  }
  console.log(`${shape}: ${(((performance.now() - t0) / n) * 1000).toFixed(1)} µs/op`);
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
