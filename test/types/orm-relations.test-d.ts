/**
 * Compile-time checks of relation loading: a relation is on the row type only once it was loaded
 * (`selectRelated`, `prefetchRelated`). Each `@ts-expect-error` marks a program that must NOT compile.
 */
import type { Static } from 'typebox';
import type { Database } from '../../src/orm/database.ts';
import { f } from '../../src/orm/fields/index.ts';
import { model } from '../../src/orm/model.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { createRegistry } from '../../src/orm/registry.ts';
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

// --- relation handles: Model.rel ---------------------------------------------------------------------
async function handles(book: Row<typeof c.Book>) {
  const tags = c.Book.rel.tags.of(db, book);
  expectType<Equal<Awaited<ReturnType<typeof tags.all>>, Row<typeof c.Tag>[]>>();
  await tags.add('sf', { slug: 'x', name: 'X' });
  // @ts-expect-error a Tag's key is its slug, a string
  await tags.add(3);
  // @ts-expect-error a Book's key is a number: 'sf' is not a Book
  c.Book.rel.tags.of(db, 'sf');
  c.Book.rel.tags.reverse.of(db, 'sf');
  // @ts-expect-error a misspelled handle does not compile
  void c.Book.rel.tag;

  const [loaded] = await query(db, c.Book)
    .selectRelated(c.Book.rel.author)
    .prefetchRelated(c.Book.rel.tags)
    .prefetchRelated(c.Review.rel.book.reverse, (reviews) => reviews.filter({ rating__gte: 4 }))
    .all();
  if (!loaded) return;
  expectType<Equal<typeof loaded.tags, Row<typeof c.Tag>[]>>();
  expectType<Equal<typeof loaded.author, Row<typeof c.Author>>>();
  expectType<Equal<typeof loaded.reviews, Row<typeof c.Review>[]>>();
  // @ts-expect-error shelves were not prefetched
  void loaded.shelves;

  const [author] = await query(db, c.Author)
    .prefetchRelated(c.Profile.rel.author.reverse)
    .prefetchRelated(c.Book.rel.author.reverse, (books) => books.prefetchRelated(c.Book.rel.tags))
    .all();
  if (!author) return;
  expectType<Equal<typeof author.profile, Row<typeof c.Profile> | null>>();
  expectType<Equal<(typeof author.bookSet)[number]['tags'], Row<typeof c.Tag>[]>>();

  const [review] = await query(db, c.Review).selectRelated(c.Review.rel.book, 'book__author').all();
  if (!review) return;
  expectType<Equal<typeof review.book.author, Row<typeof c.Author>>>();

  // The reverse side of a relation, typed from the declaring side, with its exact name.
  expectType<Equal<typeof c.Book.rel.author.reverse.name, 'bookSet'>>();
  expectType<Equal<typeof c.Book.rel.editor.reverse.name, 'edited'>>();
  expectType<Equal<typeof c.Profile.rel.author.reverse.single, true>>();
  expectType<Equal<typeof c.Book.rel.tags.reverse.name, 'bookSet'>>();
  expectType<Equal<typeof c.Book.rel.tags.reverse.reverse.name, 'tags'>>();
  expectType<Equal<typeof c.Shelf.rel.books.reverse.name, 'shelves'>>();

  // @ts-expect-error a handle of another model
  query(db, c.Author).prefetchRelated(c.Book.rel.tags);
  // @ts-expect-error a foreign key is joined, not prefetched
  query(db, c.Book).prefetchRelated(c.Book.rel.author);
  // @ts-expect-error a many-to-many is prefetched, not joined
  query(db, c.Book).selectRelated(c.Book.rel.tags);
  // @ts-expect-error a handle of another model is not joined either
  query(db, c.Book).selectRelated(c.Review.rel.book);
  // @ts-expect-error the refining function must keep the related model
  query(db, c.Author).prefetchRelated(c.Book.rel.author.reverse, () => query(db, c.Tag));
}
void handles;

// --- many-to-many names are exact, by name too ---------------------------------------------------------
query(db, c.Book).prefetchRelated('shelves', c.Shelf);
// @ts-expect-error Shelf's many-to-many to Book is named shelves
query(db, c.Book).prefetchRelated('shelfSet', c.Shelf);
query(db, c.Tag).prefetchRelated('bookSet', c.Book);
// @ts-expect-error Book's many-to-many without relatedName is bookSet on Tag
query(db, c.Tag).prefetchRelated('books', c.Book);
query(db, c.Tag).related('sf', 'bookSet', c.Book);
// @ts-expect-error not a many-to-many of Tag
query(db, c.Tag).related('sf', 'books', c.Book);
// @ts-expect-error not a many-to-many of Book
query(db, c.Book).related(1, 'tagz', c.Tag);

// --- a many-to-many to its own model: symmetrical, without a reverse side ---------------------------------
{
  const Person = model(
    'club.Person',
    {
      friends: f.manyToMany('self'),
      follows: f.manyToMany('self', { symmetrical: false, relatedName: 'followers' }),
      parent: f.foreignKey('self', { onDelete: 'cascade', nullable: true, relatedName: 'children' }),
    },
    { registry: createRegistry() },
  );
  expectType<Equal<keyof typeof Person.rel, 'friends' | 'follows' | 'parent' | 'followers' | 'children'>>();
  expectType<Equal<typeof Person.rel.friends.reverse, undefined>>();
  expectType<Equal<typeof Person.rel.follows.reverse.name, 'followers'>>();
  // @ts-expect-error a symmetrical many-to-many has no reverse side
  void Person.rel.personSet;
  query(db, Person).prefetchRelated('followers', Person);
  query(db, Person).prefetchRelated(Person.rel.children);
  // @ts-expect-error no reverse side for friends
  query(db, Person).prefetchRelated('personSet', Person);
}

// --- readWith: a foreign key's model is the one it points at ------------------------------------------
{
  const { Book: B, Author: A, Tag: T } = catalog();
  B.schema.readWith({ author: A.schema.readWith({ bookSet: [B] }) }); // a schema is taken as given
  // @ts-expect-error author loads Author rows, not Tag rows
  B.schema.readWith({ author: T });
}
