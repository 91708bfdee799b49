import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables, dumpData, f, loadData, model, query } from 'voltjs/orm';
import { testDatabase } from 'voltjs/testing';

const Author = model('shelf.Author', { name: f.string({ maxLength: 100 }) });
const Book = model('shelf.Book', {
  title: f.string({ maxLength: 200 }),
  author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
});

// A fixture, as `volt dumpdata shelf -o fixtures/shelf.json` writes one; in a project, read it with
// JSON.parse(readFileSync('fixtures/shelf.json', 'utf8')).
const shelf = [
  { model: 'shelf.Book', pk: 1, fields: { title: 'Dune', author: 1 } }, // its author comes later: fine
  { model: 'shelf.Author', pk: 1, fields: { name: 'Frank Herbert' } },
];

test('the books of the fixture are there', async (t) => {
  const db = await testDatabase();
  t.after(() => db.close());
  await createTables(db, [Author, Book]); // or app.migrate()
  await loadData(db, [Author, Book], shelf);
  const dune = await query(db, Book).selectRelated('author').get({ id: 1 });
  assert.equal(dune.author.name, 'Frank Herbert');
  assert.deepEqual(await dumpData(db, [Author, Book]), [shelf[1], shelf[0]]);
});
