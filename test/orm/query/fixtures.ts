/**
 * A library database for query tests: the fixture models' tables and a few rows.
 */
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { library } from '../model-fixtures.ts';

export async function seeded(db: Database) {
  const models = library();
  const { Author, Tag, Book, BookTag, Review } = models;
  await createTables(db, [Author, Tag, Book, BookTag, Review]);
  const authors = query(db, Author);
  const ada = await authors.create({
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    passwordHash: 'x',
  });
  const bob = await authors.create({
    firstName: 'Bob',
    lastName: 'Babbage',
    email: 'bob@example.com',
    passwordHash: 'x',
  });
  const books = query(db, Book);
  const dune = await books.create({
    title: 'Dune',
    isbn: '9780000000001',
    price: '9.90',
    authorId: ada.id,
    pages: 412,
    status: 'published',
  });
  const notes = await books.create({
    title: 'Notes 100%_done',
    isbn: '9780000000002',
    price: '19.5',
    authorId: ada.id,
    editorId: bob.id,
  });
  const engine = await books.create({
    title: 'The Engine',
    isbn: '9780000000003',
    price: '0',
    authorId: bob.id,
    pages: 90,
    status: 'published',
  });
  return { ...models, ada, bob, dune, notes, engine };
}
