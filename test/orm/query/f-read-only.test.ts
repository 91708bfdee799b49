/**
 * F() sets only what an update may set: the primary key and fields no input may set
 * (`editable: false`, the auto id) are refused as a plain value is, before any SQL.
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

forEachDialect((_dialect, open) => {
  test('F() on the primary key or a field that cannot be set is a ValidationError, as a plain value is', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const Counter = model(
      'fro.Counter',
      { hits: f.integer(), audited: f.integer({ editable: false, default: 0 }) },
      { registry: createRegistry() },
    );
    await createTables(db, [Counter]);
    const row = await query(db, Counter).create({ hits: 1 });
    const one = query(db, Counter).filter({ id: row.id });
    const readOnly = (key: string) => ({ loc: [key], msg: 'Field cannot be set', type: 'read_only' });
    for (const [key, values] of [
      ['id', { id: F('id').plus(1000) }],
      ['audited', { audited: F('audited').plus(5) }],
    ] as const) {
      for (const write of [() => one.update(values as never), () => one.updateOne(values as never)])
        await assert.rejects(write(), (error) => {
          assert.ok(error instanceof ValidationError);
          assert.deepEqual(error.errors, [readOnly(key)]);
          return true;
        });
    }
    assert.deepEqual(await query(db, Counter).values('id', 'audited'), [{ id: row.id, audited: 0 }]);
    // A field that may be set still takes F(), beside a plain value.
    assert.equal((await one.updateOne({ hits: F('hits').plus(F('audited')).plus(1) })).hits, 2);
  });
});
