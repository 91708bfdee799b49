/**
 * Every `f.*()` refuses an option it does not know, naming it and the closest known one: from
 * plain JavaScript, `f.decimal({ maxDigits: 10 })` was ignored and then failed with "needs
 * digits".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelDefinitionError } from '../../../src/orm/fields/field.ts';
import { f } from '../../../src/orm/fields/index.ts';

/** Calls `build` and returns the ModelDefinitionError's message it throws. */
function refusal(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    assert.ok(error instanceof ModelDefinitionError, String(error));
    return error.message;
  }
  assert.fail('the options were accepted');
}

const js = f as unknown as Record<string, (...args: unknown[]) => unknown>;

test('an unknown option is refused, with the known one it most likely meant', () => {
  const cases: [() => unknown, string][] = [
    [
      () => js.decimal!({ maxDigits: 10, places: 2 }),
      "f.decimal() has no option 'maxDigits'; did you mean 'digits'?",
    ],
    [
      () => js.decimal!({ digits: 10, decimal_places: 2 }),
      "f.decimal() has no option 'decimal_places'; did you mean 'places'?",
    ],
    [
      () => js.string!({ max_length: 20 }),
      "f.string() has no option 'max_length'; did you mean 'maxLength'?",
    ],
    [() => js.text!({ null: true }), "f.text() has no option 'null'; did you mean 'nullable'?"],
    [() => js.integer!({ nullabel: true }), "f.integer() has no option 'nullabel'; did you mean 'nullable'?"],
    [() => js.bigint!({ minimum: 0 }), "f.bigint() has no option 'minimum'; did you mean 'min'?"],
    [() => js.float!({ maxx: 1 }), "f.float() has no option 'maxx'; did you mean 'max'?"],
    [() => js.email!({ unqiue: true }), "f.email() has no option 'unqiue'; did you mean 'unique'?"],
    [() => js.url!({ help_text: 'x' }), "f.url() has no option 'help_text'; did you mean 'helpText'?"],
    [() => js.slug!({ db_index: true }), "f.slug() has no option 'db_index'; did you mean 'index'?"],
    [
      () => js.uuid!({ primary_key: true }),
      "f.uuid() has no option 'primary_key'; did you mean 'primaryKey'?",
    ],
    [() => js.boolean!({ defualt: true }), "f.boolean() has no option 'defualt'; did you mean 'default'?"],
    [() => js.date!({ db_column: 'day' }), "f.date() has no option 'db_column'; did you mean 'dbColumn'?"],
    [() => js.time!({ lable: 'At' }), "f.time() has no option 'lable'; did you mean 'label'?"],
    [
      () => js.datetime!({ auto_now_add: true }),
      "f.datetime() has no option 'auto_now_add'; did you mean 'autoNowAdd'?",
    ],
    [() => js.json!({ shema: {} }), "f.json() has no option 'shema'; did you mean 'schema'?"],
    [
      () => js.enum!(['a'], { write_only: true }),
      "f.enum() has no option 'write_only'; did you mean 'writeOnly'?",
    ],
    [
      () => js.foreignKey!('a.B', { on_delete: 'cascade' }),
      "f.foreignKey() has no option 'on_delete'; did you mean 'onDelete'?",
    ],
    [
      () => js.oneToOne!('a.B', { onDelete: 'cascade', related_name: 'x' }),
      "f.oneToOne() has no option 'related_name'; did you mean 'relatedName'?",
    ],
    [
      () => js.manyToMany!('a.B', { throught: 'a.C' }),
      "f.manyToMany() has no option 'throught'; did you mean 'through'?",
    ],
  ];
  for (const [build, message] of cases) assert.equal(refusal(build), message);
});

test('without a likely match, the message lists the options; options must be an object', () => {
  assert.equal(
    refusal(() => js.manyToMany!('a.B', { nullable: true })),
    "f.manyToMany() has no option 'nullable'; its options are: through, relatedName, symmetrical, label, helpText",
  );
  assert.match(
    refusal(() => js.enum!(['a', 'b'], { choices: ['a'] })),
    /f\.enum\(\) has no option 'choices'; its options are: nullable, default/,
  );
  assert.equal(
    refusal(() => js.text!('long')),
    'f.text() takes an object of options, like { nullable: true }, got string',
  );
  assert.equal(
    refusal(() => js.string!(null)),
    'f.string() takes an object of options, like { nullable: true }, got null',
  );
});

test('every known option is still accepted', () => {
  const common = {
    nullable: true,
    unique: false,
    index: true,
    label: 'L',
    helpText: 'H',
    editable: true,
    writeOnly: false,
    dbColumn: 'c',
    primaryKey: false,
  };
  f.string({ ...common, maxLength: 5, minLength: 1, pattern: '^a', choices: ['a'], default: 'a' });
  f.decimal({ ...common, digits: 5, places: 2, min: 0, max: 10 });
  f.integer({ ...common, min: 0, max: 5 });
  f.datetime({ ...common, autoNow: true, autoNowAdd: false });
  f.json({ ...common, default: () => ({}) });
  f.enum(['a'], { ...common, default: 'a' });
  f.foreignKey('a.B', { nullable: true, onDelete: 'setNull', relatedName: 'bs', label: 'B', dbColumn: 'b' });
  f.manyToMany('a.B', { through: 'a.C', relatedName: 'bs', label: 'B', helpText: 'H' });
});
