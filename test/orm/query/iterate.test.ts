/**
 * iterate(): every matching row once, in order, a bounded chunk per query.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { forEachDialect } from '../support.ts';

function logs() {
  const registry = createRegistry();
  const Source = model('log.Source', { name: f.string({ maxLength: 20 }) }, { registry });
  const Entry = model(
    'log.Entry',
    {
      level: f.integer(),
      price: f.decimal({ digits: 8, places: 2 }),
      note: f.string({ maxLength: 20, nullable: true }),
      source: f.foreignKey(() => Source, { onDelete: 'cascade' }),
    },
    { registry },
  );
  return { Source, Entry };
}

async function seed(db: Database, n: number) {
  const { Source, Entry } = logs();
  await createTables(db, [Source, Entry]);
  const sources = await query(db, Source).bulkCreate([{ name: 'b' }, { name: 'a' }]);
  await query(db, Entry).bulkCreate(
    Array.from({ length: n }, (_, i) => ({
      level: i % 7,
      // Same integer length and sign, but text order differs from numeric order at 10.00 vs 9.xx.
      price: String((i % 13) + 0.5),
      note: i % 3 === 0 ? null : `n${i}`,
      sourceId: sources[i % 2]!.id,
    })),
  );
  return { Source, Entry };
}

forEachDialect((_dialect, open) => {
  test('2,500 rows in chunks of 1,000: three queries, every row once, in order', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Entry } = await seed(db, 2500);
    const counter = countQueries(db);
    const ids: number[] = [];
    for await (const entry of query(counter.db, Entry).iterate({ chunkSize: 1000 })) ids.push(entry.id);
    assert.equal(counter.count, 3);
    assert.equal(ids.length, 2500);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assert.equal(new Set(ids).size, 2500);
  });

  test('keyset pagination follows any order of non-null columns, ties broken by the key', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Entry } = await seed(db, 2500);
    const set = query(db, Entry).filter({ level__lt: 6 }).orderBy('-level', 'price');
    const expected = (await set.all()).map((e) => e.id);
    const counter = countQueries(db);
    const seen: number[] = [];
    for await (const entry of query(counter.db, Entry)
      .filter({ level__lt: 6 })
      .orderBy('-level', 'price')
      .iterate({ chunkSize: 300 }))
      seen.push(entry.id);
    assert.equal(seen.length, expected.length);
    // Same order where the order is total; every row exactly once.
    assert.equal(new Set(seen).size, expected.length);
    const levels = (
      await query(db, Entry)
        .filter({ id__in: seen.slice(0, 300) })
        .values('level')
    ).map((r) => r.level);
    assert.ok(levels.every((l) => l === 5));
    assert.equal(counter.count, Math.ceil(expected.length / 300) + (expected.length % 300 === 0 ? 1 : 0));
  });

  test('an order keyset pagination cannot follow reads the keys first, then rows by key', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Entry } = await seed(db, 2500);
    const set = query(db, Entry).orderBy('source__name', '-note', 'id');
    const expected = (await set.values('id')).map((r) => r.id);
    const counter = countQueries(db);
    const seen: number[] = [];
    for await (const entry of query(counter.db, Entry)
      .orderBy('source__name', '-note', 'id')
      .selectRelated('source')
      .iterate({ chunkSize: 1000 })) {
      assert.equal(entry.source.id, entry.sourceId);
      seen.push(entry.id);
    }
    assert.deepEqual(seen, expected);
    assert.equal(counter.count, 4); // the keys, then three chunks
    // A sliced query iterates its slice.
    const page = query(db, Entry).orderBy('-id').offset(10).limit(25);
    const sliced: number[] = [];
    for await (const entry of page.iterate({ chunkSize: 10 })) sliced.push(entry.id);
    assert.deepEqual(
      sliced,
      Array.from({ length: 25 }, (_, i) => 2490 - i),
    );
  });

  test('chunkSize must be a whole number of 1 or more', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Entry } = await seed(db, 1);
    await assert.rejects(query(db, Entry).iterate({ chunkSize: 0 }).next(), QueryError);
    await assert.rejects(query(db, Entry).iterate({ chunkSize: 1.5 }).next(), /whole number/);
  });
});
