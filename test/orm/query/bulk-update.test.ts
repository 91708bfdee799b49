/**
 * bulkUpdate writes each row's own values in one statement per batch and answers like Django's
 * bulk_update: the rows matched, every row checked first, every row or none.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { DatabaseAbortedError } from '../../../src/orm/errors.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { cachedShapes } from '../../../src/orm/query/cache.ts';
import { QueryError, ValidationError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { F } from '../../../src/orm/query/refs.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { forEachDialect } from '../support.ts';

function models() {
  const registry = createRegistry();
  const Owner = model('bulkup.Owner', { name: f.string({ maxLength: 20 }) }, { registry });
  const Label = model('bulkup.Label', { slug: f.slug({ primaryKey: true }) }, { registry });
  const Item = model(
    'bulkup.Item',
    {
      name: f.string({ maxLength: 20, unique: true }),
      price: f.decimal({ digits: 8, places: 2 }),
      due: f.date({ nullable: true }),
      seen: f.datetime({ nullable: true }),
      active: f.boolean({ default: true }),
      data: f.json({ nullable: true }),
      kind: f.enum(['a', 'b'] as const, { default: 'a' }),
      owner: f.foreignKey(() => Owner, { onDelete: 'cascade', nullable: true }),
      labels: f.manyToMany(() => Label),
      views: f.integer({ default: 0, editable: false }),
      created: f.datetime({ autoNowAdd: true }),
      changed: f.datetime({ autoNow: true }),
    },
    { registry, ordering: ['id'], checks: [{ name: 'price_not_negative', where: { price: { gte: 0 } } }] },
  );
  return { Owner, Label, Item };
}

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }, n = 3) {
    const db = await open();
    t.after(() => db.close());
    const { Owner, Label, Item } = models();
    await createTables(db, [Owner, Label, Item]);
    const [ada] = await query(db, Owner).bulkCreate([{ name: 'Ada' }]);
    const items = await query(db, Item).bulkCreate(
      Array.from({ length: n }, (_, i) => ({ name: `item ${i}`, price: `${i + 1}.00` })),
    );
    return { db, Owner, Item, items, ada: ada! };
  }

  test('rows of every kind of value are updated in one statement, converted as update() converts them', async (t) => {
    const { db, Item, items, ada } = await setup(t);
    const [a, b, c] = items;
    const rows = [
      {
        ...a!,
        price: '7.5',
        due: '2024-02-29',
        seen: new Date('2024-03-01T10:20:30.456Z'),
        active: false,
        data: { tags: ['x', "it's"] },
        kind: 'b' as const,
        ownerId: ada.id,
      },
      {
        ...b!,
        price: '0.10',
        due: null,
        seen: null,
        active: true,
        data: null,
        kind: 'a' as const,
        ownerId: null,
      },
      { ...c!, price: '123456.78', due: '1999-12-31', data: { tags: [] }, ownerId: ada.id },
    ];
    const counter = countQueries(db);
    const fields = ['price', 'due', 'seen', 'active', 'data', 'kind', 'ownerId'] as const;
    assert.equal(await query(counter.db, Item).bulkUpdate(rows, fields), 3);
    assert.equal(counter.count, 1, counter.sql.join('\n'));
    const read = await query(db, Item).all();
    assert.deepEqual(
      read.map((r) => [r.price, r.due, r.seen?.toISOString() ?? null, r.active, r.data, r.kind, r.ownerId]),
      [
        ['7.50', '2024-02-29', '2024-03-01T10:20:30.456Z', false, { tags: ['x', "it's"] }, 'b', ada.id],
        ['0.10', null, null, true, null, 'a', null],
        ['123456.78', '1999-12-31', null, true, { tags: [] }, 'a', ada.id],
      ],
    );
    // What update() stores for the same value reads back the same.
    await query(db, Item)
      .filter({ id: b!.id })
      .update({ price: '7.5', due: '2024-02-29', data: { tags: [] } });
    const [viaUpdate, viaBulk] = await query(db, Item)
      .filter({ id__in: [b!.id, a!.id] })
      .orderBy('-id')
      .values('price', 'due');
    assert.deepEqual(viaUpdate, viaBulk);
  });

  test('the count is of rows matched: a key no row has, or a row the filters exclude, is not counted', async (t) => {
    const { db, Item, items } = await setup(t);
    const [a, b, c] = items;
    await query(db, Item).filter({ id: c!.id }).update({ active: false });
    const rows = [
      { id: a!.id, name: 'first' },
      { id: 9999, name: 'nobody' },
      { id: b!.id, name: 'second' },
      { id: c!.id, name: 'third' },
    ];
    assert.equal(await query(db, Item).filter({ active: true }).bulkUpdate(rows, ['name']), 2);
    assert.deepEqual(
      (await query(db, Item).values('name')).map((r) => r.name),
      ['first', 'second', 'item 2'],
    );
    assert.equal(await query(db, Item).count(), 3);
  });

  test('no rows is 0 without a query', async (t) => {
    const { db, Item } = await setup(t);
    const counter = countQueries(db);
    assert.equal(await query(counter.db, Item).bulkUpdate([], ['name']), 0);
    assert.equal(counter.count, 0);
  });

  test('every row is checked first: bad values at their index, and nothing is written', async (t) => {
    const { db, Item, items } = await setup(t);
    const counter = countQueries(db);
    const rows = items.map((item) => ({ ...item, name: `new ${item.id}` }));
    rows[1] = { ...rows[1]!, price: 'free' };
    rows[2] = { ...rows[2]!, name: 'x'.repeat(21) };
    const error = await query(counter.db, Item)
      .bulkUpdate(rows, ['name', 'price'])
      .catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(
      error.errors.map((e) => [e.loc, e.type]),
      [
        [[1, 'price'], 'decimal_type'],
        [[2, 'name'], 'string_too_long'],
      ],
    );
    assert.equal(counter.count, 0);
    assert.deepEqual(
      (await query(db, Item).values('name')).map((r) => r.name),
      ['item 0', 'item 1', 'item 2'],
    );
  });

  test('a row without its primary key, a named field left out, a bad key: refused at the index', async (t) => {
    const { db, Item, items } = await setup(t);
    const [a, b] = items;
    const rows = [
      { id: a!.id, name: 'one', price: '1.00' },
      { name: 'no key', price: '1.00' },
      { id: b!.id, name: 'two', price: '1.00' },
      { id: a!.id, name: 'one again', price: '1.00' },
      { id: b!.id + 100, price: '1.00' },
      { id: 'seven', name: 'text key', price: '1.00' },
      null,
    ];
    const error = await query(db, Item)
      .bulkUpdate(rows as never, ['name', 'price'])
      .catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(
      error.errors.map((e) => [e.loc, e.type]),
      [
        [[1, 'id'], 'missing'],
        [[4, 'name'], 'missing'],
        [[5, 'id'], 'int_type'],
        [[6], 'model_type'],
      ],
    );
    assert.equal(await query(db, Item).filter({ name: 'one' }).count(), 0);
  });

  test('a key given twice is updated with its first row, as in Django; the later row is still checked', async (t) => {
    const { db, Item, items } = await setup(t);
    const [a, b] = items;
    const matched = await query(db, Item).bulkUpdate(
      [
        { id: a!.id, name: 'first', price: '1.00' },
        { id: b!.id, name: 'other', price: '2.00' },
        { id: a!.id, name: 'second', price: '3.00' },
      ],
      ['name', 'price'],
    );
    assert.equal(matched, 2);
    assert.equal((await query(db, Item).get({ id: a!.id })).name, 'first');
    await assert.rejects(
      query(db, Item).bulkUpdate(
        [
          { id: a!.id, name: 'ok', price: '1.00' },
          { id: a!.id, name: 'ok', price: 'not a price' },
        ],
        ['name', 'price'],
      ),
      (e: unknown) => e instanceof ValidationError && e.errors[0]!.loc[0] === 1,
    );
  });

  test('the fields named are checked: the primary key, a many-to-many, an unknown or read-only field are refused', async (t) => {
    const { db, Item, items } = await setup(t);
    const bulk = (fields: readonly string[]) => query(db, Item).bulkUpdate(items, fields as never);
    await assert.rejects(bulk(['id']), /primary key/);
    await assert.rejects(bulk(['labels']), /many-to-many/);
    await assert.rejects(bulk(['prices']), /has no field "prices"; did you mean 'price'\?/);
    await assert.rejects(bulk(['owner']), /as 'ownerId'/);
    await assert.rejects(bulk(['views']), /not editable/);
    await assert.rejects(bulk(['created']), /not editable/);
    await assert.rejects(bulk([]), (e) => e instanceof QueryError && /name the fields/.test(e.message));
    // Checked even when there are no rows, as Django does.
    await assert.rejects(query(db, Item).bulkUpdate([], ['id' as never]), QueryError);
    await assert.rejects(query(db, Item).limit(2).bulkUpdate(items, ['name']), /limit or offset/);
    await assert.rejects(
      query(db, Item).bulkUpdate(
        items.map((item) => ({ ...item, price: F('price') as never })),
        ['price'],
      ),
      /F\(\) expression/,
    );
    await assert.rejects(query(db, Item).bulkUpdate(items, ['name'], { batchSize: 0 }), /batchSize/);
    await assert.rejects(
      query(db, Item).bulkUpdate(items, ['name'], { batch_size: 10 } as never),
      /unknown option 'batch_size'; did you mean 'batchSize'\?/,
    );
  });

  test('autoNow fields change only when named, to the time of the call', async (t) => {
    const { db, Item, items } = await setup(t);
    const before = items.map((item) => item.changed.getTime());
    await new Promise((resolve) => setTimeout(resolve, 5));
    await query(db, Item).bulkUpdate(
      items.map((item) => ({ ...item, name: `${item.name}!` })),
      ['name'],
    );
    let read = await query(db, Item).all();
    assert.deepEqual(
      read.map((r) => r.changed.getTime()),
      before,
    );
    const start = Date.now();
    await query(db, Item).bulkUpdate(
      read.map((item) => ({ ...item, name: `${item.name}!` })),
      ['name', 'changed'],
    );
    read = await query(db, Item).all();
    assert.ok(read.every((r) => r.changed.getTime() >= start && r.name.endsWith('!!')));
    assert.equal(new Set(read.map((r) => r.changed.getTime())).size, 1);
  });

  test('after a key given twice, a refused row is still named by its index in the input', async (t) => {
    const { db, Item, items } = await setup(t, 5);
    const rows = [
      { ...items[0]!, name: 'first' },
      { ...items[0]!, name: 'first again' },
      { ...items[1]!, name: 'second' },
      { ...items[2]!, name: 'second' },
    ];
    const error = await query(db, Item)
      .bulkUpdate(rows, ['name'])
      .catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError, String(error));
    assert.deepEqual(
      error.errors.map((e) => [e.loc, e.type]),
      [[[3, 'name'], 'unique']],
    );
  });

  test('a constraint the database refuses is a ValidationError at the row, with no row changed', async (t) => {
    const { db, Item, items } = await setup(t, 5);
    const rows = items.map((item) => ({ ...item, name: `renamed ${item.id}` }));
    rows[3] = { ...rows[3]!, name: rows[0]!.name };
    const error = await query(db, Item)
      .bulkUpdate(rows, ['name'])
      .catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError, String(error));
    assert.deepEqual(
      error.errors.map((e) => [e.loc, e.type]),
      [[[3, 'name'], 'unique']],
    );
    // A foreign key to a missing row, and a check constraint, too.
    const owned = items.map((item) => ({ ...item, ownerId: item.id === items[2]!.id ? 4242 : null }));
    const missing = await query(db, Item)
      .bulkUpdate(owned, ['ownerId'])
      .catch((e: unknown) => e);
    assert.ok(missing instanceof ValidationError, String(missing));
    assert.deepEqual(
      missing.errors.map((e) => [e.loc, e.type, e.msg]),
      [[[2, 'ownerId'], 'foreign_key', 'Owner 4242 does not exist']],
    );
    const priced = items.map((item, i) => ({ ...item, price: i === 4 ? '-1.00' : '9.00' }));
    const checked = await query(db, Item)
      .bulkUpdate(priced, ['price'])
      .catch((e: unknown) => e);
    assert.ok(checked instanceof ValidationError, String(checked));
    assert.deepEqual(
      checked.errors.map((e) => [e.loc, e.type]),
      [[[4, 'price'], 'check']],
    );
    assert.deepEqual(
      await query(db, Item).values('name', 'price', 'ownerId'),
      items.map((item) => ({ name: item.name, price: item.price, ownerId: null })),
    );
  });

  test('batches run in one transaction: a refusal in the second leaves the first unwritten', async (t) => {
    const { db, Item, items } = await setup(t, 5);
    const counter = countQueries(db);
    const rows = items.map((item) => ({ ...item, name: `b${item.id}` }));
    assert.equal(await query(counter.db, Item).bulkUpdate(rows, ['name'], { batchSize: 2 }), 5);
    assert.deepEqual(
      counter.sql.map((text) => text.split(' ')[0]!.toLowerCase()),
      ['update', 'update', 'update'],
    );
    const again = items.map((item) => ({ ...item, name: `c${item.id}` }));
    again[3] = { ...again[3]!, name: `c${items[0]!.id}` };
    const error = await query(db, Item)
      .bulkUpdate(again, ['name'], { batchSize: 2 })
      .catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError, String(error));
    assert.deepEqual(error.errors[0]!.loc, [3, 'name']);
    assert.deepEqual(
      (await query(db, Item).values('name')).map((r) => r.name),
      rows.map((r) => r.name),
    );
  });

  test("inside a caller's transaction: rolled back with it, and a refusal leaves it usable", async (t) => {
    const { db, Item, items } = await setup(t, 4);
    await assert.rejects(
      db.transaction(async (tx) => {
        const n = await query(tx, Item).bulkUpdate(
          items.map((item) => ({ ...item, name: `tx ${item.id}` })),
          ['name'],
          { batchSize: 3 },
        );
        assert.equal(n, 4);
        assert.equal(await query(tx, Item).filter({ name__startsWith: 'tx ' }).count(), 4);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.equal(await query(db, Item).filter({ name__startsWith: 'tx ' }).count(), 0);

    await db.transaction(async (tx) => {
      const clash = items.map((item) => ({ ...item, name: 'same' }));
      await assert.rejects(query(tx, Item).bulkUpdate(clash, ['name']), ValidationError);
      await assert.rejects(query(tx, Item).bulkUpdate(clash, ['name'], { batchSize: 1 }), ValidationError);
      // The transaction goes on (a savepoint on PostgreSQL).
      await query(tx, Item).bulkUpdate([{ id: items[0]!.id, name: 'kept' }], ['name']);
    });
    assert.deepEqual(
      (await query(db, Item).values('name')).map((r) => r.name),
      ['kept', 'item 1', 'item 2', 'item 3'],
    );
  });

  test('through a withSignal() view, until its signal aborts', async (t) => {
    const { db, Item, items } = await setup(t);
    const controller = new AbortController();
    const view = db.withSignal(controller.signal);
    const rows = items.map((item) => ({ ...item, name: `s${item.id}` }));
    assert.equal(await query(view, Item).bulkUpdate(rows, ['name']), 3);
    controller.abort();
    await assert.rejects(
      query(view, Item).bulkUpdate(
        items.map((item) => ({ ...item, name: `t${item.id}` })),
        ['name'],
      ),
      DatabaseAbortedError,
    );
    assert.equal(await query(db, Item).filter({ name__startsWith: 's' }).count(), 3);
  });

  test('rows keyed by a uuid or a text key, and values of a time, a float and a bigint', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const registry = createRegistry();
    const Token = model(
      'bulkup.Token',
      {
        id: f.uuid({ primaryKey: true }),
        opens: f.time({ nullable: true }),
        weight: f.float(),
        hits: f.bigint(),
      },
      { registry },
    );
    const Code = model(
      'bulkup.Code',
      { code: f.string({ maxLength: 10, primaryKey: true }), note: f.text() },
      { registry },
    );
    await createTables(db, [Token, Code]);
    const ids = ['b1e0c3a2-1111-4111-8111-111111111111', 'a1e0c3a2-2222-4222-8222-222222222222'];
    await query(db, Token).bulkCreate(ids.map((id) => ({ id, weight: 1, hits: 1 })));
    await query(db, Code).bulkCreate([
      { code: 'x', note: '' },
      { code: 'y', note: '' },
    ]);
    assert.equal(
      await query(db, Token).bulkUpdate(
        [
          { id: ids[0]!, opens: '09:30', weight: 0.25, hits: 2 ** 40 },
          { id: ids[1]!, opens: null, weight: -3.5, hits: 0 },
        ],
        ['opens', 'weight', 'hits'],
      ),
      2,
    );
    assert.deepEqual(
      (await query(db, Token).orderBy('hits').values('opens', 'weight', 'hits')).map((r) => [
        r.opens,
        r.weight,
        r.hits,
      ]),
      [
        [null, -3.5, 0],
        ['09:30:00', 0.25, 2 ** 40],
      ],
    );
    assert.equal(
      await query(db, Code).bulkUpdate(
        [
          { code: 'y', note: 'why' },
          { code: 'x', note: 'ex' },
        ],
        ['note'],
      ),
      2,
    );
    assert.deepEqual(await query(db, Code).orderBy('code').values('note'), [{ note: 'ex' }, { note: 'why' }]);
  });

  test('the SQL of a shape is built once: another call of the same fields and row count reuses it', async (t) => {
    const { db, Item, items } = await setup(t);
    const bulk = (suffix: string, n: number) =>
      query(db, Item).bulkUpdate(
        items.slice(0, n).map((item) => ({ ...item, name: `${item.id}${suffix}`, active: false })),
        ['name', 'active'],
      );
    await bulk('a', 3);
    const shapes = cachedShapes(Item);
    await bulk('b', 3);
    assert.equal(cachedShapes(Item), shapes);
    await bulk('c', 2);
    assert.equal(cachedShapes(Item), shapes + 1);
    assert.deepEqual(
      (await query(db, Item).values('name')).map((r) => r.name),
      [`${items[0]!.id}c`, `${items[1]!.id}c`, `${items[2]!.id}b`],
    );
  });
});
