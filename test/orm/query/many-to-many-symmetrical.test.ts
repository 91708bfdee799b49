/**
 * A many-to-many to the model itself is symmetrical unless declared `symmetrical: false`, as
 * Django's `ManyToManyField('self')`: Django's tests/m2m_recursive, ported (friends through the
 * auto join table, colleagues through a model, idols one way with a reverse side), and what Volt
 * adds (counts, no reverse side, deletion, rows linked one way before).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { ModelDefinitionError } from '../../../src/orm/fields/field.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { type AnyModel, model } from '../../../src/orm/model.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import type { Row } from '../../../src/orm/types.ts';
import { count, forEachDialect } from '../support.ts';

function club() {
  const registry = createRegistry();
  const Person = model(
    'club.Person',
    {
      name: f.string({ maxLength: 20 }),
      friends: f.manyToMany('self'),
      colleagues: f.manyToMany('self', { through: 'Colleague' }),
      idols: f.manyToMany('self', { symmetrical: false, relatedName: 'stalkers' }),
    },
    { registry, ordering: ['name'] },
  );
  const Colleague = model(
    'club.Colleague',
    {
      first: f.foreignKey(() => Person, { onDelete: 'cascade', relatedName: 'firstMet' }),
      second: f.foreignKey(() => Person, { onDelete: 'cascade', relatedName: 'secondMet' }),
      firstMeet: f.date(),
    },
    { registry },
  );
  return { Person, Colleague };
}

type Person = Row<ReturnType<typeof club>['Person']>;

/** Anne, Bill, Chuck and David; Anne befriends Bill and Chuck, David befriends Anne and Chuck. */
async function setup(db: Database) {
  const { Person, Colleague } = club();
  await createTables(db, [Person, Colleague]);
  const [a, b, c, d] = (await query(db, Person).bulkCreate([
    { name: 'Anne' },
    { name: 'Bill' },
    { name: 'Chuck' },
    { name: 'David' },
  ])) as [Person, Person, Person, Person];
  const people = query(db, Person);
  await people.related(a, 'friends', Person).add(b, c);
  // Anne and Chuck added from the other direction.
  await people.related(d, 'friends', Person).add(a, c);
  const friends = (p: Person) => people.related(p, 'friends', Person);
  const colleagues = (p: Person, firstMeet = '2013-01-05') =>
    people.related(p, 'colleagues', Person, { throughDefaults: { firstMeet } });
  const idols = (p: Person) => people.related(p, 'idols', Person);
  const stalkers = (p: Person) => people.related(p, 'stalkers', Person);
  return { Person, Colleague, a, b, c, d, friends, colleagues, idols, stalkers };
}

const names = async (manager: { all(): Promise<{ name: string }[]> }) =>
  (await manager.all()).map((p) => p.name);

forEachDialect((_dialect, open) => {
  async function opened(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await setup(db)) };
  }

  // --- Django's RecursiveM2MTests ---------------------------------------------------------------

  test('recursive m2m all: adding a friend links both ways', async (t) => {
    const { a, b, c, d, friends } = await opened(t);
    for (const [person, expected] of [
      [a, ['Bill', 'Chuck', 'David']],
      [b, ['Anne']],
      [c, ['Anne', 'David']],
      [d, ['Anne', 'Chuck']],
    ] as const)
      assert.deepEqual(await names(friends(person)), expected, person.name);
  });

  test('recursive m2m reverse add: adding a link both ends have is no change', async (t) => {
    const { a, b, friends } = await opened(t);
    assert.equal(await friends(b).add(a), 0);
    assert.deepEqual(await names(friends(a)), ['Bill', 'Chuck', 'David']);
    assert.deepEqual(await names(friends(b)), ['Anne']);
  });

  test('recursive m2m remove: removing a friend unlinks both ways', async (t) => {
    const { a, b, friends } = await opened(t);
    assert.equal(await friends(b).remove(a), 1);
    assert.deepEqual(await names(friends(a)), ['Chuck', 'David']);
    assert.deepEqual(await names(friends(b)), []);
  });

  test('recursive m2m clear: the others lose their link back', async (t) => {
    const { a, c, d, friends } = await opened(t);
    assert.equal(await friends(a).clear(), 3);
    assert.deepEqual(await names(friends(a)), []);
    assert.deepEqual(await names(friends(c)), ['David']);
    assert.deepEqual(await names(friends(d)), ['Chuck']);
  });

  test('recursive m2m add via related name: a one-way relation links one way', async (t) => {
    const { a, d, idols, stalkers } = await opened(t);
    await stalkers(d).add(a);
    assert.deepEqual(await names(idols(a)), ['David']);
    assert.deepEqual(await names(stalkers(a)), []);
  });

  test('recursive m2m add in both directions: one link', async (t) => {
    const { db, Person, a, d, idols, stalkers } = await opened(t);
    assert.equal(await idols(a).add(d), 1);
    assert.equal(await stalkers(d).add(a), 0);
    assert.deepEqual(await names(idols(a)), ['David']);
    assert.equal(await count(db, Person.meta.relation('idols').throughTable!), 1);
  });

  test('recursive m2m related to self: a one-way link to oneself reads from both sides', async (t) => {
    const { a, idols, stalkers } = await opened(t);
    await idols(a).add(a);
    assert.deepEqual(await names(idols(a)), ['Anne']);
    assert.deepEqual(await names(stalkers(a)), ['Anne']);
  });

  // --- Django's RecursiveSymmetricalM2MThroughTests -------------------------------------------

  async function withColleagues(t: { after: (fn: () => Promise<void>) => void }) {
    const opened_ = await opened(t);
    const { a, b, c, d, colleagues } = opened_;
    await colleagues(a).add(b, c);
    await colleagues(d, '2015-06-15').add(a, c);
    return opened_;
  }

  test('through a model: recursive m2m all', async (t) => {
    const { db, Colleague, a, b, c, d, colleagues } = await withColleagues(t);
    for (const [person, expected] of [
      [a, ['Bill', 'Chuck', 'David']],
      [b, ['Anne']],
      [c, ['Anne', 'David']],
      [d, ['Anne', 'Chuck']],
    ] as const)
      assert.deepEqual(await names(colleagues(person)), expected, person.name);
    // Two rows per link, each with the through defaults of the add that made it.
    assert.equal(await query(db, Colleague).count(), 8);
    assert.deepEqual(
      await query(db, Colleague)
        .filter({ firstId: c.id })
        .orderBy('secondId')
        .values('secondId', 'firstMeet'),
      [
        { secondId: a.id, firstMeet: '2013-01-05' },
        { secondId: d.id, firstMeet: '2015-06-15' },
      ],
    );
  });

  test('through a model: recursive m2m reverse add', async (t) => {
    const { a, b, colleagues } = await withColleagues(t);
    assert.equal(await colleagues(b).add(a), 0);
    assert.deepEqual(await names(colleagues(a)), ['Bill', 'Chuck', 'David']);
    assert.deepEqual(await names(colleagues(b)), ['Anne']);
  });

  test('through a model: recursive m2m remove', async (t) => {
    const { a, b, colleagues } = await withColleagues(t);
    assert.equal(await colleagues(b).remove(a), 1);
    assert.deepEqual(await names(colleagues(a)), ['Chuck', 'David']);
    assert.deepEqual(await names(colleagues(b)), []);
  });

  test('through a model: recursive m2m clear', async (t) => {
    const { a, c, d, colleagues, friends } = await withColleagues(t);
    await colleagues(a).clear();
    assert.deepEqual(await names(colleagues(a)), []);
    // Friends are another relation: untouched.
    assert.deepEqual(await names(friends(a)), ['Bill', 'Chuck', 'David']);
    assert.deepEqual(await names(colleagues(c)), ['David']);
    assert.deepEqual(await names(colleagues(d)), ['Chuck']);
  });

  test('through a model: recursive m2m set', async (t) => {
    const { a, b, c, d, colleagues } = await withColleagues(t);
    assert.deepEqual(await colleagues(c).set([b, d]), { added: 1, removed: 1 });
    assert.deepEqual(await names(colleagues(c)), ['Bill', 'David']);
    assert.deepEqual(await names(colleagues(a)), ['Bill', 'David']);
  });

  test('through a model: add without the required through fields is refused', async (t) => {
    const { Person, db, a, b } = await opened(t);
    await assert.rejects(query(db, Person).related(a, 'colleagues', Person).add(b), QueryError);
  });

  // --- Volt ------------------------------------------------------------------------------------

  test('set on the auto join table changes both directions', async (t) => {
    const { a, b, c, d, friends } = await opened(t);
    assert.deepEqual(await friends(c).set([b, d]), { added: 1, removed: 1 });
    assert.deepEqual(await names(friends(c)), ['Bill', 'David']);
    assert.deepEqual(await names(friends(a)), ['Bill', 'David']);
    assert.deepEqual(await names(friends(b)), ['Anne', 'Chuck']);
  });

  test('a symmetrical many-to-many has no reverse side', async (t) => {
    const { db, Person, a } = await opened(t);
    const reverse = Person.meta.reverseRelations.map((r) => r.name);
    assert.deepEqual(reverse.sort(), ['firstMet', 'secondMet', 'stalkers']);
    assert.throws(
      () => query(db, Person).related(a, 'personSet' as never, Person),
      /has no many-to-many "personSet"/,
    );
    assert.throws(() => query(db, Person).prefetchRelated('personSet' as never, Person), QueryError);
    assert.throws(() => query(db, Person).filter({ personSet__name: 'Anne' } as never), QueryError);
  });

  test('prefetching and filtering a symmetrical many-to-many see both directions', async (t) => {
    const { db, Person } = await opened(t);
    const people = await query(db, Person).prefetchRelated('friends', Person).all();
    assert.deepEqual(
      people.map((p) => [p.name, p.friends.map((x) => x.name)]),
      [
        ['Anne', ['Bill', 'Chuck', 'David']],
        ['Bill', ['Anne']],
        ['Chuck', ['Anne', 'David']],
        ['David', ['Anne', 'Chuck']],
      ],
    );
    const ofDavid = await query(db, Person).filter({ friends__name: 'David' }).values('name');
    assert.deepEqual(
      ofDavid.map((p) => p.name),
      ['Anne', 'Chuck'],
    );
  });

  test('deleting a row removes its links in both directions', async (t) => {
    const { db, Person, a, b, friends } = await opened(t);
    const table = Person.meta.relation('friends').throughTable!;
    assert.equal(await count(db, table), 8);
    assert.equal(await query(db, Person).filter({ id: a.id }).delete(), 1);
    assert.equal(await count(db, table), 2);
    assert.deepEqual(await names(friends(b)), []);
  });

  test('adding a friend linked one way only (rows written before) adds the row back', async (t) => {
    const { db, Person, b, c, friends } = await opened(t);
    const table = db.quoteIdentifier(Person.meta.relation('friends').throughTable!);
    const ph = (n: number) => (db.dialect === 'sqlite' ? '?' : `$${n}`);
    await db.run(`insert into ${table} (from_person_id, to_person_id) values (${ph(1)}, ${ph(2)})`, [
      b.id,
      c.id,
    ]);
    assert.deepEqual(await names(friends(c)), ['Anne', 'David']);
    assert.equal(await friends(b).add(c), 0, 'linked from b already');
    assert.deepEqual(await names(friends(c)), ['Anne', 'Bill', 'David']);
  });

  test('a symmetrical link to oneself is one row', async (t) => {
    const { db, Person, a, friends } = await opened(t);
    const table = Person.meta.relation('friends').throughTable!;
    const before = await count(db, table);
    assert.equal(await friends(a).add(a), 1);
    assert.equal(await count(db, table), before + 1);
    assert.equal(await friends(a).remove(a), 1);
    assert.equal(await count(db, table), before);
  });

  test('a missing source row links nothing, in either direction', async (t) => {
    const { db, Person, b } = await opened(t);
    await assert.rejects(query(db, Person).related(9999, 'friends', Person).add(b), (e) => {
      assert.match(String(e), /Person 9999 does not exist/);
      return true;
    });
    assert.deepEqual(await names(query(db, Person).related(b, 'friends', Person)), ['Anne']);
  });
});

test('relatedName on a symmetrical many-to-many is refused, naming the fix', () => {
  const registry = createRegistry();
  assert.throws(
    () => model('club.Person', { friends: f.manyToMany('self', { relatedName: 'friendOf' }) }, { registry }),
    (e) =>
      e instanceof ModelDefinitionError &&
      /club\.Person\.friends: .*symmetrical.*add symmetrical: false for a one-way relation whose reverse side is 'friendOf', or drop relatedName/.test(
        e.message,
      ),
  );
  // The same by label, in the same app or not.
  assert.throws(
    () => model('club.Member', { friends: f.manyToMany('Member', { relatedName: 'x' }) }, { registry }),
    ModelDefinitionError,
  );
  assert.throws(
    () => model('club.Guest', { friends: f.manyToMany('club.Guest', { relatedName: 'x' }) }, { registry }),
    ModelDefinitionError,
  );
  model(
    'club.Fan',
    { follows: f.manyToMany('self', { symmetrical: false, relatedName: 'fans' }) },
    { registry },
  );
});

test('symmetrical: true on a many-to-many to another model is refused', () => {
  const registry = createRegistry();
  model('club.Tag', { name: f.string({ maxLength: 10 }) }, { registry });
  assert.throws(
    () => model('club.Post', { tags: f.manyToMany('club.Tag', { symmetrical: true }) }, { registry }),
    /club\.Post\.tags: symmetrical: true needs a many-to-many to the model itself/,
  );
  assert.throws(() => f.manyToMany('self', { symmetrical: 'yes' as never }), /true or false/);
});

test('a target given by a function is checked on first use', () => {
  const registry = createRegistry();
  const Tag = model('club.Tag', { name: f.string({ maxLength: 10 }) }, { registry });
  const Post = model('club.Post', { tags: f.manyToMany(() => Tag, { symmetrical: true }) }, { registry });
  assert.throws(() => Post.meta.relation('tags').symmetrical, /symmetrical: true needs a many-to-many/);
  // A function returning the model itself is a many-to-many to itself: symmetrical.
  const Node: AnyModel = model('club.Node', { links: f.manyToMany((): AnyModel => Node) }, { registry });
  assert.equal(Node.meta.relation('links').symmetrical, true);
});
