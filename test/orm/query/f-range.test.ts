/**
 * F() results the field cannot hold: a ValidationError on the field, on both databases, and
 * nothing written — never a value past the column's range (SQLite would store one) nor a
 * database error (PostgreSQL's "integer out of range").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { ValidationError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { F } from '../../../src/orm/query/refs.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

function shop() {
  const registry = createRegistry();
  const Counter = model(
    'frange.Counter',
    {
      name: f.string({ maxLength: 50 }),
      hits: f.integer(),
      total: f.bigint({ default: 0 }),
      spare: f.integer({ nullable: true }),
      ratio: f.float({ default: 1 }),
    },
    { registry },
  );
  return { Counter };
}

/** The errors of a write that must fail with a ValidationError. */
async function errorsOf(write: Promise<unknown>) {
  try {
    await write;
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error('the write should have failed');
}

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    const { Counter } = shop();
    await createTables(db, [Counter]);
    const [a, b] = await query(db, Counter).bulkCreate([
      { name: 'a', hits: 2_000_000_000, total: 2 ** 52 },
      { name: 'b', hits: 1 },
    ]);
    return { db, Counter, a: a!, b: b! };
  }

  test('an F() update past an integer column range is a ValidationError on the field, and changes no row', async (t) => {
    const { db, Counter } = await setup(t);
    const range = {
      loc: ['hits'],
      msg: 'The computed value should be from -2147483648 to 2147483647',
      type: 'out_of_range',
    };
    assert.deepEqual(await errorsOf(query(db, Counter).update({ hits: F('hits').plus(200_000_000) })), [
      range,
    ]);
    assert.deepEqual(await errorsOf(query(db, Counter).update({ hits: F('hits').times(-2) })), [range]);
    // Every row or none: b alone would have fitted.
    assert.deepEqual(
      (await query(db, Counter).orderBy('id').values('hits')).map((r) => r.hits),
      [2_000_000_000, 1],
    );
    // In range, the same statement runs (and its cached SQL is reused).
    assert.equal(await query(db, Counter).update({ hits: F('hits').plus(1) }), 2);
    assert.deepEqual(
      (await query(db, Counter).orderBy('id').values('hits')).map((r) => r.hits),
      [2_000_000_001, 2],
    );
  });

  test('updateOne: a bigint past 2^53 - 1, or a float past a double, is a ValidationError', async (t) => {
    const { db, Counter, a } = await setup(t);
    const one = query(db, Counter).filter({ id: a.id });
    assert.deepEqual(await errorsOf(one.updateOne({ total: F('total').times(4) })), [
      {
        loc: ['total'],
        msg: `The computed value should be from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`,
        type: 'out_of_range',
      },
    ]);
    await one.updateOne({ ratio: 1e300 });
    const [error] = await errorsOf(one.updateOne({ ratio: F('ratio').times(1e300) }));
    assert.deepEqual([error?.loc, error?.type], [['ratio'], 'out_of_range']);
    const row = await one.get();
    assert.deepEqual([row.total, row.ratio], [2 ** 52, 1e300]);
    assert.equal((await one.updateOne({ total: F('total').times(2).minus(1) })).total, 2 ** 53 - 1);
  });

  test('an F() update out of range inside a savepoint fails alone: the transaction goes on', async (t) => {
    const { db, Counter, b } = await setup(t);
    await db.transaction(async (tx) => {
      await assert.rejects(
        tx.transaction((sp) =>
          query(sp, Counter)
            .filter({ id: b.id })
            .update({ hits: F('hits').minus(2 ** 40) }),
        ),
        ValidationError,
      );
      await query(tx, Counter).filter({ id: b.id }).update({ name: 'kept' });
    });
    assert.equal((await query(db, Counter).get({ id: b.id })).name, 'kept');
  });

  test('a division by zero in F() is a ValidationError on the field', async (t) => {
    const { db, Counter, b } = await setup(t);
    const one = query(db, Counter).filter({ id: b.id });
    await one.updateOne({ spare: 0 });
    // A division by zero is NULL on both databases, which the column refuses (null): a 422 on
    // the field, and the row unchanged.
    const errors = await errorsOf(one.updateOne({ hits: F('hits').dividedBy(F('spare')) }));
    assert.deepEqual(
      errors.map((e) => e.loc),
      [['hits']],
    );
    assert.deepEqual(
      errors.map((e) => e.type),
      ['null'],
    );
    assert.equal((await one.get()).hits, 1);
    // A nullable field gets NULL, on both databases.
    assert.equal((await one.updateOne({ spare: F('hits').dividedBy(F('spare')) })).spare, null);
  });

  test('NULL stays NULL through F() arithmetic on a nullable field', async (t) => {
    const { db, Counter, b } = await setup(t);
    const one = query(db, Counter).filter({ id: b.id });
    assert.equal((await one.updateOne({ spare: F('spare').plus(1) })).spare, null);
    await one.updateOne({ spare: 5 });
    assert.equal((await one.updateOne({ spare: F('spare').plus(F('hits')) })).spare, 6);
  });
});
