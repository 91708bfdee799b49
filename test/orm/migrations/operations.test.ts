/**
 * Every operation: its state change, its description, whether it can be undone, and the
 * schema editor calls it makes forwards and backwards (with historical models of the right
 * state).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AnyField,
  type AnyModel,
  type CheckSpec,
  type Database,
  f,
  type IndexSpec,
  type Operation,
  OperationError,
  op,
  ProjectState,
  type RelationField,
  type SchemaEditorLike,
} from '../../../src/orm/index.ts';
import { MigrationStateError } from '../../../src/orm/migrations/state.ts';

/** Records what an operation asks of the schema editor. */
class RecordingEditor implements SchemaEditorLike {
  readonly calls: string[] = [];
  readonly db = { dialect: 'sqlite' } as Database;
  readonly dialect = 'sqlite' as const;
  async execute(sql: string): Promise<void> {
    this.calls.push(`execute ${sql}`);
  }
  async createModel(model: AnyModel): Promise<void> {
    this.calls.push(`createModel ${model.meta.label} [${model.meta.fieldNames.join(',')}]`);
  }
  async deleteModel(model: AnyModel): Promise<void> {
    this.calls.push(`deleteModel ${model.meta.label}`);
  }
  async alterTable(from: AnyModel, to: AnyModel): Promise<void> {
    this.calls.push(`alterTable ${from.meta.table} -> ${to.meta.table}`);
  }
  async addField(model: AnyModel, field: AnyField): Promise<void> {
    this.calls.push(`addField ${model.meta.label}.${field.name} default=${JSON.stringify(field.default)}`);
  }
  async removeField(model: AnyModel, field: AnyField): Promise<void> {
    this.calls.push(`removeField ${model.meta.label}.${field.name}`);
  }
  async alterField(_from: AnyModel, fromField: AnyField, _to: AnyModel, toField: AnyField): Promise<void> {
    this.calls.push(
      `alterField ${fromField.column}(${fromField.nullable}) -> ${toField.column}(${toField.nullable})`,
    );
  }
  async addIndex(model: AnyModel, index: IndexSpec & { name: string }): Promise<void> {
    this.calls.push(`addIndex ${model.meta.label} ${index.name}`);
  }
  async removeIndex(model: AnyModel, index: IndexSpec & { name: string }): Promise<void> {
    this.calls.push(`removeIndex ${model.meta.label} ${index.name}`);
  }
  async addCheck(model: AnyModel, check: CheckSpec): Promise<void> {
    this.calls.push(`addCheck ${model.meta.label} ${check.name}`);
  }
  async removeCheck(model: AnyModel, check: CheckSpec): Promise<void> {
    this.calls.push(`removeCheck ${model.meta.label} ${check.name}`);
  }
  async alterUniqueTogether(
    model: AnyModel,
    from: readonly (readonly string[])[],
    to: readonly (readonly string[])[],
  ): Promise<void> {
    this.calls.push(
      `alterUniqueTogether ${model.meta.label} ${JSON.stringify(from)} -> ${JSON.stringify(to)}`,
    );
  }
}

/** A state with an author and a book pointing at it. */
function base(): ProjectState {
  const state = ProjectState.empty();
  op.createModel('library.Author', { name: f.string({ maxLength: 100 }) }).stateForwards(state);
  op.createModel(
    'library.Book',
    {
      title: f.string({ maxLength: 200 }),
      author: f.foreignKey('library.Author', { onDelete: 'cascade' }),
    },
    { ordering: ['title'], indexes: [{ name: 'book_title_idx', fields: ['title'] }] },
  ).stateForwards(state);
  return state;
}

/** Applies `operation` to a copy of `before`; runs it forwards then backwards on a recording editor. */
async function run(operation: Operation, before = base()) {
  const after = before.clone();
  operation.stateForwards(after);
  const forwards = new RecordingEditor();
  await operation.databaseForwards(forwards, before, after);
  const backwards = new RecordingEditor();
  if (operation.reversible) await operation.databaseBackwards(backwards, after, before);
  return { before, after, forwards: forwards.calls, backwards: backwards.calls };
}

const fieldNames = (state: ProjectState, label: string) => [...state.models.get(label)!.fields.keys()];

describe('model operations', () => {
  test('createModel adds the model; forwards creates its table, backwards drops it', async () => {
    const operation = op.createModel('library.Tag', { name: f.slug() });
    const { after, forwards, backwards } = await run(operation);
    assert.deepEqual(fieldNames(after, 'library.Tag'), ['name']);
    assert.deepEqual(forwards, ['createModel library.Tag [id,name]']);
    assert.deepEqual(backwards, ['deleteModel library.Tag']);
    assert.equal(operation.describe(), 'Create model library.Tag');
    assert.equal(operation.reversible, true);
  });

  test('createModel of an existing model is an error', () => {
    assert.throws(
      () => op.createModel('library.Book', {}).stateForwards(base()),
      /library\.Book already exists/,
    );
  });

  test('createModel keeps relative targets as full labels', () => {
    const state = base();
    op.createModel('library.Review', { book: f.foreignKey('Book', { onDelete: 'cascade' }) }).stateForwards(
      state,
    );
    assert.equal(
      (state.models.get('library.Review')!.fields.get('book')! as RelationField).to,
      'library.Book',
    );
  });

  test('deleteModel removes the model; it is reversible in schema (an empty table comes back)', async () => {
    const operation = op.deleteModel('library.Book');
    const { after, forwards, backwards } = await run(operation);
    assert.ok(!after.models.has('library.Book'));
    assert.deepEqual(forwards, ['deleteModel library.Book']);
    assert.deepEqual(backwards, ['createModel library.Book [id,title,author]']);
    assert.equal(operation.reversible, true);
    assert.equal(operation.describe(), 'Delete model library.Book');
  });

  test('deleteModel of an unknown model names the models', () => {
    assert.throws(
      () => op.deleteModel('library.Nope').stateForwards(base()),
      (error: Error) =>
        error instanceof MigrationStateError &&
        /no model 'library\.Nope'.*library\.Author, library\.Book/.test(error.message),
    );
  });

  test('renameModel renames the model, its default table, and relations to it follow', async () => {
    const operation = op.renameModel('library.Author', 'library.Writer');
    const { after, forwards, backwards } = await run(operation);
    assert.deepEqual([...after.models.keys()], ['library.Writer', 'library.Book']);
    assert.equal(
      (after.models.get('library.Book')!.fields.get('author')! as RelationField).to,
      'library.Writer',
    );
    assert.equal(after.model('library.Book').meta.relation('author').target.meta.label, 'library.Writer');
    assert.deepEqual(forwards, ['alterTable library_author -> library_writer']);
    assert.deepEqual(backwards, ['alterTable library_writer -> library_author']);
    assert.equal(operation.describe(), 'Rename model library.Author to library.Writer');
  });

  test('alterModelTable sets and resets the table name', async () => {
    const { after, forwards, backwards } = await run(op.alterModelTable('library.Book', 'books'));
    assert.equal(after.models.get('library.Book')!.options.table, 'books');
    assert.deepEqual(forwards, ['alterTable library_book -> books']);
    assert.deepEqual(backwards, ['alterTable books -> library_book']);
    const reset = after.clone();
    op.alterModelTable('library.Book', null).stateForwards(reset);
    assert.equal(reset.model('library.Book').meta.table, 'library_book');
  });

  test('alterModelOptions changes ordering and names only, with no SQL', async () => {
    const operation = op.alterModelOptions('library.Book', { verboseName: 'volume' });
    const { after, forwards, backwards } = await run(operation);
    const options = after.models.get('library.Book')!.options;
    assert.equal(options.verboseName, 'volume');
    assert.equal(options.ordering, undefined, 'ordering left out goes back to the default');
    assert.deepEqual(options.indexes, [{ name: 'book_title_idx', fields: ['title'] }]);
    assert.deepEqual(forwards, []);
    assert.deepEqual(backwards, []);
    assert.throws(
      () => op.alterModelOptions('library.Book', { table: 'x' } as never),
      /unknown option 'table'; the options are: ordering, verboseName, verboseNamePlural/,
    );
  });
});

describe('field operations', () => {
  test('addField adds the field; forwards adds the column, backwards removes it', async () => {
    const operation = op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' }));
    const { after, forwards, backwards } = await run(operation);
    assert.deepEqual(fieldNames(after, 'library.Book'), ['title', 'author', 'isbn']);
    assert.deepEqual(forwards, ['addField library.Book.isbn default=""']);
    assert.deepEqual(backwards, ['removeField library.Book.isbn']);
    assert.equal(operation.describe(), 'Add field isbn to library.Book');
  });

  test('addField with preserveDefault: false fills existing rows once and keeps no default', async () => {
    const operation = op.addField('library.Book', 'pages', f.integer({ default: 0 }), {
      preserveDefault: false,
    });
    const { after, forwards } = await run(operation);
    assert.equal(after.models.get('library.Book')!.fields.get('pages')!.hasDefault, false);
    // The column is added with the one-off default, then altered to the model's (none).
    assert.deepEqual(forwards, [
      'addField library.Book.pages default=0',
      'alterField pages(false) -> pages(false)',
    ]);
    assert.throws(
      () => op.addField('library.Book', 'x', f.integer(), { preserveDefault: false }),
      /needs a field with a default/,
    );
  });

  test('addField of a field the model has is an error', () => {
    assert.throws(
      () => op.addField('library.Book', 'title', f.text()).stateForwards(base()),
      /already has a field 'title'/,
    );
  });

  test('removeField removes the field; reversible in schema (the column comes back empty)', async () => {
    const operation = op.removeField('library.Book', 'title');
    const { after, forwards, backwards } = await run(op.removeField('library.Book', 'author'));
    assert.deepEqual(fieldNames(after, 'library.Book'), ['title']);
    assert.deepEqual(forwards, ['removeField library.Book.author']);
    assert.deepEqual(backwards, ['addField library.Book.author default=undefined']);
    assert.equal(operation.reversible, true);
    assert.equal(operation.describe(), 'Remove field title from library.Book');
    assert.throws(
      () => op.removeField('library.Book', 'nope').stateForwards(base()),
      /has no field 'nope'.*fields: title, author/,
    );
  });

  test('alterField replaces the field; both directions alter the column', async () => {
    const operation = op.alterField('library.Book', 'title', f.string({ maxLength: 200, nullable: true }));
    const { after, forwards, backwards } = await run(operation);
    assert.equal(after.models.get('library.Book')!.fields.get('title')!.nullable, true);
    assert.deepEqual(forwards, ['alterField title(false) -> title(true)']);
    assert.deepEqual(backwards, ['alterField title(true) -> title(false)']);
    assert.equal(operation.describe(), 'Alter field title on library.Book');
  });

  test('renameField renames the field and its column; ordering and indexes follow', async () => {
    const operation = op.renameField('library.Book', 'title', 'name');
    const { after, forwards, backwards } = await run(operation);
    assert.deepEqual(fieldNames(after, 'library.Book'), ['name', 'author']);
    const options = after.models.get('library.Book')!.options;
    assert.deepEqual(options.ordering, ['name']);
    assert.deepEqual(options.indexes, [{ name: 'book_title_idx', fields: ['name'] }]);
    assert.deepEqual(forwards, ['alterField title(false) -> name(false)']);
    assert.deepEqual(backwards, ['alterField name(false) -> title(false)']);
    assert.equal(operation.describe(), 'Rename field title on library.Book to name');
  });

  test('renameField onto an existing name is an error', () => {
    assert.throws(
      () => op.renameField('library.Book', 'title', 'author').stateForwards(base()),
      /already has a field 'author'/,
    );
  });
});

describe('index, check and unique-together operations', () => {
  test('addIndex and removeIndex', async () => {
    const add = await run(
      op.addIndex('library.Book', { name: 'book_author_title', fields: ['author', '-title'] }),
    );
    assert.deepEqual(
      add.after.model('library.Book').meta.indexes.map((i) => i.name),
      ['book_title_idx', 'book_author_title'],
    );
    assert.deepEqual(add.forwards, ['addIndex library.Book book_author_title']);
    assert.deepEqual(add.backwards, ['removeIndex library.Book book_author_title']);
    const remove = await run(op.removeIndex('library.Book', 'book_title_idx'));
    assert.equal(remove.after.models.get('library.Book')!.options.indexes, undefined);
    assert.deepEqual(remove.forwards, ['removeIndex library.Book book_title_idx']);
    assert.deepEqual(remove.backwards, ['addIndex library.Book book_title_idx']);
    assert.throws(
      () => op.removeIndex('library.Book', 'nope').stateForwards(base()),
      /no index 'nope' \(indexes: book_title_idx\)/,
    );
    assert.throws(
      () => op.addIndex('library.Book', { fields: ['title'] } as never),
      /is not an index or check name/,
    );
  });

  test('addCheck and removeCheck', async () => {
    const check = { name: 'title_not_empty', where: { title: { ne: '' } } };
    const add = await run(op.addCheck('library.Book', check));
    assert.deepEqual(add.after.models.get('library.Book')!.options.checks, [check]);
    assert.deepEqual(add.forwards, ['addCheck library.Book title_not_empty']);
    assert.deepEqual(add.backwards, ['removeCheck library.Book title_not_empty']);
    const remove = await run(op.removeCheck('library.Book', 'title_not_empty'), add.after);
    assert.equal(remove.after.models.get('library.Book')!.options.checks, undefined);
    assert.deepEqual(remove.forwards, ['removeCheck library.Book title_not_empty']);
    assert.deepEqual(remove.backwards, ['addCheck library.Book title_not_empty']);
  });

  test('alterUniqueTogether sets the sets; the editor gets before and after', async () => {
    const { after, forwards, backwards } = await run(
      op.alterUniqueTogether('library.Book', [['author', 'title']]),
    );
    assert.deepEqual(after.models.get('library.Book')!.options.uniqueTogether, [['author', 'title']]);
    assert.deepEqual(forwards, ['alterUniqueTogether library.Book [] -> [["author","title"]]']);
    assert.deepEqual(backwards, ['alterUniqueTogether library.Book [["author","title"]] -> []']);
  });
});

describe('data operations', () => {
  test('runSql runs its statements; without backward it is irreversible', async () => {
    const operation = op.runSql({ forward: ['update a set b = 1', 'update a set c = 2'] });
    const { after, before, forwards } = await run(operation);
    assert.deepEqual([...after.models.keys()], [...before.models.keys()]);
    assert.deepEqual(forwards, ['execute update a set b = 1', 'execute update a set c = 2']);
    assert.equal(operation.reversible, false);
    assert.equal(operation.describe(), 'Run SQL: update a set b = 1 (+1 more)');
    await assert.rejects(
      operation.databaseBackwards(new RecordingEditor()),
      /cannot be undone: it has no backward/,
    );
  });

  test('runSql with a backward undoes; an empty backward is a reversible no-op', async () => {
    const { backwards } = await run(
      op.runSql({ forward: 'update a set b = 1', backward: 'update a set b = 0' }),
    );
    assert.deepEqual(backwards, ['execute update a set b = 0']);
    assert.equal(op.runSql({ forward: 'select 1', backward: [] }).reversible, true);
    assert.throws(() => op.runSql({ forward: '' }), /forward must be SQL text/);
  });

  test('runCode gets the transaction and the historical models of its point in the history', async () => {
    const seen: string[] = [];
    const operation = op.runCode({
      forward: async ({ models }) => {
        seen.push(models.model('library.Book').meta.fieldNames.join(','));
      },
    });
    await run(operation);
    assert.deepEqual(seen, ['id,title,author']);
    assert.equal(operation.reversible, false);
    assert.equal(op.runCode({ forward: async () => {}, backward: async () => {} }).reversible, true);
    assert.throws(() => op.runCode({} as never), /takes \{ forward, backward\? \}/);
  });
});

test('op builders check their arguments and name the mistake', () => {
  assert.throws(
    () => op.deleteModel('Book'),
    (error: Error) => error instanceof OperationError && /write 'app\.Model'/.test(error.message),
  );
  assert.throws(() => op.addField('library.Book', 'my-field', f.text()), /is not a field name/);
  assert.throws(() => op.addField('library.Book', 'x', 'text' as never), /must be built with f/);
  assert.throws(() => op.createModel('library.Book', {}, { tabel: 'x' } as never), /unknown option 'tabel'/);
});
