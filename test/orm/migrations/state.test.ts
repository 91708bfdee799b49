/**
 * Field deconstruction (a field as its `f` call) and `ProjectState`: built from live models,
 * from migrations, and turned into historical models.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from 'typebox';
import {
  type AnyField,
  createRegistry,
  deconstruct,
  f,
  MigrationStateError,
  ModelDefinitionError,
  migration,
  model,
  op,
  ProjectState,
  type RelationField,
  reconstruct,
  sameDeconstruction,
} from '../../../src/orm/index.ts';
import type { LoadedMigration } from '../../../src/orm/migrations/types.ts';

function library() {
  const registry = createRegistry();
  const Author = model(
    'library.Author',
    { name: f.string({ maxLength: 100 }), email: f.email({ unique: true }) },
    { registry, ordering: ['name'] },
  );
  const Tag = model('library.Tag', { name: f.slug() }, { registry });
  const Book = model(
    'library.Book',
    {
      title: f.string({ maxLength: 200 }),
      author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
      editor: f.foreignKey('Author', { onDelete: 'setNull', nullable: true, relatedName: 'edited' }),
      sequel: f.oneToOne('self', { onDelete: 'setNull', nullable: true }),
      tags: f.manyToMany(() => Tag),
    },
    { registry, indexes: [{ fields: ['title'] }], uniqueTogether: [['author', 'title']] },
  );
  return { registry, Author, Tag, Book };
}

describe('deconstruct', () => {
  const cases: [string, AnyField, unknown[]][] = [
    ['string', f.string({ maxLength: 200 }), [{ maxLength: 200 }]],
    ['text', f.text(), []],
    ['email', f.email({ unique: true }), [{ unique: true }]],
    ['url', f.url({ nullable: true }), [{ nullable: true }]],
    ['slug', f.slug(), []],
    ['uuid', f.uuid({ primaryKey: true }), [{ primaryKey: true }]],
    ['integer', f.integer({ min: 0 }), [{ min: 0 }]],
    ['bigint', f.bigint(), []],
    ['float', f.float({ max: 5 }), [{ max: 5 }]],
    ['decimal', f.decimal({ digits: 8, places: 2 }), [{ digits: 8, places: 2 }]],
    ['boolean', f.boolean({ default: true }), [{ default: true }]],
    ['date', f.date(), []],
    ['datetime', f.datetime({ autoNowAdd: true }), [{ autoNowAdd: true }]],
    ['time', f.time({ dbColumn: 'at' }), [{ dbColumn: 'at' }]],
    ['json', f.json({ nullable: true }), [{ nullable: true }]],
    [
      'enum',
      f.enum(['draft', 'published'], { default: 'draft' }),
      [['draft', 'published'], { default: 'draft' }],
    ],
    [
      'foreignKey',
      f.foreignKey('library.Author', { onDelete: 'cascade' }),
      ['library.Author', { onDelete: 'cascade' }],
    ],
    [
      'oneToOne',
      f.oneToOne('library.Author', { onDelete: 'protect' }),
      ['library.Author', { onDelete: 'protect' }],
    ],
    ['manyToMany', f.manyToMany('library.Tag'), ['library.Tag']],
  ];
  for (const [builder, field, args] of cases) {
    test(`f.${builder} deconstructs to its builder and declared options, and back`, () => {
      const d = deconstruct(field);
      assert.equal(d.builder, builder);
      assert.deepEqual(d.args, args);
      const rebuilt = reconstruct(d);
      assert.equal(rebuilt.kind, field.kind);
      assert.ok(sameDeconstruction(deconstruct(rebuilt), d));
    });
  }

  test('kind defaults are not part of the declaration (a slug keeps no maxLength or pattern)', () => {
    const slug = f.slug();
    assert.equal(slug.maxLength, 50);
    assert.deepEqual(deconstruct(slug).args, []);
    assert.deepEqual(deconstruct(f.oneToOne('library.A', { onDelete: 'cascade' })).args[1], {
      onDelete: 'cascade',
    });
  });

  test('relation targets become labels: functions, same-app names and self', () => {
    const { Book } = library();
    assert.deepEqual(deconstruct(Book.meta.field('author')).args, [
      'library.Author',
      { onDelete: 'cascade' },
    ]);
    assert.deepEqual(deconstruct(Book.meta.field('editor')).args, [
      'library.Author',
      { onDelete: 'setNull', nullable: true, relatedName: 'edited' },
    ]);
    assert.equal(deconstruct(Book.meta.field('sequel')).args[0], 'library.Book');
    assert.deepEqual(deconstruct(Book.meta.field('tags')).args, ['library.Tag']);
  });

  test('a manyToMany through model is written as a label', () => {
    const d = deconstruct(f.manyToMany('library.Tag', { through: 'BookTag' }), 'library.Book');
    assert.deepEqual(d.args, ['library.Tag', { through: 'library.BookTag' }]);
  });

  test('an enum with labels keeps them', () => {
    assert.deepEqual(deconstruct(f.enum({ low: 'Low', high: 'High' })).args, [{ low: 'Low', high: 'High' }]);
  });

  test('a json schema is not part of the declaration (it does not change the column)', () => {
    assert.deepEqual(deconstruct(f.json({ schema: Type.Object({}), nullable: true })).args, [
      { nullable: true },
    ]);
  });

  test('the declared options survive bind()', () => {
    const { Author } = library();
    assert.deepEqual(Author.meta.field('email').declaredOptions, { unique: true });
  });

  test('a relative target outside a model is an error naming the fix', () => {
    assert.throws(
      () => deconstruct(f.foreignKey('Author', { onDelete: 'cascade' })),
      (error: Error) =>
        error instanceof ModelDefinitionError && /needs its app \('app\.Author'\)/.test(error.message),
    );
  });

  test('the implicit auto id cannot be deconstructed', () => {
    const { Author } = library();
    assert.throws(() => deconstruct(Author.meta.field('id')), /no f builder/);
  });

  test('reconstruct names the builders when given an unknown one', () => {
    assert.throws(
      () => reconstruct({ builder: 'nope' as never, args: [] }),
      /'nope' is not a field builder; the builders are: string, text/,
    );
  });

  test('function defaults are equal when their source is, different otherwise', () => {
    const a = deconstruct(f.uuid({ default: () => crypto.randomUUID() }));
    const b = deconstruct(f.uuid({ default: () => crypto.randomUUID() }));
    const c = deconstruct(f.uuid({ default: () => 'fixed' }));
    assert.ok(sameDeconstruction(a, b));
    assert.ok(!sameDeconstruction(a, c));
  });

  test('f.text() and f.text({}) are the same; a changed option is not', () => {
    assert.ok(sameDeconstruction(deconstruct(f.text()), deconstruct(f.text({}))));
    assert.ok(!sameDeconstruction(deconstruct(f.text()), deconstruct(f.text({ nullable: true }))));
    assert.ok(
      !sameDeconstruction(deconstruct(f.string({ maxLength: 10 })), deconstruct(f.string({ maxLength: 11 }))),
    );
  });
});

describe('ProjectState', () => {
  test('fromModels keeps declared fields (not the auto id), labels and the non-default options', () => {
    const { registry } = library();
    const state = ProjectState.fromModels(registry.all());
    assert.deepEqual([...state.models.keys()], ['library.Author', 'library.Tag', 'library.Book']);
    const book = state.models.get('library.Book')!;
    assert.deepEqual([...book.fields.keys()], ['title', 'author', 'editor', 'sequel', 'tags']);
    assert.equal((book.fields.get('author')! as RelationField).to, 'library.Author');
    assert.equal(book.fields.get('author')!.model, undefined, 'state fields are unbound');
    assert.deepEqual(book.options, {
      indexes: [{ name: 'library_book_title_idx', fields: ['title'] }],
      uniqueTogether: [['author', 'title']],
    });
    assert.deepEqual(state.models.get('library.Author')!.options, { ordering: ['name'] });
    assert.deepEqual(state.models.get('library.Tag')!.options, {});
  });

  test('fromModels keeps a custom table and verbose names', () => {
    const registry = createRegistry();
    const Person = model(
      'people.Person',
      { name: f.text() },
      { registry, table: 'persons', verboseName: 'human', verboseNamePlural: 'folk' },
    );
    const state = ProjectState.fromModels([Person]);
    assert.deepEqual(state.models.get('people.Person')!.options, {
      table: 'persons',
      verboseName: 'human',
      verboseNamePlural: 'folk',
    });
  });

  test('registry() builds historical models whose relations resolve among themselves', () => {
    const { registry } = library();
    const state = ProjectState.fromModels(registry.all());
    const Book = state.model('library.Book');
    assert.notEqual(Book, registry.get('library.Book'));
    assert.equal(Book.meta.relation('author').target, state.model('library.Author'));
    assert.equal(Book.meta.table, 'library_book');
    assert.deepEqual(Book.meta.fieldNames, ['id', 'title', 'author', 'editor', 'sequel', 'tags']);
  });

  test('registry() is cached, and rebuilt after the state changes', () => {
    const { registry } = library();
    const state = ProjectState.fromModels(registry.all());
    const first = state.registry();
    assert.equal(state.registry(), first);
    op.addField('library.Tag', 'color', f.string({ maxLength: 7, default: '#000000' })).stateForwards(state);
    const second = state.registry();
    assert.notEqual(second, first);
    assert.ok(state.model('library.Tag').meta.hasField('color'));
  });

  test('model() names the known labels when the label is unknown', () => {
    const state = ProjectState.fromModels(library().registry.all());
    assert.throws(
      () => state.model('library.Nope'),
      /no model labelled 'library\.Nope' \(registered: library\.Author, library\.Tag, library\.Book\)/,
    );
    assert.throws(
      () => ProjectState.empty().modelState('library.Nope'),
      (error: Error) => error instanceof MigrationStateError && /there are no models yet/.test(error.message),
    );
  });

  test('clone() can change without touching the original', () => {
    const state = ProjectState.fromModels(library().registry.all());
    const copy = state.clone();
    op.deleteModel('library.Tag').stateForwards(copy);
    assert.ok(state.models.has('library.Tag'));
    assert.ok(!copy.models.has('library.Tag'));
  });

  test('fromMigrations applies every operation in order', () => {
    const loaded = (name: string, definition: ReturnType<typeof migration>): LoadedMigration => ({
      ...definition,
      id: `library/${name}`,
      app: 'library',
      name,
      file: `${name}.ts`,
    });
    const state = ProjectState.fromMigrations([
      loaded(
        '0001_initial',
        migration({ operations: [op.createModel('library.Author', { name: f.string({ maxLength: 100 }) })] }),
      ),
      loaded(
        '0002_rename',
        migration({
          dependencies: ['library/0001_initial'],
          operations: [op.renameField('library.Author', 'name', 'fullName')],
        }),
      ),
    ]);
    assert.deepEqual([...state.models.get('library.Author')!.fields.keys()], ['fullName']);
    assert.equal(state.model('library.Author').meta.field('fullName').column, 'full_name');
  });
});

describe('migration()', () => {
  test('returns the definition frozen', () => {
    const definition = migration({ dependencies: ['library/0001_initial'], operations: [] });
    assert.ok(Object.isFrozen(definition));
    assert.ok(Object.isFrozen(definition.operations));
  });

  test('refuses a bad dependency, a non-operation and an unknown key, naming the fix', () => {
    assert.throws(
      () => migration({ dependencies: ['library'] as never, operations: [] }),
      /write '<app>\/<NNNN>_<name>'/,
    );
    assert.throws(
      () => migration({ operations: [{} as never] }),
      /operation 1 is not an operation; build operations with op/,
    );
    assert.throws(() => migration({ operations: [], atomc: false } as never), /unknown key 'atomc'/);
  });
});
