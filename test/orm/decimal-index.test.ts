/**
 * A decimal's index serves the queries that compare and order it: on SQLite, which stores a
 * decimal as text and compares it as `cast(… as real)`, the index holds that value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables, f, model, query } from 'voltjs/orm';
import { countQueries, testDatabase } from 'voltjs/testing';
import { createRegistry } from '../../src/orm/registry.ts';

test('sqlite: a filter and an ordering on an indexed decimal read its index, not the whole table', async (t) => {
  const registry = createRegistry();
  const Item = model(
    'shop.Item',
    { price: f.decimal({ digits: 10, places: 2, index: true }), weight: f.decimal({ digits: 6, places: 1 }) },
    { registry, indexes: [{ fields: ['-weight'] }] },
  );
  const db = await testDatabase();
  t.after(() => db.close());
  await createTables(db, [Item]);
  for (let i = 0; i < 50; i++) await query(db, Item).create({ price: `${i}.50`, weight: `${i % 7}.5` });
  const counter = countQueries(db);
  const plan = async (run: () => Promise<unknown>) => {
    counter.reset();
    await run();
    const [statement] = counter.sql;
    const rows = await db.all<{ detail: string }>(
      `explain query plan ${statement}`,
      [10, 10, 10].slice(0, (statement!.match(/\?/g) ?? []).length),
    );
    return rows.map((r) => r.detail).join(' | ');
  };
  const cheap = await plan(() =>
    query(counter.db, Item).filter({ price__gte: '10' }).orderBy('-price').limit(5).all(),
  );
  assert.match(cheap, /USING INDEX shop_item_price_idx/, cheap);
  assert.doesNotMatch(cheap, /TEMP B-TREE/, cheap);
  const heavy = await plan(() => query(counter.db, Item).orderBy('-weight').limit(5).all());
  assert.match(heavy, /USING INDEX/, heavy);
  // The values are the same as without an index.
  const prices = await query(db, Item).filter({ price__gte: '47' }).orderBy('-price').values('price');
  assert.deepEqual(
    prices.map((r) => r.price),
    ['49.50', '48.50', '47.50'],
  );
});
