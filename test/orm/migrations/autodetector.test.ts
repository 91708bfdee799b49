/**
 * The autodetector: the operations between two states, in an order the database can apply,
 * the questions it asks, and the migrations planned from them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AnyField,
  createRegistry,
  f,
  type ModelOptions,
  model,
  ProjectState,
} from '../../../src/orm/index.ts';
import {
  detectChanges,
  MigrationPlanError,
  MissingAnswerError,
  NonInteractiveQuestioner,
  parseRenames,
  planMigrations,
  type Questioner,
} from '../../../src/orm/migrations/index.ts';
import type { CreateModel } from '../../../src/orm/migrations/operations/models.ts';
import type { LoadedMigration, ModelStateOptions } from '../../../src/orm/migrations/types.ts';

type Spec = Record<string, [Record<string, AnyField>, ModelStateOptions?]>;

/** The state of models declared by `spec` in a registry of their own. */
function state(spec: Spec): ProjectState {
  const registry = createRegistry();
  for (const [label, [fields, options]] of Object.entries(spec))
    model(label, fields, { ...options, registry } as ModelOptions);
  return ProjectState.fromModels(registry.all());
}

/** Answers from a script, and records the questions. */
class ScriptedQuestioner implements Questioner {
  readonly asked: string[] = [];
  readonly answers: { rename?: boolean; value?: unknown };
  constructor(answers: { rename?: boolean; value?: unknown } = {}) {
    this.answers = answers;
  }
  async askRenameModel(from: string, to: string): Promise<boolean> {
    this.asked.push(`rename model ${from} -> ${to}`);
    return this.answers.rename ?? false;
  }
  async askRenameField(label: string, from: string, to: string): Promise<boolean> {
    this.asked.push(`rename field ${label}.${from} -> ${to}`);
    return this.answers.rename ?? false;
  }
  async askAddDefault(label: string, name: string): Promise<unknown> {
    this.asked.push(`default ${label}.${name}`);
    if (!('value' in this.answers)) throw new Error('unexpected question');
    return this.answers.value;
  }
}

/** Each operation described, per app. */
async function diff(from: ProjectState, to: ProjectState, questioner: Questioner = new ScriptedQuestioner()) {
  const changes = await detectChanges(from, to, questioner);
  return Object.fromEntries([...changes].map(([app, ops]) => [app, ops.map((o) => o.describe())]));
}

const author = { name: f.string({ maxLength: 100 }) };
const book = {
  title: f.string({ maxLength: 200 }),
  author: f.foreignKey('library.Author', { onDelete: 'cascade' }),
};
const library: Spec = { 'library.Author': [author], 'library.Book': [book] };

describe('detectChanges', () => {
  test('no changes: nothing', async () => {
    assert.deepEqual(await diff(state(library), state(library)), {});
  });

  test('new models are created after the models their foreign keys need', async () => {
    const to = state({ 'library.Book': [book], 'library.Author': [author] });
    assert.deepEqual(await diff(ProjectState.empty(), to), {
      library: ['Create model library.Author', 'Create model library.Book'],
    });
  });

  test('two new models pointing at each other: one foreign key is added after both exist', async () => {
    const to = state({
      'library.Author': [
        { ...author, favourite: f.foreignKey('library.Book', { onDelete: 'setNull', nullable: true }) },
      ],
      'library.Book': [book],
    });
    assert.deepEqual(await diff(ProjectState.empty(), to), {
      library: [
        'Create model library.Author',
        'Create model library.Book',
        'Add field favourite to library.Author',
      ],
    });
  });

  test('a many-to-many to a new model waits for it; one added to a model that stays is a field', async () => {
    const withTags: Spec = {
      'library.Book': [{ ...book, tags: f.manyToMany('library.Tag') }],
      'library.Author': [author],
      'library.Tag': [{ name: f.slug() }],
    };
    assert.deepEqual(await diff(ProjectState.empty(), state(withTags)), {
      library: ['Create model library.Author', 'Create model library.Tag', 'Create model library.Book'],
    });
    const before = state({ ...library, 'library.Tag': [{ name: f.slug() }] });
    assert.deepEqual(await diff(before, state(withTags)), { library: ['Add field tags to library.Book'] });
  });

  test('a deleted model: fields pointing at it go first, then the models, the pointing one first', async () => {
    const from = state({
      ...library,
      'library.Review': [{ book: f.foreignKey('library.Book', { onDelete: 'cascade' }) }],
    });
    const to = state({ 'library.Author': [author], 'library.Review': [{}] });
    assert.deepEqual(await diff(from, to), {
      library: ['Remove field book from library.Review', 'Delete model library.Book'],
    });
    const fromBoth = state(library);
    assert.deepEqual(await diff(fromBoth, ProjectState.empty()), {
      library: ['Delete model library.Book', 'Delete model library.Author'],
    });
  });

  test('a new nullable field is added without a question', async () => {
    const questioner = new ScriptedQuestioner();
    const to = state({
      ...library,
      'library.Book': [{ ...book, isbn: f.string({ maxLength: 13, nullable: true }) }],
    });
    assert.deepEqual(await diff(state(library), to, questioner), {
      library: ['Add field isbn to library.Book'],
    });
    assert.deepEqual(questioner.asked, []);
  });

  test('a new required field without a default asks for a one-off value', async () => {
    const questioner = new ScriptedQuestioner({ value: 'unknown' });
    const to = state({ ...library, 'library.Book': [{ ...book, isbn: f.string({ maxLength: 13 }) }] });
    const changes = await detectChanges(state(library), to, questioner);
    assert.deepEqual(questioner.asked, ['default library.Book.isbn']);
    const [operation] = changes.get('library')!;
    assert.deepEqual(operation!.args.slice(1, 2), ['isbn']);
    assert.equal((operation!.args[2] as AnyField).default, 'unknown');
    assert.deepEqual(operation!.args[3], { preserveDefault: false });
  });

  test('non-interactively, a new required field is an error naming the field and the fixes', async () => {
    const to = state({ ...library, 'library.Book': [{ ...book, isbn: f.string({ maxLength: 13 }) }] });
    await assert.rejects(
      detectChanges(state(library), to, new NonInteractiveQuestioner()),
      (error: Error) =>
        error instanceof MissingAnswerError &&
        error.message.includes("non-nullable field 'isbn' to library.Book") &&
        error.message.includes('default') &&
        error.message.includes('nullable: true'),
    );
  });

  test('a removed field', async () => {
    const to = state({ ...library, 'library.Book': [{ author: book.author }] });
    assert.deepEqual(await diff(state(library), to), { library: ['Remove field title from library.Book'] });
  });

  test('an altered field', async () => {
    const to = state({ ...library, 'library.Book': [{ ...book, title: f.string({ maxLength: 300 }) }] });
    assert.deepEqual(await diff(state(library), to), { library: ['Alter field title on library.Book'] });
  });

  test('a field removed and one declared alike added: a rename when the answer is yes', async () => {
    const to = state({ ...library, 'library.Book': [{ name: book.title, author: book.author }] });
    const yes = new ScriptedQuestioner({ rename: true });
    assert.deepEqual(await diff(state(library), to, yes), {
      library: ['Rename field title on library.Book to name'],
    });
    assert.deepEqual(yes.asked, ['rename field library.Book.title -> name']);
    const no = new ScriptedQuestioner({ rename: false, value: '' });
    assert.deepEqual(await diff(state(library), to, no), {
      library: ['Remove field title from library.Book', 'Add field name to library.Book'],
    });
  });

  test('fields declared differently are not a rename candidate', async () => {
    const questioner = new ScriptedQuestioner({ rename: true });
    const to = state({
      ...library,
      'library.Book': [{ name: f.string({ maxLength: 10, default: '' }), author: book.author }],
    });
    await diff(state(library), to, questioner);
    assert.deepEqual(questioner.asked, []);
  });

  test('a renamed field that keeps its column: a rename, then the column name is altered', async () => {
    const to = state({
      ...library,
      'library.Book': [{ name: f.string({ maxLength: 200, dbColumn: 'title' }), author: book.author }],
    });
    assert.deepEqual(await diff(state(library), to, new ScriptedQuestioner({ rename: true })), {
      library: ['Rename field title on library.Book to name', 'Alter field name on library.Book'],
    });
  });

  test('a model removed and one with the same fields added: a rename when the answer is yes', async () => {
    const to = state({
      'library.Writer': [author],
      'library.Book': [{ ...book, author: f.foreignKey('library.Writer', { onDelete: 'cascade' }) }],
    });
    const yes = new ScriptedQuestioner({ rename: true });
    assert.deepEqual(await diff(state(library), to, yes), {
      library: ['Rename model library.Author to library.Writer'],
    });
    assert.deepEqual(yes.asked, ['rename model library.Author -> library.Writer']);
    assert.deepEqual(await diff(state(library), to, new ScriptedQuestioner({ rename: false })), {
      library: [
        'Create model library.Writer',
        'Alter field author on library.Book',
        'Delete model library.Author',
      ].sort((a, b) => order(a) - order(b)),
    });
  });

  test('indexes: a new, a removed and a changed one (removed before added)', async () => {
    const from = state({
      ...library,
      'library.Book': [book, { indexes: [{ fields: ['title'] }, { name: 'by_author', fields: ['author'] }] }],
    });
    const to = state({
      ...library,
      'library.Book': [
        book,
        {
          indexes: [
            { name: 'by_author', fields: ['author', 'title'] },
            { name: 'by_title_desc', fields: ['-title'] },
          ],
        },
      ],
    });
    assert.deepEqual(await diff(from, to), {
      library: [
        'Remove index library_book_title_idx from library.Book',
        'Remove index by_author from library.Book',
        'Create index by_author on library.Book (author, title)',
        'Create index by_title_desc on library.Book (-title)',
      ],
    });
  });

  test('checks and uniqueTogether', async () => {
    const check = { name: 'title_set', where: { title: { ne: '' } } };
    const from = state({ ...library, 'library.Book': [book] });
    const to = state({
      ...library,
      'library.Book': [book, { checks: [check], uniqueTogether: [['author', 'title']] }],
    });
    assert.deepEqual(await diff(from, to), {
      library: [
        'Alter uniqueTogether of library.Book: (author, title)',
        'Create check title_set on library.Book',
      ],
    });
    assert.deepEqual(await diff(to, from), {
      library: ['Remove check title_set from library.Book', 'Alter uniqueTogether of library.Book: none'],
    });
  });

  test('a unique-together set naming a removed field is dropped before the field', async () => {
    const from = state({ ...library, 'library.Book': [book, { uniqueTogether: [['author', 'title']] }] });
    const to = state({ ...library, 'library.Book': [{ author: book.author }] });
    assert.deepEqual(await diff(from, to), {
      library: ['Alter uniqueTogether of library.Book: none', 'Remove field title from library.Book'],
    });
  });

  test('options only: ordering and names, and the table', async () => {
    const to = state({
      ...library,
      'library.Book': [book, { ordering: ['-title'], verboseName: 'volume', table: 'books' }],
    });
    assert.deepEqual(await diff(state(library), to), {
      library: ['Rename the table of library.Book to books', 'Change the options of library.Book'],
    });
  });

  test('a new model ordered or indexed by its auto id is one createModel with those options', async () => {
    const to = state({
      ...library,
      'library.Loan': [{ book: book.author }, { ordering: ['-id'], indexes: [{ fields: ['book', 'id'] }] }],
    });
    const changes = await detectChanges(state(library), to, new ScriptedQuestioner());
    const ops = changes.get('library') ?? [];
    assert.deepEqual(
      ops.map((o) => o.describe()),
      ['Create model library.Loan'],
    );
    assert.deepEqual((ops[0] as CreateModel).options.ordering, ['-id']);
    // Ordering a model that stays by its id is one change of its options.
    const reordered = state({ ...library, 'library.Book': [book, { ordering: ['id'] }] });
    assert.deepEqual(await diff(state(library), reordered), {
      library: ['Change the options of library.Book'],
    });
  });

  test('changes are grouped per app; apps limits them', async () => {
    const to = state({
      ...library,
      'shop.Order': [{ book: f.foreignKey('library.Book', { onDelete: 'protect' }) }],
    });
    const from = state({});
    assert.deepEqual(Object.keys(await diff(from, to)), ['library', 'shop']);
    const only = await detectChanges(from, to, new ScriptedQuestioner(), { apps: ['shop'] });
    assert.deepEqual([...only.keys()], ['shop']);
  });
});

/** The order the autodetector emits kinds of operations in (for the no-rename case). */
function order(description: string): number {
  return (
    ['Create model', 'Delete model', 'Alter field'].findIndex((prefix) => description.startsWith(prefix)) +
      1 || 9
  );
}

function existing(id: `${string}/${string}`, dependencies: `${string}/${string}`[] = []): LoadedMigration {
  const [app, name] = id.split('/') as [string, string];
  return { id, app, name, file: `${id}.ts`, dependencies, operations: [] };
}

describe('planMigrations', () => {
  test('an app first migration is 0001_initial; later ones are named after their operations', async () => {
    const first = planMigrations(
      await detectChanges(ProjectState.empty(), state(library), new ScriptedQuestioner()),
      [],
    );
    assert.deepEqual(
      first.map((m) => m.id),
      ['library/0001_initial'],
    );
    assert.deepEqual(first[0]!.dependencies, []);

    const to = state({
      ...library,
      'library.Book': [{ ...book, isbn: f.string({ maxLength: 13, default: '' }) }],
    });
    const changes = await detectChanges(state(library), to, new ScriptedQuestioner());
    const [next] = planMigrations(changes, [existing('library/0001_initial')]);
    assert.equal(next!.id, 'library/0002_add_book_isbn');
    assert.deepEqual(next!.dependencies, ['library/0001_initial']);
  });

  test('a rename is named after it; --name overrides; a bad name is refused', async () => {
    const to = state({ ...library, 'library.Book': [{ name: book.title, author: book.author }] });
    const changes = await detectChanges(state(library), to, new ScriptedQuestioner({ rename: true }));
    const done = [existing('library/0001_initial'), existing('library/0002_x', ['library/0001_initial'])];
    assert.equal(planMigrations(changes, done)[0]!.id, 'library/0003_rename_book_title_name');
    assert.equal(planMigrations(changes, done, { name: 'rename_title' })[0]!.id, 'library/0003_rename_title');
    assert.throws(() => planMigrations(changes, done, { name: 'Bad Name' }), MigrationPlanError);
  });

  test('many operations: a date name', async () => {
    const to = state({
      ...library,
      'library.Book': [
        {
          ...book,
          isbn: f.text({ nullable: true }),
          subtitle: f.text({ nullable: true }),
          pages: f.integer({ nullable: true }),
          publishedOn: f.date({ nullable: true }),
        },
      ],
    });
    const changes = await detectChanges(state(library), to, new ScriptedQuestioner());
    const [planned] = planMigrations(changes, [existing('library/0001_initial')], {
      now: new Date('2026-11-25T16:30:00Z'),
    });
    assert.equal(planned!.id, 'library/0002_auto_20261125_1630');
  });

  test('a relation to another app depends on its new migration, or on its latest', async () => {
    const order = {
      'shop.Order': [{ book: f.foreignKey('library.Book', { onDelete: 'protect' }) }],
    } satisfies Spec;
    const both = planMigrations(
      await detectChanges(ProjectState.empty(), state({ ...library, ...order }), new ScriptedQuestioner()),
      [],
    );
    assert.deepEqual(
      both.map((m) => [m.id, m.dependencies]),
      [
        ['library/0001_initial', []],
        ['shop/0001_initial', ['library/0001_initial']],
      ],
    );
    const shopOnly = planMigrations(
      await detectChanges(state(library), state({ ...library, ...order }), new ScriptedQuestioner()),
      [existing('library/0001_initial'), existing('library/0002_more', ['library/0001_initial'])],
    );
    assert.deepEqual(shopOnly[0]!.dependencies, ['library/0002_more']);
    await assert.rejects(
      async () =>
        planMigrations(
          await detectChanges(state(library), state({ ...library, ...order }), new ScriptedQuestioner()),
          [],
        ),
      /the app library has no migrations yet: run makemigrations library first/,
    );
  });
});

test('parseRenames reads fields and models, comma-separated, and names the format on a mistake', () => {
  assert.deepEqual(parseRenames(['library.Book.title=name,library.Author=Writer']), [
    { kind: 'field', label: 'library.Book', from: 'title', to: 'name' },
    { kind: 'model', from: 'library.Author', to: 'library.Writer' },
  ]);
  assert.throws(
    () => parseRenames(['title=name']),
    /write library\.Book\.title=name for a field or library\.Book=Novel for a model/,
  );
  assert.throws(() => parseRenames(['library.Book=shop.Book']), /only be renamed within its app/);
});

test('a non-interactive questioner accepts exactly the renames it was given', async () => {
  const questioner = new NonInteractiveQuestioner(parseRenames(['library.Book.title=name']));
  assert.equal(await questioner.askRenameField('library.Book', 'title', 'name'), true);
  assert.equal(await questioner.askRenameField('library.Book', 'title', 'label'), false);
  assert.equal(await questioner.askRenameModel('library.Book', 'library.Novel'), false);
});
