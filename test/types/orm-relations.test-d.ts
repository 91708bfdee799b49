/**
 * Compile-time checks of relation loading: a relation is on the row type only once it was loaded
 * (`selectRelated`, `prefetchRelated`). Each `@ts-expect-error` marks a program that must NOT compile.
 */
import type { Static } from 'typebox';
import type { Database } from '../../src/orm/database.ts';
import { query } from '../../src/orm/query/queryset.ts';
import type { Row } from '../../src/orm/types.ts';
import { library } from '../orm/model-fixtures.ts';
import { catalog } from '../orm/query/catalog.ts';

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

const c = catalog();

async function paths() {
  const [review] = await query(db, c.Review).selectRelated('book__author__country', 'book__editor').all();
  if (!review) return;
  expectType<Equal<typeof review.book.title, string>>();
  expectType<Equal<typeof review.book.author.country, Row<typeof c.Country>>>();
  expectType<Equal<typeof review.book.editor, Row<typeof c.Author> | null>>();
  expectType<Equal<typeof review.rating, number>>();
  // @ts-expect-error the author's country was loaded, not the editor's
  void review.book.editor?.country;
  // @ts-expect-error 'writer' is not a foreign key of Book
  query(db, c.Review).selectRelated('book__writer');
  // @ts-expect-error a many-to-many is not a hop
  query(db, c.Review).selectRelated('book__tags');
}

async function prefetches() {
  const [book] = await query(db, c.Book)
    .prefetchRelated('tags', c.Tag)
    .prefetchRelated('shelves', c.Shelf)
    .all();
  if (!book) return;
  expectType<Equal<typeof book.tags, Row<typeof c.Tag>[]>>();
  expectType<Equal<typeof book.shelves, Row<typeof c.Shelf>[]>>();
  const [author] = await query(db, c.Author)
    .prefetchRelated('profile', c.Profile)
    .prefetchRelated('bookSet', c.Book, (books) =>
      books.selectRelated('editor').prefetchRelated('tags', c.Tag),
    )
    .all();
  if (!author) return;
  // A reverse one-to-one is one row or null.
  expectType<Equal<typeof author.profile, Row<typeof c.Profile> | null>>();
  const first = author.bookSet[0]!;
  expectType<Equal<typeof first.tags, Row<typeof c.Tag>[]>>();
  expectType<Equal<typeof first.editor, Row<typeof c.Author> | null>>();
  // @ts-expect-error the refining function must keep the related model
  query(db, c.Author).prefetchRelated('bookSet', c.Book, () => query(db, c.Tag));
}

async function managers(book: Row<typeof c.Book>) {
  const tags = query(db, c.Book).related(book, 'tags', c.Tag);
  expectType<Equal<Awaited<ReturnType<typeof tags.all>>, Row<typeof c.Tag>[]>>();
  await tags.add('sf', { slug: 'x', name: 'X' });
  // @ts-expect-error a Tag's key is its slug, a string
  await tags.add(3);
  const changed = await tags.set(['sf']);
  expectType<Equal<typeof changed, { added: number; removed: number }>>();
  const { row, created } = await query(db, c.Tag).getOrCreate({ slug: 'sf' }, { name: 'SF' });
  expectType<Equal<typeof row, Row<typeof c.Tag>>>();
  expectType<Equal<typeof created, boolean>>();
  // @ts-expect-error defaults are checked against the model
  await query(db, c.Tag).updateOrCreate({ slug: 'sf' }, { title: 'SF' });
}

void unloaded;
void joined;
void prefetched;
void paths;
void prefetches;
void managers;

// --- Model.schema.readWith(): the type of a row with its loaded relations ---------------------------
{
  const { Book: B, Author: A, Tag: T } = catalog();
  const Out = B.schema.readWith({ author: A, editor: A, tags: [T] });
  type Out = Static<typeof Out>;
  expectType<Equal<Out['author'], Row<typeof A>>>();
  expectType<Equal<Out['editor'], Row<typeof A> | null>>();
  expectType<Equal<Out['tags'], Row<typeof T>[]>>();
  const title: string = ({} as Out).title;
  void title;
}

// --- prefetchRelated: a misspelled reverse relation does not compile ---------------------------------
{
  const { Book: B, Review: R } = catalog();
  const db = {} as Database;
  query(db, B).prefetchRelated('reviews', R);
  // @ts-expect-error Review's relation to Book is named reviews
  query(db, B).prefetchRelated('reveiws', R);
}

// --- readWith: a foreign key's model is the one it points at ------------------------------------------
{
  const { Book: B, Author: A, Tag: T } = catalog();
  B.schema.readWith({ author: A.schema.readWith({ bookSet: [B] }) }); // a schema is taken as given
  // @ts-expect-error author loads Author rows, not Tag rows
  B.schema.readWith({ author: T });
}
