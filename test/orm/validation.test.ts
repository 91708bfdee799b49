import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateInput } from '../../src/orm/validation.ts';
import { library } from './model-fixtures.ts';

const valid = { title: 'Dune', isbn: '9780441013593', price: '9.99', authorId: 1 };

describe('validateInput', () => {
  test('a valid create has no errors', () => {
    const { Book } = library();
    assert.deepEqual(validateInput(Book, valid), []);
    assert.deepEqual(validateInput(Book, { ...valid, pages: null, editorId: null, status: 'published' }), []);
  });

  test('missing required fields, in field order', () => {
    const { Book } = library();
    assert.deepEqual(validateInput(Book, {}), [
      { loc: ['title'], msg: 'Field required', type: 'missing' },
      { loc: ['isbn'], msg: 'Field required', type: 'missing' },
      { loc: ['price'], msg: 'Field required', type: 'missing' },
      { loc: ['authorId'], msg: 'Field required', type: 'missing' },
    ]);
  });

  test('every wrong value is reported at its field', () => {
    const { Book } = library();
    assert.deepEqual(
      validateInput(Book, {
        ...valid,
        title: 'x'.repeat(201),
        isbn: '123',
        price: 9.99,
        status: 'gone',
        pages: 0,
      }),
      [
        { loc: ['title'], msg: 'String should have at most 200 characters', type: 'string_too_long' },
        { loc: ['isbn'], msg: "String should match pattern '^\\d{13}$'", type: 'string_pattern_mismatch' },
        {
          loc: ['price'],
          msg: 'Input should be a decimal number written as a string, such as "19.90"',
          type: 'decimal_type',
        },
        { loc: ['status'], msg: "Input should be 'draft' or 'published'", type: 'enum' },
        { loc: ['pages'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' },
      ],
    );
  });

  test('null only where nullable', () => {
    const { Book } = library();
    assert.deepEqual(validateInput(Book, { ...valid, title: null }), [
      { loc: ['title'], msg: 'Input should not be null', type: 'null' },
    ]);
  });

  test('fields that cannot be set and unknown keys are refused', () => {
    const { Author, Book } = library();
    assert.deepEqual(validateInput(Book, { ...valid, views: 3, created: new Date(), colour: 'red' }), [
      { loc: ['views'], msg: 'Field cannot be set', type: 'read_only' },
      { loc: ['created'], msg: 'Field cannot be set', type: 'read_only' },
      { loc: ['colour'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
    ]);
    assert.deepEqual(validateInput(Author, { id: 1 }, { partial: true }), [
      { loc: ['id'], msg: 'Field cannot be set', type: 'read_only' },
    ]);
  });

  test('a foreign key given by its field name points at its row key', () => {
    const { title, isbn, price } = valid;
    const { Book } = library();
    assert.deepEqual(validateInput(Book, { title, isbn, price, author: 1 }), [
      { loc: ['authorId'], msg: 'Field required', type: 'missing' },
      {
        loc: ['author'],
        msg: "Extra inputs are not permitted; did you mean 'authorId'?",
        type: 'extra_forbidden',
      },
    ]);
  });

  test('partial: missing fields are fine, given ones are checked, the primary key is refused', () => {
    const { Book } = library();
    assert.deepEqual(validateInput(Book, {}, { partial: true }), []);
    assert.deepEqual(validateInput(Book, { price: '1.234' }, { partial: true }), [
      {
        loc: ['price'],
        msg: 'Decimal should have at most 8 digits, 2 after the point',
        type: 'decimal_type',
      },
    ]);
    assert.deepEqual(validateInput(Book, { id: crypto.randomUUID() }, { partial: true }), [
      { loc: ['id'], msg: 'Field cannot be set', type: 'read_only' },
    ]);
  });

  test('a primary key with a default may be given on create', () => {
    const { Book } = library();
    assert.deepEqual(validateInput(Book, { ...valid, id: crypto.randomUUID() }), []);
    assert.deepEqual(validateInput(Book, { ...valid, id: 'nope' }), [
      { loc: ['id'], msg: 'Input should be a valid UUID', type: 'format' },
    ]);
  });

  test('an input that is not an object', () => {
    const { Book } = library();
    for (const input of [null, [], 'x', 3])
      assert.deepEqual(validateInput(Book, input), [
        { loc: [], msg: 'Input should be an object', type: 'model_type' },
      ]);
  });
});
