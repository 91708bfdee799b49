import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { t } from '../../../src/openapi/t.ts';
import { f } from '../../../src/orm/fields/index.ts';

describe('f.boolean', () => {
  test('schema, checks, columns, 0/1 on SQLite', () => {
    const active = f.boolean({ default: true });
    assert.deepEqual(active.valueSchema(), { type: 'boolean' });
    assert.deepEqual(active.check(false), []);
    assert.deepEqual(active.check('true'), [{ msg: 'Input should be a valid boolean', type: 'bool_type' }]);
    assert.deepEqual(active.check(1), [{ msg: 'Input should be a valid boolean', type: 'bool_type' }]);
    assert.equal(active.columnType('postgres'), 'boolean');
    assert.equal(active.columnType('sqlite'), 'INTEGER');
    assert.equal(active.toDb(true, 'sqlite'), 1);
    assert.equal(active.toDb(false, 'sqlite'), 0);
    assert.equal(active.toDb(true, 'postgres'), true);
    assert.equal(active.fromDb(0, 'sqlite'), false);
    assert.equal(active.fromDb(1n, 'sqlite'), true);
    assert.equal(active.fromDb(true, 'postgres'), true);
    assert.equal(active.fromDb(null, 'sqlite'), null);
  });
});

describe('f.json', () => {
  test('any JSON value; jsonb or TEXT', () => {
    const data = f.json();
    assert.deepEqual(data.valueSchema(), {});
    assert.deepEqual(data.check({ a: [1, 'x', null, { b: true }] }), []);
    assert.deepEqual(data.check(new Date()), [{ msg: 'Input should be a JSON value', type: 'json_type' }]);
    assert.deepEqual(data.check({ a: () => 1 }), [
      { msg: 'Input should be a JSON value', type: 'json_type' },
    ]);
    assert.deepEqual(data.check(Number.NaN), [{ msg: 'Input should be a JSON value', type: 'json_type' }]);
    assert.equal(data.columnType('postgres'), 'jsonb');
    assert.equal(data.columnType('sqlite'), 'TEXT');
  });

  test('conversions: stringified on the way in, parsed from SQLite text on the way out', () => {
    const data = f.json<unknown>();
    assert.equal(data.toDb([1, 2], 'postgres'), '[1,2]');
    assert.equal(data.toDb({ a: 1 }, 'sqlite'), '{"a":1}');
    assert.deepEqual(data.fromDb('{"a":1}', 'sqlite'), { a: 1 });
    assert.deepEqual(data.fromDb({ a: 1 }, 'postgres'), { a: 1 });
    assert.equal(data.fromDb('"text"', 'sqlite'), 'text');
    assert.equal(data.fromDb('text', 'postgres'), 'text', 'pg has parsed jsonb already');
  });

  test('a schema types, checks and documents the value', () => {
    const size = f.json({ schema: t.Object({ w: t.Integer(), h: t.Integer() }) });
    assert.equal(size.valueSchema().type, 'object');
    assert.deepEqual(size.check({ w: 1, h: 2 }), []);
    assert.deepEqual(size.check({ w: 1 }), [
      { msg: 'Input does not match the declared JSON shape', type: 'json_schema' },
    ]);
  });
});

describe('f.enum', () => {
  test('from a list: values are their own labels', () => {
    const status = f.enum(['draft', 'published'] as const, { default: 'draft' });
    assert.deepEqual(status.values, ['draft', 'published']);
    assert.deepEqual(status.choices, [
      { value: 'draft', label: 'draft' },
      { value: 'published', label: 'published' },
    ]);
    assert.deepEqual(status.valueSchema(), { type: 'string', enum: ['draft', 'published'] });
    assert.deepEqual(status.check('published'), []);
    assert.deepEqual(status.check('gone'), [{ msg: "Input should be 'draft' or 'published'", type: 'enum' }]);
    assert.deepEqual(status.check(1), [{ msg: "Input should be 'draft' or 'published'", type: 'enum' }]);
    assert.equal(status.columnType('postgres'), 'varchar(9)');
    assert.equal(status.columnType('sqlite'), 'TEXT');
  });

  test('from an object: labels by value', () => {
    const level = f.enum({ low: 'Low priority', high: 'High priority' });
    assert.deepEqual(level.choices, [
      { value: 'low', label: 'Low priority' },
      { value: 'high', label: 'High priority' },
    ]);
  });
});

describe('nullable fields in read and write schemas', () => {
  test('read allows null; write marks writeOnly', () => {
    const born = f.date({ nullable: true, label: 'Born on', helpText: 'If known' });
    assert.deepEqual(born.readSchema(), {
      anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }],
      title: 'Born on',
      description: 'If known',
    });
    const secret = f.string({ maxLength: 10, writeOnly: true });
    assert.equal(secret.writeSchema().writeOnly, true);
  });
});
