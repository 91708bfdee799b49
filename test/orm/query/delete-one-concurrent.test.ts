/**
 * deleteOne() under concurrency: of several requests deleting the same row at once, one gets
 * the row and the others a NotFoundError, also when the ORM collects what the delete implies
 * (a protect, restrict or setDefault key pointing at the model) in a transaction.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { NotFoundError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

function shop() {
  const registry = createRegistry();
  const Product = model('delone.Product', { sku: f.string({ maxLength: 20 }) }, { registry });
  // protect: Product's deletes go through the collector (a transaction reading first).
  const Line = model(
    'delone.Line',
    { product: f.foreignKey(() => Product, { onDelete: 'protect' }), quantity: f.integer() },
    { registry },
  );
  const Note = model(
    'delone.Note',
    { product: f.foreignKey(() => Product, { onDelete: 'cascade' }), text: f.text() },
    { registry },
  );
  return { Product, Line, Note };
}

forEachDialect((_dialect, open) => {
  test('five concurrent deleteOne() of one row: one gets it, four a NotFoundError', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Product, Line, Note } = shop();
    await createTables(db, [Product, Line, Note]);
    const lamp = await query(db, Product).create({ sku: 'lamp' });
    await query(db, Note).create({ productId: lamp.id, text: 'fragile' });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => query(db, Product).filter({ id: lamp.id }).deleteOne()),
    );
    const deleted = results.filter((r) => r.status === 'fulfilled');
    assert.equal(deleted.length, 1, 'one delete gets the row');
    assert.equal((deleted[0] as PromiseFulfilledResult<{ sku: string }>).value.sku, 'lamp');
    for (const r of results)
      if (r.status === 'rejected') assert.ok(r.reason instanceof NotFoundError, String(r.reason));
    assert.equal(await query(db, Product).count(), 0);
    assert.equal(await query(db, Note).count(), 0);
  });
});
