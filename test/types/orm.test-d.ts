/**
 * Compile-time checks of the model types, run by `tsc` (the tsconfig includes test/). Each
 * `@ts-expect-error` marks a program that must NOT compile.
 */

import { t } from '../../src/openapi/t.ts';
import { f } from '../../src/orm/fields/index.ts';
import { model } from '../../src/orm/model.ts';
import type { CreateInput, Row, UpdateInput } from '../../src/orm/types.ts';
import { library } from '../orm/model-fixtures.ts';

/** `true` when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectType<_Check extends true>(): void {}

const { Author, Book, Review, BookTag } = library();

// --- rows: every column, foreign keys as <name>Id with the target's pk type ---------------------

type AuthorRow = Row<typeof Author>;
expectType<
  Equal<
    AuthorRow,
    {
      id: number;
      firstName: string;
      lastName: string;
      email: string;
      born: string | null;
      passwordHash: string;
    }
  >
>();

type BookRow = Row<typeof Book>;
expectType<Equal<BookRow['id'], string>>();
expectType<Equal<BookRow['authorId'], number>>();
expectType<Equal<BookRow['editorId'], number | null>>();
expectType<Equal<BookRow['status'], 'draft' | 'published'>>();
expectType<Equal<BookRow['price'], string>>();
expectType<Equal<BookRow['pages'], number | null>>();
expectType<Equal<BookRow['created'], Date>>();
expectType<Equal<Row<typeof BookTag>['bookId'], string>>();
expectType<Equal<Row<typeof BookTag>['tagId'], string>>();
expectType<Equal<Row<typeof Review>['bookId'], string>>();

declare const book: BookRow;
// @ts-expect-error a foreign key is read as authorId, not author
book.author;
// @ts-expect-error many-to-many fields have no column, so no row key
book.tags;
// @ts-expect-error a misspelt field
book.titel;
// @ts-expect-error status is a union of the enum values
const _status: BookRow['status'] = 'archived';

// --- create: required fields required; defaults, nullable, auto fields optional or absent --------

const ok: CreateInput<typeof Book> = { title: 'Dune', isbn: '9780441013593', price: '9.99', authorId: 1 };
const full: CreateInput<typeof Book> = {
  id: crypto.randomUUID(),
  title: 'Dune',
  isbn: '9780441013593',
  price: '9.99',
  status: 'published',
  pages: null,
  authorId: 1,
  editorId: null,
};
void ok;
void full;

// @ts-expect-error title is required
const _noTitle: CreateInput<typeof Book> = { isbn: '9780441013593', price: '9.99', authorId: 1 };
// @ts-expect-error price is a decimal string, not a number
const _numberPrice: CreateInput<typeof Book> = { title: 'D', isbn: '1', price: 9.99, authorId: 1 };
const base = { title: 'D', isbn: '1', price: '1', authorId: 1 };
// @ts-expect-error autoNowAdd fields cannot be set
const _created: CreateInput<typeof Book> = { ...base, created: new Date() };
// @ts-expect-error editable: false fields cannot be set
const _views: CreateInput<typeof Book> = { ...base, views: 3 };
const person = { firstName: 'a', lastName: 'b', email: 'e', passwordHash: 'h' };
// @ts-expect-error the auto id of Author cannot be set
const _authorId: CreateInput<typeof Author> = { ...person, id: 1 };

// --- update: every editable field optional, no primary key ---------------------------------------

const patch: UpdateInput<typeof Book> = { title: 'Dune Messiah' };
void patch;
// @ts-expect-error the primary key cannot be updated
const _newId: UpdateInput<typeof Book> = { id: 'x' };
// @ts-expect-error authorId holds a number
const _wrongFk: UpdateInput<typeof Book> = { authorId: 'frank' };

// --- model options name real fields ---------------------------------------------------------------

model('types.Thing', { name: f.string({ maxLength: 10 }) }, { ordering: ['-name', 'id'] });
// @ts-expect-error ordering names a field the model does not have
model('types.Other', { name: f.string({ maxLength: 10 }) }, { ordering: ['-nmae'] });

// --- json: typed by a generic or by a schema -------------------------------------------------------

const Settings = model('types.Settings', {
  prefs: f.json<{ theme: string }>(),
  shape: f.json({ schema: t.Object({ size: t.Integer() }), nullable: true }),
  anything: f.json(),
});
expectType<Equal<Row<typeof Settings>['prefs'], { theme: string }>>();
expectType<Equal<Row<typeof Settings>['shape'], { size: number } | null>>();
expectType<Equal<Row<typeof Settings>['anything'], unknown>>();

// @ts-expect-error f.string needs maxLength
f.string({});
// @ts-expect-error a foreign key needs onDelete
f.foreignKey(() => Author, {});

// --- fields left without options stay non-nullable and required --------------------------------

const Plain = model('types.Plain', { on: f.boolean(), note: f.text(), count: f.integer({ default: 0 }) });
expectType<Equal<Row<typeof Plain>, { id: number; on: boolean; note: string; count: number }>>();
expectType<Equal<CreateInput<typeof Plain>, { on: boolean; note: string; count?: number }>>();

// --- many-to-many fields have no column, so no ordering or index on them -------------------------

// @ts-expect-error tags is a many-to-many field
model('types.Tagged', { tags: f.manyToMany('types.Tag') }, { ordering: ['tags'] });

// --- schemas: Static<> of a model's schemas is its row and input types -------------------------

import type { Static } from 'typebox';
import type { ReadRowOf } from '../../src/orm/types.ts';

type AuthorFields = (typeof Author)['fields'];
/** `true` when each of A and B is assignable to the other (TypeBox spells the same type its own way). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The read schema leaves out writeOnly fields (the password hash).
expectType<Same<Static<typeof Author.schema.read>, ReadRowOf<AuthorFields>>>();
expectType<Equal<'passwordHash' extends keyof Static<typeof Author.schema.read> ? true : false, false>>();
expectType<Same<Static<typeof Book.schema.create>, CreateInput<typeof Book>>>();
// @ts-expect-error a create body is not an update body (required fields)
expectType<Same<Static<typeof Book.schema.create>, UpdateInput<typeof Book>>>();
expectType<Same<Static<typeof Book.schema.update>, UpdateInput<typeof Book>>>();
