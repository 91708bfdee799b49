/**
 * Model.schema.readWith(): the response schema of rows with loaded relations, checked against
 * the model, matching what the queries load (also through a route's serializer).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from 'typebox/value';
import { t } from '../../../src/openapi/t.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { testClient } from '../../../src/testing/client.ts';
import { volt } from '../../../src/volt.ts';
import { forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';

forEachDialect((_dialect, open) => {
  test('readWith describes what selectRelated and prefetchRelated load, nullable where a row may be missing', async (tc) => {
    const db = await open();
    tc.after(() => db.close());
    const { Book, Author, Tag, Review, Profile, dune } = await stocked(db);
    await query(db, Book).related(dune, 'tags', Tag).add('sf');
    await query(db, Review).create({ bookId: dune.id, rating: 5 });
    const BookOut = Book.schema.readWith({ author: Author, editor: Author, tags: [Tag], reviews: [Review] });
    const books = await query(db, Book)
      .selectRelated('author', 'editor')
      .prefetchRelated('tags', Tag)
      .prefetchRelated('reviews', Review)
      .all();
    for (const book of books) assert.ok(Value.Check(BookOut, book), JSON.stringify(book));
    assert.equal(books.find((b) => b.editor === null) !== undefined, true, 'a null editor passes');
    // A reverse one-to-one may be missing; nested schemas nest.
    const AuthorOut = Author.schema.readWith({
      profile: Profile,
      bookSet: [Book.schema.readWith({ tags: [Tag] })],
    });
    const authors = await query(db, Author)
      .prefetchRelated('profile', Profile)
      .prefetchRelated('bookSet', Book, (rows) => rows.prefetchRelated('tags', Tag))
      .all();
    for (const author of authors) assert.ok(Value.Check(AuthorOut, author), JSON.stringify(author));
    // Through a route: the serializer keeps the relations.
    const app = volt({ logger: false, envFile: false, docs: false });
    app.get('/books', { response: { 200: t.Array(BookOut) } }, () =>
      query(db, Book)
        .selectRelated('author', 'editor')
        .prefetchRelated('tags', Tag)
        .prefetchRelated('reviews', Review)
        .all(),
    );
    const client = testClient(app);
    tc.after(() => client.close());
    const sent = (
      await client.get<Array<{ title: string; author: { name: string }; tags: { slug: string }[] }>>('/books')
    ).json();
    const first = sent.find((b) => b.title === 'Dune')!;
    assert.deepEqual([first.author.name, first.tags.map((x) => x.slug)], ['Ada', ['sf']]);
  });
});

test('readWith refuses a name that is no relation, and one row given for many or the reverse', async () => {
  const { catalog } = await import('./catalog.ts');
  const { Book, Author, Tag } = catalog();
  assert.throws(
    () => Book.schema.readWith({ writer: Author } as never),
    /cat\.Book has no relation 'writer'; its relations are: author, editor, tags/,
  );
  assert.throws(() => Book.schema.readWith({ tags: Tag }), /'tags' holds several rows: write \[Model\]/);
  assert.throws(() => Book.schema.readWith({ author: [Author] }), /'author' holds one row/);
});

test('readWith refuses a model other than the one the relation loads', async () => {
  const { catalog } = await import('./catalog.ts');
  const { Book, Author, Tag } = catalog();
  assert.throws(
    () => Book.schema.readWith({ author: Tag } as never),
    /cat\.Book\.schema\.readWith\(\): 'author' loads cat\.Author rows, not cat\.Tag/,
  );
  assert.throws(
    () => Book.schema.readWith({ tags: [Author] } as never),
    /'tags' loads cat\.Tag rows, not cat\.Author/,
  );
  assert.throws(
    () => Author.schema.readWith({ bookSet: [Tag] }),
    /'bookSet' loads cat\.Book rows, not cat\.Tag/,
  );
  assert.throws(
    () => Tag.schema.readWith({ bookSet: [Author] }),
    /'bookSet' loads cat\.Book rows, not cat\.Author/,
  );
  // A schema (a nested load, or one of your own) is taken as given.
  assert.ok(
    Book.schema.readWith({ author: Author.schema.readWith({ bookSet: [Book] }), tags: [Tag.schema.read] }),
  );
});
