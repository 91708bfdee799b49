/**
 * A decimal negative zero (`"-0"`, `"-0.00"`) is stored and answered as zero (`"0.00"`) on both
 * databases. PostgreSQL's `numeric` has no negative zero; SQLite keeps decimals as text and
 * would keep the sign, so the same input would come back differently by database.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { sum } from '../../../src/orm/query/aggregates.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

const registry = createRegistry();
const Entry = model(
  'ledger.Entry',
  {
    amount: f.decimal({ digits: 8, places: 2 }),
    units: f.decimal({ digits: 4, places: 0, nullable: true }),
  },
  { registry },
);

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Entry]);
    return db;
  }

  test('"-0" in any spelling is created, stored and read back as "0.00"', async (t) => {
    const db = await setup(t);
    for (const amount of ['-0', '-0.0', '-0.00', '0', '0.00']) {
      const created = await query(db, Entry).create({ amount, units: '-0' });
      assert.equal(created.amount, '0.00', `create(${amount}) answered ${created.amount}`);
      assert.equal(created.units, '0');
      const read = await query(db, Entry).get({ id: created.id });
      assert.equal(read.amount, '0.00', `${amount} was stored as ${read.amount}`);
      assert.equal(read.units, '0');
    }
    // What the database holds is one value: zero.
    const rows = await db.all<{ amount: unknown }>(
      `select distinct cast(amount as text) as amount from ${db.quoteIdentifier('ledger_entry')}`,
    );
    assert.deepEqual(
      rows.map((r) => r.amount),
      ['0.00'],
    );
  });

  test('"-0" finds zero, and an update to "-0" stores zero', async (t) => {
    const db = await setup(t);
    const entry = await query(db, Entry).create({ amount: '5.00' });
    await query(db, Entry).filter({ id: entry.id }).update({ amount: '-0.0' });
    assert.equal((await query(db, Entry).get({ id: entry.id })).amount, '0.00');
    assert.equal(await query(db, Entry).filter({ amount: '-0' }).count(), 1);
    assert.equal(await query(db, Entry).filter({ amount: '0' }).count(), 1);
  });

  test('negative values keep their sign', async (t) => {
    const db = await setup(t);
    const created = await query(db, Entry).create({ amount: '-0.5', units: '-3' });
    assert.equal(created.amount, '-0.50');
    assert.equal((await query(db, Entry).get({ id: created.id })).amount, '-0.50');
    assert.equal(created.units, '-3');
  });

  test('a sum that comes to zero is "0.00"', async (t) => {
    const db = await setup(t);
    for (const amount of ['0.30', '-0.10', '-0.20']) await query(db, Entry).create({ amount });
    assert.deepEqual(await query(db, Entry).aggregate({ total: sum('amount') }), { total: '0.00' });
  });
});
