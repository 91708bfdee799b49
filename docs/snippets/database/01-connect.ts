import assert from 'node:assert/strict';
import { volt } from 'voltjs';
import { UniqueViolationError } from 'voltjs/orm';

// The app opens its database when it starts: app.db from then on, ctx.db in a route.
const app = volt({ database: 'sqlite::memory:' });
await app.ready();
const db = app.db;
await db.run('create table notes (id integer primary key, title text not null unique)');

// Values always travel as parameters: this title is stored as it is, never run as SQL.
const title = "Hi'); drop table notes; --";
const { lastInsertId } = await db.run('insert into notes (title) values (?)', [title]);
assert.deepEqual(await db.get('select title from notes where id = ?', [lastInsertId]), { title });

// A transaction commits when its function returns and rolls back when it throws.
await assert.rejects(
  db.transaction(async (tx) => {
    await tx.run('insert into notes (title) values (?)', ['draft']);
    throw new Error('changed my mind');
  }),
  /changed my mind/,
);
assert.equal((await db.all('select * from notes')).length, 1);

// Constraint violations arrive as typed errors, whatever the database.
await assert.rejects(db.run('insert into notes (title) values (?)', [title]), UniqueViolationError);

await app.close(); // closes the database too
