import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { f } from '../../../src/orm/fields/index.ts';
import { library } from '../model-fixtures.ts';

describe('foreign keys take the type of the target primary key', () => {
  test('an auto id: bigint / INTEGER, integer schema, number checks', () => {
    const { Book } = library();
    const author = Book.meta.field('author');
    assert.equal(author.columnType('postgres'), 'bigint');
    assert.equal(author.columnType('sqlite'), 'INTEGER');
    assert.equal(author.valueSchema().type, 'integer');
    assert.deepEqual(author.check(3), []);
    assert.deepEqual(author.check('3'), [{ msg: 'Input should be a valid integer', type: 'int_type' }]);
    assert.deepEqual(author.check(0), [
      { msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' },
    ]);
    assert.equal(author.fromDb('42', 'postgres'), 42);
  });

  test('a uuid primary key: uuid / TEXT', () => {
    const { Review } = library();
    const book = Review.meta.field('book');
    assert.equal(book.columnType('postgres'), 'uuid');
    assert.equal(book.columnType('sqlite'), 'TEXT');
    assert.deepEqual(book.valueSchema(), { type: 'string', format: 'uuid' });
    assert.equal(book.check('nope')[0]?.type, 'format');
  });

  test('a nullable foreign key allows null', () => {
    const { Book } = library();
    assert.deepEqual(Book.meta.field('editor').check(null), []);
    assert.equal(Book.meta.field('author').check(null)[0]?.type, 'null');
    assert.equal(Book.meta.relation('editor').onDelete, 'setNull');
  });

  test('many-to-many: no column, a list of target keys', () => {
    const { Book } = library();
    const tags = Book.meta.field('tags');
    assert.equal(tags.columnType('postgres'), null);
    assert.deepEqual(tags.valueSchema(), {
      type: 'array',
      items: { type: 'string', maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$' },
      uniqueItems: true,
    });
    assert.deepEqual(tags.check(['a', 'b']), []);
    assert.deepEqual(tags.check('a'), [{ msg: 'Input should be a valid list', type: 'list_type' }]);
    assert.equal(tags.check(['a b'])[0]?.type, 'string_pattern_mismatch');
  });

  test('an unbound relation has no target yet', () => {
    const author = f.foreignKey('library.Author', { onDelete: 'cascade' });
    assert.throws(() => author.target, /the foreignKey field is not part of a model yet/);
  });
});
