import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { f } from '../../../src/orm/fields/index.ts';

describe('f.string', () => {
  const title = f.string({ maxLength: 5, minLength: 2 });

  test('schema carries the length limits', () => {
    assert.deepEqual(title.valueSchema(), { type: 'string', maxLength: 5, minLength: 2 });
  });

  test('checks type, length and pattern', () => {
    assert.deepEqual(title.check('abc'), []);
    assert.deepEqual(title.check(3), [{ msg: 'Input should be a valid string', type: 'string_type' }]);
    assert.deepEqual(title.check('abcdef'), [
      { msg: 'String should have at most 5 characters', type: 'string_too_long' },
    ]);
    assert.deepEqual(title.check('a'), [
      { msg: 'String should have at least 2 characters', type: 'string_too_short' },
    ]);
    assert.deepEqual(
      f.string({ maxLength: 1 }).check('🙂'),
      [],
      'length counts characters, not UTF-16 units',
    );
    const code = f.string({ maxLength: 3, pattern: '^[A-Z]+$' });
    assert.deepEqual(code.check('ab'), [
      { msg: "String should match pattern '^[A-Z]+$'", type: 'string_pattern_mismatch' },
    ]);
    assert.equal(code.valueSchema().pattern, '^[A-Z]+$');
  });

  test('null only when nullable', () => {
    assert.deepEqual(title.check(null), [{ msg: 'Input should not be null', type: 'null' }]);
    assert.deepEqual(f.string({ maxLength: 5, nullable: true }).check(null), []);
  });

  test('choices: schema enum and check', () => {
    const size = f.string({
      maxLength: 1,
      choices: [
        ['s', 'Small'],
        ['l', 'Large'],
      ],
    });
    assert.deepEqual(size.choices, [
      { value: 's', label: 'Small' },
      { value: 'l', label: 'Large' },
    ]);
    assert.deepEqual(size.valueSchema().enum, ['s', 'l']);
    assert.deepEqual(size.check('m'), [{ msg: "Input should be 's' or 'l'", type: 'enum' }]);
  });

  test('columns: varchar(n) on PostgreSQL, TEXT on SQLite; values pass through', () => {
    assert.equal(title.columnType('postgres'), 'varchar(5)');
    assert.equal(title.columnType('sqlite'), 'TEXT');
    assert.equal(title.toDb('abc', 'sqlite'), 'abc');
    assert.equal(title.fromDb('abc', 'postgres'), 'abc');
    assert.equal(title.fromDb(null, 'postgres'), null);
  });
});

describe('f.text, f.email, f.url, f.slug, f.uuid', () => {
  test('text has no limit and a text column', () => {
    const body = f.text();
    assert.deepEqual(body.valueSchema(), { type: 'string' });
    assert.equal(body.columnType('postgres'), 'text');
    assert.equal(body.columnType('sqlite'), 'TEXT');
    assert.deepEqual(body.check('x'.repeat(100_000)), []);
  });

  test('email', () => {
    const email = f.email();
    assert.deepEqual(email.valueSchema(), { type: 'string', maxLength: 254, format: 'email' });
    assert.equal(email.columnType('postgres'), 'varchar(254)');
    assert.deepEqual(email.check('ada@example.com'), []);
    assert.deepEqual(email.check('ada@'), [{ msg: 'Input should be a valid email address', type: 'format' }]);
  });

  test('url', () => {
    const url = f.url();
    assert.deepEqual(url.valueSchema(), { type: 'string', maxLength: 200, format: 'uri' });
    assert.deepEqual(url.check('https://example.com/a?b=1'), []);
    assert.deepEqual(url.check('javascript:alert(1)'), [
      { msg: 'Input should be a valid URL', type: 'format' },
    ]);
    assert.deepEqual(url.check('example.com'), [{ msg: 'Input should be a valid URL', type: 'format' }]);
  });

  test('slug', () => {
    const slug = f.slug();
    assert.deepEqual(slug.valueSchema(), { type: 'string', maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$' });
    assert.equal(slug.columnType('postgres'), 'varchar(50)');
    assert.deepEqual(slug.check('hello-world_2'), []);
    assert.equal(slug.check('hello world')[0]?.type, 'string_pattern_mismatch');
  });

  test('uuid', () => {
    const id = f.uuid({ primaryKey: true, default: () => crypto.randomUUID() });
    assert.deepEqual(id.valueSchema(), { type: 'string', format: 'uuid' });
    assert.equal(id.columnType('postgres'), 'uuid');
    assert.equal(id.columnType('sqlite'), 'TEXT');
    assert.deepEqual(id.check(crypto.randomUUID()), []);
    assert.deepEqual(id.check('1234'), [{ msg: 'Input should be a valid UUID', type: 'format' }]);
    assert.equal(id.primaryKey, true);
  });
});
