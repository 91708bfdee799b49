/**
 * Migrations and symmetrical many-to-manys: no schema change, an explicit `symmetrical` in what
 * makemigrations writes, a migration written before (no `symmetrical`) read as one-way, and a
 * one-way relation becoming symmetrical only when confirmed, its links then mirrored.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import type { AnyField } from '../../../src/orm/fields/field.ts';
import { f } from '../../../src/orm/fields/index.ts';
import type { RelationField } from '../../../src/orm/fields/relation.ts';
import { detectChanges } from '../../../src/orm/migrations/autodetector.ts';
import { deconstruct } from '../../../src/orm/migrations/deconstruct.ts';
import { migrate } from '../../../src/orm/migrations/executor.ts';
import { op } from '../../../src/orm/migrations/operations/index.ts';
import {
  InteractiveQuestioner,
  MissingAnswerError,
  NonInteractiveQuestioner,
  type Questioner,
} from '../../../src/orm/migrations/questioner.ts';
import { ProjectState } from '../../../src/orm/migrations/state.ts';
import type { LoadedMigration } from '../../../src/orm/migrations/types.ts';
import { writeMigration } from '../../../src/orm/migrations/writer.ts';
import { model } from '../../../src/orm/model.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';
import { loaded } from './fixtures/library.ts';

/** The state of `club.Person` with these relations, as the models declare them. */
function modelsWith(relations: Record<string, AnyField>): ProjectState {
  const registry = createRegistry();
  model('club.Person', { name: f.string({ maxLength: 20 }), ...relations }, { registry });
  return ProjectState.fromModels(registry.all());
}

/** A history whose first migration creates `club.Person` with these relations. */
function historyWith(relations: Record<string, AnyField>): LoadedMigration[] {
  return [
    loaded('club/0001_initial', {
      operations: [op.createModel('club.Person', { name: f.string({ maxLength: 20 }), ...relations })],
    }),
  ];
}

/** Answers yes or no to making a relation symmetrical, and records the questions. */
class Answering implements Questioner {
  readonly asked: string[] = [];
  readonly #yes: boolean;
  constructor(yes: boolean) {
    this.#yes = yes;
  }
  async askRenameModel(): Promise<boolean> {
    return false;
  }
  async askRenameField(): Promise<boolean> {
    return false;
  }
  async askAddDefault(): Promise<unknown> {
    throw new Error('unexpected question');
  }
  async askSymmetrical(label: string, name: string, through: string | undefined): Promise<boolean> {
    this.asked.push(`${label}.${name}${through ? ` through ${through}` : ''}`);
    return this.#yes;
  }
}

async function described(from: ProjectState, to: ProjectState, questioner: Questioner) {
  const changes = await detectChanges(from, to, questioner);
  return (changes.get('club') ?? []).map((o) => o.describe());
}

test('makemigrations writes symmetrical explicitly for a many-to-many to its own model', () => {
  const registry = createRegistry();
  const Person = model(
    'club.Person',
    {
      friends: f.manyToMany('self'),
      follows: f.manyToMany('self', { symmetrical: false, relatedName: 'followers' }),
    },
    { registry },
  );
  assert.deepEqual(deconstruct(Person.meta.field('friends')), {
    builder: 'manyToMany',
    args: ['club.Person', { symmetrical: true }],
  });
  assert.deepEqual(deconstruct(Person.meta.field('follows')).args, [
    'club.Person',
    { symmetrical: false, relatedName: 'followers' },
  ]);
  // To another model it says nothing.
  assert.deepEqual(deconstruct(f.manyToMany('club.Tag'), 'club.Person').args, ['club.Tag']);
  const text = writeMigration({
    operations: [op.createModel('club.Person', { friends: Person.meta.field('friends') })],
  });
  assert.match(text, /friends: f\.manyToMany\('club\.Person', \{ symmetrical: true \}\)/);
});

test('a migration written before (without symmetrical) describes a one-way relation', () => {
  const state = ProjectState.fromMigrations(
    historyWith({
      friends: f.manyToMany('club.Person'),
      follows: f.manyToMany('club.Person', { relatedName: 'followers' }),
    }),
  );
  const fields = state.modelState('club.Person').fields;
  assert.equal(fields.get('friends')!.declaredOptions.symmetrical, false);
  // Its reverse name still means something: the historical model builds, with its reverse side.
  const Person = state.model('club.Person');
  assert.equal((Person.meta.field('follows') as RelationField).symmetrical, false);
  assert.deepEqual(
    Person.meta.reverseRelations.map((r) => r.name),
    ['personSet', 'followers'],
  );
});

test('unchanged models of a migration written before: one-way made symmetrical needs a yes', async () => {
  const from = ProjectState.fromMigrations(historyWith({ friends: f.manyToMany('club.Person') }));
  const to = modelsWith({ friends: f.manyToMany('self') });
  await assert.rejects(detectChanges(from, to, new NonInteractiveQuestioner()), (error) => {
    assert.ok(error instanceof MissingAnswerError);
    assert.match(error.message, /club\.Person\.friends is a many-to-many to its own model/);
    assert.match(error.message, /add symmetrical: false to the field \(no migration is needed\)/);
    assert.match(error.message, /run makemigrations in a terminal and confirm/);
    return true;
  });
  const no = new Answering(false);
  await assert.rejects(detectChanges(from, to, no), MissingAnswerError);
  assert.deepEqual(no.asked, ['club.Person.friends']);
  const [alter, mirror, ...rest] = await described(from, to, new Answering(true));
  assert.equal(alter, 'Alter field friends on club.Person');
  assert.match(mirror!, /^Run SQL: insert into "club_person_friends" \("from_person_id", /);
  assert.deepEqual(rest, []);
});

test('symmetrical: false keeps a relation of a migration written before as it was: no migration', async () => {
  const from = ProjectState.fromMigrations(
    historyWith({
      friends: f.manyToMany('club.Person'),
      follows: f.manyToMany('club.Person', { relatedName: 'followers' }),
    }),
  );
  const to = modelsWith({
    friends: f.manyToMany('self', { symmetrical: false }),
    follows: f.manyToMany('self', { symmetrical: false, relatedName: 'followers' }),
  });
  assert.deepEqual(await described(from, to, new NonInteractiveQuestioner()), []);
});

test('symmetrical made one-way is a plain change; a new symmetrical relation asks nothing', async () => {
  const symmetrical = modelsWith({ friends: f.manyToMany('self') });
  const oneWay = modelsWith({ friends: f.manyToMany('self', { symmetrical: false }) });
  const quiet = new NonInteractiveQuestioner();
  assert.deepEqual(await described(symmetrical, oneWay, quiet), ['Alter field friends on club.Person']);
  assert.deepEqual(await described(modelsWith({}), symmetrical, quiet), ['Add field friends to club.Person']);
  assert.deepEqual(await described(symmetrical, symmetrical, quiet), []);
});

test('through a model, the migration changes the field only: its rows are the user’s to mirror', async () => {
  const colleague = (registry: ReturnType<typeof createRegistry>) =>
    model(
      'club.Colleague',
      {
        first: f.foreignKey('club.Person', { onDelete: 'cascade', relatedName: 'firstMet' }),
        second: f.foreignKey('club.Person', { onDelete: 'cascade', relatedName: 'secondMet' }),
      },
      { registry },
    );
  const state = (symmetrical: boolean) => {
    const registry = createRegistry();
    model(
      'club.Person',
      { colleagues: f.manyToMany('self', { through: 'Colleague', symmetrical }) },
      { registry },
    );
    colleague(registry);
    return ProjectState.fromModels(registry.all());
  };
  const yes = new Answering(true);
  assert.deepEqual(await described(state(false), state(true), yes), [
    'Alter field colleagues on club.Person',
  ]);
  assert.deepEqual(yes.asked, ['club.Person.colleagues through club.Colleague']);
});

test('the terminal question explains both choices', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  const questioner = new InteractiveQuestioner({ input, output });
  const answer = questioner.askSymmetrical('club.Person', 'friends', undefined);
  input.write('y\n');
  assert.equal(await answer, true);
  assert.match(printed, /club\.Person\.friends is a many-to-many to its own model/);
  assert.match(printed, /adds the missing row back of each existing link/);
  assert.match(printed, /add symmetrical: false to keep it one-way/);
  const refused = questioner.askSymmetrical('club.Person', 'friends', 'club.Colleague');
  input.write('\n');
  assert.equal(await refused, false);
  assert.match(printed, /club\.Colleague rows, which this migration does not mirror/);
});

forEachDialect((_dialect, open) => {
  async function opened(t: { after: (fn: () => Promise<void>) => void }): Promise<Database> {
    const db = await open();
    t.after(() => db.close());
    return db;
  }

  test('the confirmed migration gives each existing link its row back, once', async (t) => {
    const db = await opened(t);
    const history = historyWith({ friends: f.manyToMany('club.Person') });
    await migrate(db, history);
    const from = ProjectState.fromMigrations(history);
    const Old = from.model('club.Person');
    const [ann, ben, cat] = await query(db, Old).bulkCreate([
      { name: 'Ann' },
      { name: 'Ben' },
      { name: 'Cat' },
    ]);
    // One way, as before: Ann → Ben, Ann → Cat, Cat → Ann (already both ways), Ben → Ben.
    await query(db, Old).related(ann!, 'friends', Old).add(ben!, cat!);
    await query(db, Old).related(cat!, 'friends', Old).add(ann!);
    await query(db, Old).related(ben!, 'friends', Old).add(ben!);

    const changes = await detectChanges(
      from,
      modelsWith({ friends: f.manyToMany('self') }),
      new Answering(true),
    );
    const next = [
      ...history,
      loaded('club/0002_symmetrical', {
        dependencies: ['club/0001_initial'],
        operations: changes.get('club')!,
      }),
    ];
    await migrate(db, next);
    const New = ProjectState.fromMigrations(next).model('club.Person');
    const friendsOf = async (row: { id: number }) =>
      (await query(db, New).related(row.id, 'friends', New).all()).map((p) => p.name).sort();
    assert.deepEqual(await friendsOf(ann!), ['Ben', 'Cat']);
    assert.deepEqual(await friendsOf(ben!), ['Ann', 'Ben']);
    assert.deepEqual(await friendsOf(cat!), ['Ann']);
    const rows = await db.all<{ n: number | string }>('select count(*) as n from club_person_friends');
    assert.equal(Number(rows[0]!.n), 5);
    // Back to one-way: the schema and the rows stay.
    await migrate(db, next, { target: 'club/0001_initial' });
    const again = await db.all<{ n: number | string }>('select count(*) as n from club_person_friends');
    assert.equal(Number(again[0]!.n), 5);
  });
});
