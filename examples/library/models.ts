/**
 * The library's models: authors write books, books carry tags and collect reviews, each
 * review written by a user.
 * Everything else — tables, migrations, typed queries, request and response schemas — is read
 * from these definitions.
 */
import { User } from 'voltjs/auth';
import { f, model } from 'voltjs/orm';

export const Author = model(
  'library.Author',
  {
    name: f.string({ maxLength: 100 }),
    email: f.email({ unique: true }),
    bio: f.text({ nullable: true, helpText: 'A few lines shown on the author page' }),
    born: f.date({ nullable: true }),
  },
  { ordering: ['name'] },
);

export const Tag = model(
  'library.Tag',
  {
    slug: f.slug({ unique: true }),
    name: f.string({ maxLength: 50 }),
  },
  { ordering: ['name'] },
);

export const Book = model(
  'library.Book',
  {
    title: f.string({ maxLength: 200 }),
    isbn: f.string({ maxLength: 13, pattern: '^\\d{13}$', unique: true, label: 'ISBN' }),
    // An author with books cannot be deleted: their books would be lost with them.
    author: f.foreignKey(() => Author, { onDelete: 'protect', relatedName: 'books' }),
    price: f.decimal({ digits: 8, places: 2, min: 0 }),
    status: f.enum({ draft: 'Draft', published: 'Published' }, { default: 'draft' }),
    publishedOn: f.date({ nullable: true }),
    tags: f.manyToMany(() => Tag, { relatedName: 'books' }),
    created: f.datetime({ autoNowAdd: true }),
    updated: f.datetime({ autoNow: true }),
  },
  {
    ordering: ['title'],
    indexes: [{ fields: ['status', '-publishedOn'] }],
    checks: [{ name: 'library_book_price_not_negative', where: { price: { gte: 0 } } }],
  },
);

export const Review = model(
  'library.Review',
  {
    book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'reviews' }),
    // The author's username, shown with the review: set from the logged-in user, never from the body.
    reviewer: f.string({ maxLength: 100 }),
    // The owner: the review policy (app.ts) lets only them change or delete it. Reviews made
    // before owners were kept have none (only moderators may change those).
    user: f.foreignKey(() => User, { onDelete: 'setNull', nullable: true, relatedName: 'reviews' }),
    rating: f.integer({ min: 1, max: 5 }),
    body: f.text({ default: '' }),
    created: f.datetime({ autoNowAdd: true }),
  },
  { ordering: ['-created'] },
);
