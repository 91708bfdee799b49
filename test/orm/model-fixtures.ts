/**
 * The library models the ORM tests share: authors, books with a foreign key and a
 * many-to-many to tags through BookTag, and reviews. Each call builds them in a fresh
 * registry, so tests stay independent.
 */
import { f } from '../../src/orm/fields/index.ts';
import { model } from '../../src/orm/model.ts';
import { createRegistry } from '../../src/orm/registry.ts';

export function library() {
  const registry = createRegistry();
  const Author = model(
    'library.Author',
    {
      firstName: f.string({ maxLength: 100 }),
      lastName: f.string({ maxLength: 100, helpText: 'As printed on the cover' }),
      email: f.email({ unique: true }),
      born: f.date({ nullable: true }),
      passwordHash: f.string({ maxLength: 200, writeOnly: true }),
    },
    { registry, ordering: ['lastName', 'firstName'] },
  );
  const Tag = model(
    'library.Tag',
    { slug: f.slug({ primaryKey: true }), name: f.string({ maxLength: 50 }) },
    { registry },
  );
  const Book = model(
    'library.Book',
    {
      id: f.uuid({ primaryKey: true, default: () => crypto.randomUUID() }),
      title: f.string({ maxLength: 200 }),
      isbn: f.string({ maxLength: 13, pattern: '^\\d{13}$', unique: true, dbColumn: 'isbn13' }),
      price: f.decimal({ digits: 8, places: 2, min: 0 }),
      status: f.enum({ draft: 'Draft', published: 'Published' }, { default: 'draft' }),
      pages: f.integer({ min: 1, nullable: true }),
      author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
      editor: f.foreignKey('library.Author', { onDelete: 'setNull', nullable: true, relatedName: 'edited' }),
      // BookTag refers to Book, so Book refers to it by label: a cycle of functions would leave TS without a type.
      tags: f.manyToMany(() => Tag, { through: 'BookTag' }),
      views: f.bigint({ default: 0, editable: false }),
      created: f.datetime({ autoNowAdd: true }),
      updated: f.datetime({ autoNow: true }),
    },
    {
      registry,
      ordering: ['-created', 'title'],
      indexes: [{ fields: ['author', '-created'] }],
      checks: [
        { name: 'price_not_negative', where: { price: { gte: 0 } } },
        { name: 'title_not_blank', rawSql: "title <> ''" },
      ],
    },
  );
  const BookTag = model(
    'library.BookTag',
    {
      book: f.foreignKey(() => Book, { onDelete: 'cascade' }),
      tag: f.foreignKey(() => Tag, { onDelete: 'cascade', relatedName: 'bookLinks' }),
      addedAt: f.datetime({ autoNowAdd: true }),
    },
    { registry, uniqueTogether: [['book', 'tag']] },
  );
  const Review = model(
    'library.Review',
    {
      book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'reviews' }),
      rating: f.integer({ min: 1, max: 5 }),
      body: f.text({ nullable: true }),
    },
    { registry },
  );
  return { registry, Author, Tag, Book, BookTag, Review };
}
