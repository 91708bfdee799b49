import assert from 'node:assert/strict';
import { type CreateInput, f, model, type Row, validateInput } from 'voltjs/orm';

const Author = model(
  'library.Author',
  {
    name: f.string({ maxLength: 100 }),
    email: f.email({ unique: true }),
    passwordHash: f.string({ maxLength: 200, writeOnly: true }),
  },
  { ordering: ['name'] },
);

const Book = model('library.Book', {
  title: f.string({ maxLength: 200 }),
  price: f.decimal({ digits: 8, places: 2, min: 0 }),
  status: f.enum(['draft', 'published'] as const, { default: 'draft' }),
  author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
  published: f.date({ nullable: true }),
  created: f.datetime({ autoNowAdd: true }),
});

// The introspection API every consumer reads.
assert.equal(Book.meta.table, 'library_book');
assert.deepEqual(Book.meta.fieldNames, ['id', 'title', 'price', 'status', 'author', 'published', 'created']);
assert.equal(Book.meta.pk.name, 'id'); // added automatically: a bigint
assert.equal(Book.meta.field('author').column, 'author_id');
assert.equal(Book.meta.field('published').label, 'Published');
assert.equal(Book.meta.field('price').columnType('postgres'), 'numeric(8, 2)');
assert.equal(Author.meta.reverseRelations[0]?.name, 'bookSet');

// Types come from the same declaration: no codegen.
const book: Row<typeof Book> = {
  id: 1,
  title: 'Dune',
  price: '9.99', // decimals are exact strings
  status: 'draft',
  authorId: 1, // a foreign key is <name>Id
  published: null,
  created: new Date(),
};
const input: CreateInput<typeof Book> = { title: 'Dune', price: '9.99', authorId: book.authorId };

// So do the schemas for requests and responses, and the checks.
assert.ok(!('passwordHash' in Author.schema.read.properties)); // writeOnly
assert.deepEqual(Book.schema.create.required, ['title', 'price', 'authorId']);
assert.deepEqual(validateInput(Book, input), []);
assert.deepEqual(validateInput(Book, { ...input, price: '9.999', status: 'gone' }), [
  { loc: ['price'], msg: 'Decimal should have at most 8 digits, 2 after the point', type: 'decimal_type' },
  { loc: ['status'], msg: "Input should be 'draft' or 'published'", type: 'enum' },
]);
