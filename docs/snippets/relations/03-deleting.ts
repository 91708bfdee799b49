import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, ProtectedError, query, RestrictedError } from 'voltjs/orm';

const Author = model('lib.Author', { name: f.string({ maxLength: 100 }) });
const Book = model('lib.Book', {
  title: f.string({ maxLength: 200 }),
  author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
  editor: f.foreignKey('lib.Author', { onDelete: 'setNull', nullable: true, relatedName: 'edited' }),
});
const Chapter = model('lib.Chapter', {
  book: f.foreignKey(() => Book, { onDelete: 'cascade' }),
  // A co-author cannot be deleted while their chapters stay.
  coAuthor: f.foreignKey(() => Author, { onDelete: 'restrict', relatedName: 'chapters' }),
});
const Loan = model('lib.Loan', {
  // A book on loan cannot be deleted, not even by deleting its author.
  book: f.foreignKey(() => Book, { onDelete: 'protect' }),
});

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const lib = defineApp({ name: 'lib', models: [Author, Book, Chapter, Loan] });
const app = volt({ database: 'sqlite::memory:', apps: [lib] });
await app.ready();
const db = app.db;
await createTables(db, [Author, Book, Chapter, Loan]);
const [ada, bob] = await query(db, Author).bulkCreate([{ name: 'Ada' }, { name: 'Bob' }]);
const [dune] = await query(db, Book).bulkCreate([
  { title: 'Dune', authorId: ada!.id },
  { title: 'Emma', authorId: bob!.id, editorId: ada!.id },
]);
const loan = await query(db, Loan).create({ bookId: dune!.id });

// protect: refused before anything is deleted, naming the rows in the way.
await assert.rejects(query(db, Author).filter({ name: 'Ada' }).delete(), (error) => {
  assert.ok(error instanceof ProtectedError);
  assert.deepEqual(error.blockers, [{ model: 'lib.Loan', field: 'book', count: 1, keys: [loan.id] }]);
  return true;
});
await query(db, Loan).delete();

// restrict: Ada co-wrote a chapter of her own book (deleted with it: no problem) and one of
// Bob's book, which stays: that one is in the way.
const emma = await query(db, Book).get({ title: 'Emma' });
await query(db, Chapter).create({ bookId: dune!.id, coAuthorId: ada!.id });
const other = await query(db, Chapter).create({ bookId: emma.id, coAuthorId: ada!.id });
await assert.rejects(query(db, Author).filter({ name: 'Ada' }).delete(), RestrictedError);
await query(db, Chapter).filter({ id: other.id }).delete();

// cascade: Dune goes with Ada, its chapter with Dune. setNull: Emma loses her editor.
assert.equal(await query(db, Author).filter({ name: 'Ada' }).delete(), 1); // Author rows deleted
assert.deepEqual(await query(db, Book).values('title', 'editorId'), [{ title: 'Emma', editorId: null }]);
assert.equal(await query(db, Chapter).count(), 0);

await app.close(); // and its database with it
