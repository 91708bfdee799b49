/**
 * Compile-time checks of relation loading: a relation is on the row type only once it was loaded
 * (`selectRelated`, `prefetchRelated`). Each `@ts-expect-error` marks a program that must NOT compile.
 */
import type { Database } from '../../src/orm/database.ts';
import { query } from '../../src/orm/query/queryset.ts';
import type { Row } from '../../src/orm/types.ts';
import { library } from '../orm/model-fixtures.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_Check extends true>(): void {}

const { Book, Author, Review } = library();
declare const db: Database;

async function unloaded() {
  const [book] = await query(db, Book).all();
  expectType<Equal<typeof book, Row<typeof Book> | undefined>>();
  // @ts-expect-error author was not loaded: no lazy loading, so no property
  void book?.author;
  // @ts-expect-error reviews were not prefetched
  void book?.reviews;
}

async function joined() {
  const book = await query(db, Book).selectRelated('author', 'editor').filter({ status: 'draft' }).get();
  expectType<Equal<typeof book.author, Row<typeof Author>>>();
  // editor's target is a label ('library.Author'): a nullable row without a static type
  expectType<Equal<typeof book.editor, Record<string, unknown> | null>>();
  expectType<Equal<typeof book.authorId, number>>();
  const first = await query(db, Book).orderBy('title').selectRelated('author').first();
  expectType<Equal<NonNullable<typeof first>['author'], Row<typeof Author>>>();
  // @ts-expect-error editor was not selected here
  void first?.editor;
  // @ts-expect-error an unknown relation name
  query(db, Book).selectRelated('writer');
  // @ts-expect-error a many-to-many is prefetched, not joined
  query(db, Book).selectRelated('tags');
  // @ts-expect-error a plain field is not a relation
  query(db, Book).selectRelated('title');
}

async function prefetched() {
  const books = await query(db, Book)
    .selectRelated('author')
    .prefetchRelated('reviews', Review)
    .limit(20)
    .all();
  expectType<Equal<(typeof books)[number]['reviews'], Row<typeof Review>[]>>();
  expectType<Equal<(typeof books)[number]['author'], Row<typeof Author>>>();
  // values() returns plain columns
  const titles = await query(db, Book).selectRelated('author').values('title');
  expectType<Equal<typeof titles, Pick<Row<typeof Book>, 'title'>[]>>();
}

void unloaded;
void joined;
void prefetched;
