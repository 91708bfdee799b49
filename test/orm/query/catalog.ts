/**
 * Models for the relation tests: every relation kind and every onDelete, in a fresh registry
 * per call. Countries ← authors (setDefault) ← books (cascade; editor setNull) ← reviews and
 * chapters (cascade; a chapter's co-author restrict) and loans (protect); authors' profiles
 * (one-to-one); books ↔ tags (auto join table) and books ↔ shelves (through Placement, which
 * has a required position).
 */
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';

export function catalog() {
  const registry = createRegistry();
  const Country = model(
    'cat.Country',
    { code: f.string({ maxLength: 2, primaryKey: true }), name: f.string({ maxLength: 50 }) },
    { registry },
  );
  const Author = model(
    'cat.Author',
    {
      name: f.string({ maxLength: 100, unique: true }),
      country: f.foreignKey(() => Country, { onDelete: 'setDefault', default: 'zz' }),
    },
    { registry, ordering: ['name'] },
  );
  const Profile = model(
    'cat.Profile',
    {
      author: f.oneToOne(() => Author, { onDelete: 'cascade', relatedName: 'profile' }),
      bio: f.text(),
    },
    { registry },
  );
  const Tag = model(
    'cat.Tag',
    { slug: f.slug({ primaryKey: true }), name: f.string({ maxLength: 50 }) },
    { registry, ordering: ['slug'] },
  );
  const Book = model(
    'cat.Book',
    {
      title: f.string({ maxLength: 200 }),
      author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
      editor: f.foreignKey(() => Author, { onDelete: 'setNull', nullable: true, relatedName: 'edited' }),
      pages: f.integer({ nullable: true }),
      tags: f.manyToMany(() => Tag),
    },
    {
      registry,
      ordering: ['title'],
      checks: [
        { name: 'pages_under_5000', where: { pages: { lt: 5000 } } },
        { name: 'title_not_blank', rawSql: "title <> ''" },
      ],
    },
  );
  const Review = model(
    'cat.Review',
    {
      book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'reviews' }),
      rating: f.integer({ min: 1, max: 5 }),
    },
    { registry, ordering: ['rating'] },
  );
  const Chapter = model(
    'cat.Chapter',
    {
      book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'chapters' }),
      coAuthor: f.foreignKey(() => Author, { onDelete: 'restrict', relatedName: 'chaptersWritten' }),
    },
    { registry },
  );
  const Loan = model(
    'cat.Loan',
    {
      book: f.foreignKey(() => Book, { onDelete: 'protect', relatedName: 'loans' }),
      borrower: f.string({ maxLength: 100 }),
    },
    { registry },
  );
  const Shelf = model(
    'cat.Shelf',
    {
      name: f.string({ maxLength: 50 }),
      books: f.manyToMany('cat.Book', { through: 'Placement', relatedName: 'shelves' }),
    },
    { registry, ordering: ['name'] },
  );
  const Placement = model(
    'cat.Placement',
    {
      shelf: f.foreignKey(() => Shelf, { onDelete: 'cascade' }),
      book: f.foreignKey(() => Book, { onDelete: 'cascade' }),
      position: f.integer(),
    },
    { registry, uniqueTogether: [['shelf', 'book']] },
  );
  return { registry, Country, Author, Profile, Tag, Book, Review, Chapter, Loan, Shelf, Placement };
}

/** The catalog's tables and a few rows: two authors, three books, three tags. */
export async function stocked(db: Database) {
  const models = catalog();
  const { Country, Author, Profile, Tag, Book, Review, Chapter, Loan, Shelf, Placement } = models;
  await createTables(db, [Country, Author, Profile, Tag, Book, Review, Chapter, Loan, Shelf, Placement]);
  await query(db, Country).bulkCreate([
    { code: 'zz', name: 'Unknown' },
    { code: 'gb', name: 'United Kingdom' },
  ]);
  const ada = await query(db, Author).create({ name: 'Ada', countryId: 'gb' });
  const bob = await query(db, Author).create({ name: 'Bob', countryId: 'gb' });
  const [dune, emma, engine] = await query(db, Book).bulkCreate([
    { title: 'Dune', authorId: ada.id, pages: 412 },
    { title: 'Emma', authorId: ada.id, editorId: bob.id },
    { title: 'The Engine', authorId: bob.id },
  ]);
  const tags = await query(db, Tag).bulkCreate([
    { slug: 'classic', name: 'Classic' },
    { slug: 'sf', name: 'Science fiction' },
    { slug: 'space', name: 'Space' },
  ]);
  return { ...models, ada, bob, dune: dune!, emma: emma!, engine: engine!, tags };
}
