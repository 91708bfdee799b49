import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Value } from 'typebox/value';
import { library } from './model-fixtures.ts';

describe('model schemas', () => {
  test('read: every column keyed as in a row, writeOnly fields left out', () => {
    const { Author, Book } = library();
    const read = Author.schema.read;
    assert.equal(read.title, 'Author');
    assert.deepEqual(Object.keys(read.properties), ['id', 'firstName', 'lastName', 'email', 'born']);
    assert.deepEqual(read.required, ['id', 'firstName', 'lastName', 'email', 'born']);
    assert.deepEqual(read.properties.born, {
      anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }],
      title: 'Born',
    });
    assert.equal(read.properties.lastName?.description, 'As printed on the cover');
    assert.deepEqual(Object.keys(Book.schema.read.properties), [
      'id',
      'title',
      'isbn',
      'price',
      'status',
      'pages',
      'authorId',
      'editorId',
      'views',
      'created',
      'updated',
    ]);
  });

  test('create: editable fields only; defaults and nullable optional; extra keys refused', () => {
    const { Author, Book } = library();
    const create = Book.schema.create;
    assert.equal(create.title, 'BookCreate');
    assert.equal(create.additionalProperties, false);
    assert.deepEqual(Object.keys(create.properties), [
      'id',
      'title',
      'isbn',
      'price',
      'status',
      'pages',
      'authorId',
      'editorId',
    ]);
    assert.deepEqual(create.required, ['title', 'isbn', 'price', 'authorId']);
    assert.deepEqual(Author.schema.create.properties.passwordHash, {
      type: 'string',
      maxLength: 200,
      title: 'Password hash',
      writeOnly: true,
    });
    assert.ok(!('id' in Author.schema.create.properties), 'the auto id is never written');
  });

  test('update: the create fields minus the primary key, all optional', () => {
    const { Book } = library();
    const update = Book.schema.update;
    assert.equal(update.title, 'BookUpdate');
    assert.deepEqual(Object.keys(update.properties), [
      'title',
      'isbn',
      'price',
      'status',
      'pages',
      'authorId',
      'editorId',
    ]);
    assert.equal(update.required, undefined);
    assert.ok(Value.Check(update, {}));
    assert.ok(Value.Check(update, { title: 'New' }));
    assert.ok(!Value.Check(update, { views: 3 }));
  });

  test('constraints are carried over: maxLength, pattern, range, enum, formats', () => {
    const { Author, Book, Review } = library();
    const book = Book.schema.create.properties;
    assert.equal(book.title?.maxLength, 200);
    assert.equal(book.isbn?.pattern, '^\\d{13}$');
    assert.deepEqual(book.status?.enum, ['draft', 'published']);
    assert.equal(book.id?.format, 'uuid');
    assert.equal(Author.schema.create.properties.email?.format, 'email');
    assert.equal(Book.schema.read.properties.created?.format, 'date-time');
    assert.equal(Review.schema.create.properties.rating?.minimum, 1);
    assert.equal(Review.schema.create.properties.rating?.maximum, 5);
  });

  test('the schemas validate what they describe', () => {
    const { Book } = library();
    const input = { title: 'Dune', isbn: '9780441013593', price: '9.99', authorId: 1 };
    assert.ok(Value.Check(Book.schema.create, input));
    assert.ok(!Value.Check(Book.schema.create, { ...input, price: '9.999' }));
    assert.ok(!Value.Check(Book.schema.create, { ...input, status: 'gone' }));
    assert.ok(!Value.Check(Book.schema.create, { ...input, created: '2026-01-01T00:00:00Z' }));
  });

  test('built once, on first use', () => {
    const { Book } = library();
    assert.equal(Book.schema.read, Book.schema.read);
    assert.equal(Book.schema.create, Book.schema.create);
    assert.equal(Book.schema.update, Book.schema.update);
  });
});
