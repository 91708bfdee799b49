/**
 * Many-to-many managers agree with themselves and refuse what is not theirs: a through row
 * whose target key went NULL is counted as it is listed (not at all), and a row of another
 * model is refused rather than linking whichever row shares its key.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';

function club() {
  const registry = createRegistry();
  const Person = model('club.Person', { name: f.string({ maxLength: 50 }) }, { registry });
  const Group = model(
    'club.Group',
    {
      name: f.string({ maxLength: 50 }),
      members: f.manyToMany('club.Person', { through: 'Membership', relatedName: 'groups' }),
    },
    { registry },
  );
  const Membership = model(
    'club.Membership',
    {
      group: f.foreignKey(() => Group, { onDelete: 'cascade' }),
      person: f.foreignKey(() => Person, { onDelete: 'setNull', nullable: true }),
    },
    { registry },
  );
  return { Person, Group, Membership };
}

forEachDialect((_dialect, open) => {
  test('a through row whose target key was set to NULL is neither listed nor counted', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Person, Group, Membership } = club();
    await createTables(db, [Person, Group, Membership]);
    const ann = await query(db, Person).create({ name: 'Ann' });
    const chess = await query(db, Group).create({ name: 'Chess' });
    await query(db, Membership).create({ groupId: chess.id, personId: ann.id });
    const members = query(db, Group).related(chess, 'members', Person);
    assert.deepEqual([(await members.all()).length, await members.count()], [1, 1]);
    await query(db, Person).filter({ id: ann.id }).delete();
    assert.equal(await query(db, Membership).count(), 1, 'the through row stays, its key NULL');
    assert.deepEqual([(await members.all()).length, await members.count()], [0, 0]);
  });

  test('add(), remove() and set() refuse a row of another model instead of linking by its key', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, Author, Shelf, dune, ada } = await stocked(db);
    const shelf = await query(db, Shelf).create({ name: 'Front' });
    const books = query(db, Shelf).related(shelf, 'books', Book, { throughDefaults: { position: 1 } });
    const author = await query(db, Author).get({ id: ada.id });
    for (const call of [
      () => books.add(author as never),
      () => books.remove(author as never),
      () => books.set([author as never]),
    ])
      await assert.rejects(call(), (e) => {
        assert.ok(e instanceof QueryError);
        assert.match(e.message, /is not a cat\.Book row/);
        return true;
      });
    assert.equal(await books.count(), 0);
    // Its own rows and keys are fine.
    assert.equal(await books.add(dune), 1);
    assert.equal(await books.add(dune.id), 0);
    assert.equal(await books.count(), 1);
  });
});
