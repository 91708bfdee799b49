import assert from 'node:assert/strict';
import { connect, createTables, f, model, observeWrites, query, type WriteChange } from 'voltjs/orm';

const Book = model('shop.Book', {
  title: f.string({ maxLength: 200 }),
  price: f.decimal({ digits: 8, places: 2 }),
});
const BookHistory = model('shop.BookHistory', {
  bookId: f.string({ maxLength: 40 }),
  action: f.string({ maxLength: 10 }),
  changed: f.json(), // the fields whose value changed, with their old and new values
});

const db = await connect('sqlite::memory:');
await createTables(db, [Book, BookHistory]);

/** The fields whose value differs between the row before and after. */
function changedFields(change: WriteChange): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  const names = Object.keys(change.after ?? change.before ?? {});
  for (const name of names) {
    const [was, now] = [change.before?.[name] ?? null, change.after?.[name] ?? null];
    if (JSON.stringify(was) !== JSON.stringify(now)) out[name] = [was, now];
  }
  return out;
}

// Called inside each write's transaction, with it: the history rows commit with the change.
const stop = observeWrites(db, Book, async (tx, changes) => {
  await query(tx, BookHistory).bulkCreate(
    changes.map((change) => ({
      bookId: String(change.key),
      action: change.action,
      changed: changedFields(change),
    })),
  );
});

const dune = await query(db, Book).create({ title: 'Dune', price: '9.90' });
await query(db, Book).filter({ id: dune.id }).updateOne({ price: '12.00' });
await query(db, Book).filter({ id: dune.id }).update({ price: '12.00' }); // reported; nothing changed
await query(db, Book).filter({ id: dune.id }).delete();

const history = await query(db, BookHistory).orderBy('id').values('action', 'changed');
assert.deepEqual(history, [
  { action: 'create', changed: { id: [null, 1], title: [null, 'Dune'], price: [null, '9.90'] } },
  { action: 'update', changed: { price: ['9.90', '12.00'] } },
  { action: 'update', changed: {} },
  { action: 'delete', changed: { id: [1, null], title: ['Dune', null], price: ['12.00', null] } },
]);

// An observer that throws rolls the write back: the row is not created.
const refuse = observeWrites(db, Book, () => {
  throw new Error('read-only today');
});
await assert.rejects(query(db, Book).create({ title: 'Emma', price: '5.00' }), /read-only today/);
assert.equal(await query(db, Book).count(), 0);
refuse();
stop();
await db.close();
