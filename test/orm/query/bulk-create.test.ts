/**
 * bulkCreate inserts many rows per statement and still answers like one create per input:
 * rows in input order, every row or none, errors at the failing input's index.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { DatabaseUnavailableError } from '../../../src/orm/errors.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { ValidationError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { forEachDialect } from '../support.ts';

function models() {
  const registry = createRegistry();
  const Note = model(
    'bulk.Note',
    { title: f.string({ maxLength: 50, unique: true }), stars: f.integer({ nullable: true }) },
    { registry },
  );
  const Key = model(
    'bulk.Key',
    { code: f.string({ maxLength: 20, primaryKey: true }), label: f.string({ maxLength: 50 }) },
    { registry },
  );
  return { Note, Key };
}

/**
 * `db` whose multi-row inserts (the batches of bulkCreate) fail with `error` — a failure that is
 * not a constraint's — while single-row inserts and everything else run as usual.
 */
function failingBatches(db: Database, error: () => Error): Database {
  const wrap = (inner: Database): Database =>
    new Proxy(inner, {
      get(target, key) {
        if (key === 'arrays')
          return (text: string, params?: readonly unknown[]) =>
            /^insert/i.test(text) && /\), \(/.test(text)
              ? Promise.reject(error())
              : target.arrays(text, params);
        if (key === 'transaction')
          return <T>(fn: (tx: Database) => Promise<T>) => target.transaction((tx) => fn(wrap(tx)));
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return wrap(db);
}

forEachDialect((_dialect, open) => {
  test('2,500 rows are inserted in a few statements and come back in input order', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Note, Key } = models();
    await createTables(db, [Note, Key]);
    const counter = countQueries(db);
    const inputs = Array.from({ length: 2500 }, (_, i) => ({ title: `note ${i}`, stars: i % 5 }));
    const rows = await query(counter.db, Note).bulkCreate(inputs);
    assert.deepEqual(
      rows.map((r) => r.title),
      inputs.map((i) => i.title),
    );
    assert.ok(rows.every((r, i) => i === 0 || r.id > rows[i - 1]!.id));
    // 3 columns per row, 4000 values per statement: 1334 rows, then the rest, plus BEGIN/COMMIT.
    assert.ok(counter.count <= 6, `ran ${counter.count} statements`);
    assert.equal(await query(db, Note).count(), 2500);

    // Given keys come back in input order too, whatever order the database returns them in.
    const keys = ['zeta', 'alpha', 'mid', 'beta'].map((code) => ({ code, label: code.toUpperCase() }));
    assert.deepEqual(
      (await query(db, Key).bulkCreate(keys)).map((k) => k.code),
      ['zeta', 'alpha', 'mid', 'beta'],
    );
  });

  test('rows keyed by instants a millisecond apart or by upper-case uuids come back in input order', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const registry = createRegistry();
    const Tick = model(
      'bulk.Tick',
      { at: f.datetime({ primaryKey: true }), label: f.string({ maxLength: 10 }) },
      { registry },
    );
    const Token = model(
      'bulk.Token',
      { id: f.uuid({ primaryKey: true }), label: f.string({ maxLength: 10 }) },
      { registry },
    );
    await createTables(db, [Tick, Token]);
    const ticks = await query(db, Tick).bulkCreate([
      { at: new Date('2024-01-01T00:00:00.300Z'), label: 'c' },
      { at: new Date('2024-01-01T00:00:00.100Z'), label: 'a' },
      { at: new Date('2024-01-01T00:00:00.200Z'), label: 'b' },
    ]);
    assert.deepEqual(
      ticks.map((r) => [r.at.toISOString(), r.label]),
      [
        ['2024-01-01T00:00:00.300Z', 'c'],
        ['2024-01-01T00:00:00.100Z', 'a'],
        ['2024-01-01T00:00:00.200Z', 'b'],
      ],
    );
    const tokens = await query(db, Token).bulkCreate([
      { id: 'B1E0C3A2-1111-4111-8111-111111111111', label: 'x' },
      { id: 'a1e0c3a2-2222-4222-8222-222222222222', label: 'y' },
    ]);
    assert.deepEqual(
      tokens.map((r) => [r.id.toLowerCase(), r.label]),
      [
        ['b1e0c3a2-1111-4111-8111-111111111111', 'x'],
        ['a1e0c3a2-2222-4222-8222-222222222222', 'y'],
      ],
    );
  });

  test('rows of a model with nothing but its auto key are created one by one', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const Ticket = model('bulk.Ticket', {}, { registry: createRegistry() });
    await createTables(db, [Ticket]);
    const rows = await query(db, Ticket).bulkCreate([{}, {}, {}]);
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 2, 3],
    );
  });

  test('inputs with different columns are inserted in separate statements, in order', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Note } = models();
    await createTables(db, [Note]);
    const rows = await query(db, Note).bulkCreate([{ title: 'a' }, { title: 'b', stars: 1 }, { title: 'c' }]);
    assert.deepEqual(
      rows.map((r) => [r.title, r.stars]),
      [
        ['a', null],
        ['b', 1],
        ['c', null],
      ],
    );
  });

  test('a duplicate inside a batch fails the whole call at its index, and nothing is kept', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Note } = models();
    await createTables(db, [Note]);
    const inputs = Array.from({ length: 50 }, (_, i) => ({ title: `n${i}` }));
    inputs[37] = { title: 'n3' };
    const error = await query(db, Note)
      .bulkCreate(inputs)
      .catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(
      error.errors.map((e) => [e.loc, e.type]),
      [[[37, 'title'], 'unique']],
    );
    assert.equal(await query(db, Note).count(), 0);
  });

  test('a batch failing for another reason than a constraint fails the call: no retry row by row', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Note } = models();
    await createTables(db, [Note]);
    const injected = () => new DatabaseUnavailableError('The connection to the database was lost');
    const inputs = Array.from({ length: 10 }, (_, i) => ({ title: `n${i}` }));
    await assert.rejects(
      query(failingBatches(db, injected), Note).bulkCreate(inputs),
      DatabaseUnavailableError,
    );
    assert.equal(await query(db, Note).count(), 0);
    // A constraint failure still gets the row-by-row retry that names the failing input.
    inputs[7] = { title: 'n3' };
    const error = await query(db, Note)
      .bulkCreate(inputs)
      .catch((e: unknown) => e);
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(error.errors[0]!.loc, [7, 'title']);
  });
});
