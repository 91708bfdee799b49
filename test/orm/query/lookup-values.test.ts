/**
 * The values lookups take: `null` inside an `in` list (dropped, as Django does), and the value
 * of every lookup checked before any SQL — a wrong type is a `QueryError` naming the key, and
 * a number past an integer column's range (or with a fraction) compares as a number.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { not } from '../../../src/orm/query/expressions.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

async function seed(db: Database) {
  const registry = createRegistry();
  const Item = model(
    'lv.Item',
    {
      name: f.string({ maxLength: 20, nullable: true }),
      code: f.string({ maxLength: 20 }),
      n: f.integer({ nullable: true }),
      big: f.bigint({ nullable: true }),
      score: f.float({ nullable: true }),
      day: f.date({ nullable: true }),
      at: f.datetime({ nullable: true }),
      starts: f.time({ nullable: true }),
      ok: f.boolean({ nullable: true }),
      ref: f.uuid({ nullable: true, unique: true }),
      stamp: f.datetime({ nullable: true, unique: true }),
    },
    { registry, ordering: ['code'] },
  );
  await createTables(db, [Item]);
  await query(db, Item).bulkCreate([
    {
      code: 'a',
      name: 'a',
      n: 1,
      big: 1,
      score: 1.5,
      day: '2024-01-01',
      at: new Date('2024-01-01T10:00:00Z'),
      starts: '10:00',
      ok: true,
      ref: '00000000-0000-4000-8000-000000000001',
    },
    {
      code: 'b',
      name: 'b',
      n: 3,
      big: 3,
      score: 3.5,
      day: '2025-06-30',
      at: new Date('2025-06-30T12:00:00Z'),
      starts: '12:00',
      ok: false,
      ref: '00000000-0000-4000-8000-000000000002',
    },
    { code: 'c' },
  ]);
  const codes = async (set: { values(...names: string[]): Promise<Record<string, unknown>[]> }) =>
    (await set.values('code')).map((r) => r.code);
  return { Item, items: query(db, Item), codes };
}

forEachDialect((_dialect, open) => {
  test('null in an in list is dropped: filter never matches NULL, exclude keeps the other non-NULL rows', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { items, codes } = await seed(db);
    assert.deepEqual(await codes(items.filter({ name__in: ['a', null] } as never)), ['a']);
    assert.deepEqual(await codes(items.exclude({ name__in: ['a', null] } as never)), ['b']);
    assert.deepEqual(await codes(items.filter(not({ name__in: ['a', null] } as never))), ['b']);
    // Only null: filter matches nothing, exclude keeps the rows with a value (as `{ name: null }` would).
    assert.deepEqual(await codes(items.filter({ name__in: [null] } as never)), []);
    assert.deepEqual(await codes(items.exclude({ name__in: [null] } as never)), ['a', 'b']);
    assert.deepEqual(await codes(items.exclude({ name__in: [null, null] } as never)), ['a', 'b']);
    // A column that is never NULL.
    assert.deepEqual(await codes(items.exclude({ code__in: ['a', null] } as never)), ['b', 'c']);
    assert.deepEqual(await codes(items.exclude({ code__in: [null] } as never)), ['a', 'b', 'c']);
    // An empty list still matches nothing, and its exclude everything.
    assert.deepEqual(await codes(items.exclude({ name__in: [] })), ['a', 'b', 'c']);
  });

  test('a value of the wrong type is a QueryError naming the key, for every lookup, before any SQL', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { items } = await seed(db);
    const bad: Record<string, unknown>[] = [
      { n__gt: 'abc' },
      { n__lte: true },
      { n__range: [1, 'x'] },
      { n__gte: Number.NaN },
      { n__lt: Number.POSITIVE_INFINITY },
      { n: true },
      { big__lt: 'many' },
      { score__gt: 'abc' },
      { score: 'abc' },
      { score__in: [1, 'abc'] },
      { score__gte: Number.POSITIVE_INFINITY },
      { day__gt: 'abc' },
      { day: '2024-02-30' },
      { at__gt: 'abc' },
      { at__lt: 'not a date' },
      { at: 'abc' },
      { at__in: [new Date('x')] },
      { at__range: ['2024-01-01', '2025-01-01'] },
      { starts__gte: '25:00' },
      { ok: 'yes' },
      { ok__in: [1] },
      { ref: 'abc' },
      { ref__gt: 42 },
      { name__gt: 5 },
      { code: 7 },
      { at__year__gt: 'abc' },
      { at__month__in: [1, 'x'] },
      { at__year__range: [2020, null] },
      { n__gt: null },
    ];
    for (const where of bad) {
      const key = Object.keys(where)[0]!;
      for (const method of ['filter', 'exclude'] as const)
        assert.throws(
          () => items[method](where as never),
          (error: Error) =>
            error.name === 'QueryError' &&
            error.message.includes(`'${key}'`) &&
            !/RangeError/.test(error.message),
          `${method}(${JSON.stringify(where)})`,
        );
    }
  });

  test('an integer past its column range, or with a fraction, compares as a number', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { items, codes } = await seed(db);
    const where = async (conditions: object) => codes(items.filter(conditions as never));
    assert.deepEqual(await where({ n__gt: 2 ** 31 }), []);
    assert.deepEqual(await where({ n__gte: 2 ** 31 }), []);
    assert.deepEqual(await where({ n__lt: 2 ** 31 }), ['a', 'b']);
    assert.deepEqual(await where({ n__lte: 1e300 }), ['a', 'b']);
    assert.deepEqual(await where({ n__gt: -(2 ** 40) }), ['a', 'b']);
    assert.deepEqual(await where({ n__lt: -(2 ** 40) }), []);
    assert.deepEqual(await where({ n__range: [-(2 ** 40), 2 ** 40] }), ['a', 'b']);
    assert.deepEqual(await where({ n__range: [2, 2 ** 40] }), ['b']);
    assert.deepEqual(await where({ n__range: [2 ** 40, 2 ** 41] }), []);
    // A fraction compares with the whole numbers around it.
    assert.deepEqual(await where({ n__gte: 2.5 }), ['b']);
    assert.deepEqual(await where({ n__gt: 2.5 }), ['b']);
    assert.deepEqual(await where({ n__lt: 2.5 }), ['a']);
    assert.deepEqual(await where({ n__lte: 2.5 }), ['a']);
    assert.deepEqual(await where({ n__gt: -0.5 }), ['a', 'b']);
    assert.deepEqual(await where({ n__range: [1.5, 3.5] }), ['b']);
    assert.deepEqual(await where({ n__range: [1.2, 1.8] }), []);
    assert.deepEqual(await where({ n__gt: '2' }), ['b']);
    // bigint columns hold what a JS number holds exactly.
    assert.deepEqual(await where({ big__gt: 2 ** 60 }), []);
    assert.deepEqual(await where({ big__lt: 2 ** 60 }), ['a', 'b']);
    // exclude is the same comparison negated.
    assert.deepEqual(await codes(items.exclude({ n__gt: 2 ** 31 })), ['a', 'b']);
    assert.deepEqual(await codes(items.exclude({ n__lt: 2 ** 31 })), []);
    // The same for a date part.
    assert.deepEqual(await where({ at__year__gt: 2 ** 31 }), []);
    assert.deepEqual(await where({ at__year__lt: 2 ** 31 }), ['a', 'b']);
    assert.deepEqual(await where({ at__year__gte: 2024.5 }), ['b']);
    assert.deepEqual(await where({ at__year__in: [2024, 2 ** 40] }), ['a']);
    assert.deepEqual(await where({ at__year: 2 ** 40 }), []);
    assert.deepEqual(await where({ at__month__range: [0.5, 1.5] }), ['a']);
  });

  test('get() by a unique key checks its value the same way, on its fast path too', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Item, items } = await seed(db);
    const ref = '00000000-0000-4000-8000-000000000002';
    // The first call plans the fast path; the later ones reuse the plan.
    for (let i = 0; i < 3; i++) {
      assert.equal((await query(db, Item).get({ ref })).code, 'b');
      await assert.rejects(query(db, Item).get({ ref: 'abc' }), { name: 'QueryError', message: /'ref'/ });
      await assert.rejects(query(db, Item).get({ stamp: 'abc' as never }), {
        name: 'QueryError',
        message: /'stamp'/,
      });
      await assert.rejects(query(db, Item).get({ code: 7 as never }), {
        name: 'QueryError',
        message: /'code'/,
      });
      await assert.rejects(query(db, Item).get({ id: 2 ** 40 }), { name: 'NotFoundError' });
    }
    assert.equal(await items.count(), 3);
  });

  test('a long in list, bound as one parameter, compares every kind of column as a short one does', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { items, codes } = await seed(db);
    const padded = <T>(value: T, other: (i: number) => T) => [
      ...Array.from({ length: 80 }, (_, i) => other(i)),
      value,
    ];
    const lists: Record<string, unknown[]> = {
      n__in: padded(3, (i) => 100 + i),
      big__in: padded(3, (i) => 100 + i),
      score__in: padded(3.5, (i) => 100.5 + i),
      name__in: padded('b', (i) => `x${i}`),
      day__in: padded('2025-06-30', (i) => `2000-01-${String((i % 28) + 1).padStart(2, '0')}`),
      at__in: padded(new Date('2025-06-30T12:00:00Z'), (i) => new Date(Date.UTC(2000, 0, 1, 0, i))),
      starts__in: padded('12:00', (i) => `01:${String(i % 60).padStart(2, '0')}`),
      ref__in: padded(
        '00000000-0000-4000-8000-000000000002',
        (i) => `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      ),
      at__year__in: padded(2025, (i) => 1900 + i),
    };
    for (const [key, list] of Object.entries(lists)) {
      assert.deepEqual(await codes(items.filter({ [key]: list } as never)), ['b'], key);
      assert.deepEqual(await codes(items.exclude({ [key]: list } as never)), ['a'], key);
    }
  });

  test('values of the right type compare on every kind of column', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { items, codes } = await seed(db);
    const where = async (conditions: object) => codes(items.filter(conditions as never));
    assert.deepEqual(await where({ score__gt: 2 }), ['b']);
    assert.deepEqual(await where({ day__gt: '2024-06-01' }), ['b']);
    assert.deepEqual(await where({ at__gte: new Date('2025-01-01T00:00:00Z') }), ['b']);
    assert.deepEqual(await where({ at__lt: '2025-01-01T00:00:00+02:00' }), ['a']);
    assert.deepEqual(await where({ at__range: [new Date('2024-01-01T10:00:00Z'), new Date('2024-01-02')] }), [
      'a',
    ]);
    assert.deepEqual(await where({ starts__lt: '11:00' }), ['a']);
    assert.deepEqual(await where({ ok: false }), ['b']);
    assert.deepEqual(await where({ ref__in: ['00000000-0000-4000-8000-000000000002'] }), ['b']);
    assert.deepEqual(await where({ name__lt: 'b' }), ['a']);
  });
});
