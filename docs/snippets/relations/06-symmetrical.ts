import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, query } from 'voltjs/orm';

const Person = model(
  'club.Person',
  {
    name: f.string({ maxLength: 50 }),
    // To its own model: symmetrical, as Django's ManyToManyField('self').
    friends: f.manyToMany('self'),
    // One way, with a reverse side.
    follows: f.manyToMany('self', { symmetrical: false, relatedName: 'followers' }),
  },
  { ordering: ['name'] },
);

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const club = defineApp({ name: 'club', models: [Person] });
const app = volt({ database: 'sqlite::memory:', apps: [club] });
await app.ready();
const db = app.db;
await createTables(db, [Person]);
const [ann, ben, cat] = await query(db, Person).bulkCreate([
  { name: 'Ann' },
  { name: 'Ben' },
  { name: 'Cat' },
]);
const names = (rows: { name: string }[]) => rows.map((p) => p.name);

// Ann befriends Ben and Cat: they befriend her too (two rows of the join table per link).
assert.equal(await Person.rel.friends.of(db, ann!).add(ben!, cat!), 2);
assert.deepEqual(names(await Person.rel.friends.of(db, ben!).all()), ['Ann']);
// Unlinking from either end unlinks both.
assert.equal(await Person.rel.friends.of(db, cat!).remove(ann!), 1);
assert.deepEqual(names(await Person.rel.friends.of(db, ann!).all()), ['Ben']);
// No reverse side: friends of friends are friends.
assert.equal(Person.rel.friends.reverse, undefined);

// One way: Ann follows Cat; Cat does not follow Ann, she is followed by her.
await Person.rel.follows.of(db, ann!).add(cat!);
assert.deepEqual(names(await Person.rel.follows.of(db, cat!).all()), []);
assert.deepEqual(names(await Person.rel.followers.of(db, cat!).all()), ['Ann']);

const people = await query(db, Person).prefetchRelated(Person.rel.friends).all();
assert.deepEqual(
  people.map((p) => [p.name, names(p.friends)]),
  [
    ['Ann', ['Ben']],
    ['Ben', ['Ann']],
    ['Cat', []],
  ],
);

await app.close(); // and its database with it
