import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, query, ValidationError } from 'voltjs/orm';

const Author = model('pub.Author', { name: f.string({ maxLength: 100, unique: true }) });
const Book = model(
  'pub.Book',
  {
    title: f.string({ maxLength: 200 }),
    pages: f.integer({ nullable: true }),
    author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
  },
  { checks: [{ name: 'pages_under_5000', where: { pages: { lt: 5000 } } }] },
);

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const pub = defineApp({ name: 'pub', models: [Author, Book] });
const app = volt({ database: 'sqlite::memory:', apps: [pub] });
await app.ready();
const db = app.db;
await createTables(db, [Author, Book]);
const ada = await query(db, Author).create({ name: 'Ada' });

// Each constraint the database enforces is a ValidationError at the field it concerns.
const errorsOf = async (write: Promise<unknown>) => {
  try {
    await write;
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error('the write should have failed');
};
assert.deepEqual(await errorsOf(query(db, Book).create({ title: 'Ghost', authorId: 99 })), [
  { loc: ['authorId'], msg: 'Author 99 does not exist', type: 'foreign_key' },
]);
assert.deepEqual(await errorsOf(query(db, Book).create({ title: 'Long', authorId: ada.id, pages: 9000 })), [
  { loc: ['pages'], msg: "The book fails the check 'pages_under_5000'", type: 'check' },
]);
assert.deepEqual(await errorsOf(query(db, Author).bulkCreate([{ name: 'Bob' }, { name: 'Ada' }])), [
  { loc: [1, 'name'], msg: 'Author with this name already exists', type: 'unique' },
]);

// Inside a transaction, a write whose failure you want to survive runs in a savepoint.
await db.transaction(async (tx) => {
  await assert.rejects(
    tx.transaction((sp) => query(sp, Book).create({ title: 'Ghost', authorId: 99 })),
    ValidationError,
  );
  await query(tx, Book).create({ title: 'Kept', authorId: ada.id });
});
assert.equal(await query(db, Book).count(), 1);

await app.close(); // and its database with it
