/**
 * orderMigrations: dependencies first, then app and name; missing dependencies, cycles and
 * conflicting latest migrations are errors that name them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leafMigrations, MigrationGraphError, orderMigrations } from '../../../src/orm/migrations/graph.ts';
import type { LoadedMigration, MigrationId } from '../../../src/orm/migrations/types.ts';

function m(id: MigrationId, ...dependencies: MigrationId[]): LoadedMigration {
  const [app, name] = id.split('/') as [string, string];
  return { id, app, name, file: `/migrations/${id}.ts`, dependencies, operations: [] };
}

const ids = (list: readonly LoadedMigration[]) => list.map((x) => x.id);

test('orders by app and name when nothing depends across apps', () => {
  const list = [
    m('shop/0001_initial'),
    m('library/0002_isbn', 'library/0001_initial'),
    m('library/0001_initial'),
  ];
  assert.deepEqual(ids(orderMigrations(list)), [
    'library/0001_initial',
    'library/0002_isbn',
    'shop/0001_initial',
  ]);
});

test('a dependency on another app comes first, whatever the names say', () => {
  const list = [
    m('alpha/0001_initial', 'zoo/0002_keeper'),
    m('zoo/0001_initial'),
    m('zoo/0002_keeper', 'zoo/0001_initial'),
    m('zoo/0003_more', 'zoo/0002_keeper'),
  ];
  const order = ids(orderMigrations(list));
  assert.deepEqual(order, ['zoo/0001_initial', 'zoo/0002_keeper', 'alpha/0001_initial', 'zoo/0003_more']);
});

test('a missing dependency is an error naming both migrations and what exists', () => {
  const list = [m('library/0001_initial'), m('library/0002_isbn', 'library/0001_inital')];
  assert.throws(
    () => orderMigrations(list),
    (error: Error) => {
      assert.ok(error instanceof MigrationGraphError);
      assert.equal(
        error.message,
        'library/0002_isbn depends on library/0001_inital, which does not exist (library has: library/0001_initial, library/0002_isbn)',
      );
      return true;
    },
  );
  assert.throws(
    () => orderMigrations([m('library/0001_initial', 'auth/0001_initial')]),
    /no migrations of 'auth' were found/,
  );
});

test('a cycle is an error showing it', () => {
  const list = [
    m('library/0001_initial', 'shop/0001_initial'),
    m('shop/0001_initial', 'library/0001_initial'),
  ];
  assert.throws(
    () => orderMigrations(list),
    /in a cycle: library\/0001_initial → shop\/0001_initial → library\/0001_initial/,
  );
});

test('two latest migrations of one app are a conflict naming both', () => {
  const list = [
    m('library/0001_initial'),
    m('library/0002_isbn', 'library/0001_initial'),
    m('library/0002_pages', 'library/0001_initial'),
  ];
  assert.throws(
    () => orderMigrations(list),
    /Conflicting migrations in library: library\/0002_isbn and library\/0002_pages are both latest/,
  );
  assert.deepEqual(ids(leafMigrations(list).get('library') ?? []), [
    'library/0002_isbn',
    'library/0002_pages',
  ]);
  // A merge migration depending on both resolves it.
  const merged = [...list, m('library/0003_merge', 'library/0002_isbn', 'library/0002_pages')];
  assert.equal(ids(orderMigrations(merged)).at(-1), 'library/0003_merge');
});

test('the same id twice is an error naming both files', () => {
  assert.throws(
    () => orderMigrations([m('library/0001_initial'), m('library/0001_initial')]),
    /Two migrations are library\/0001_initial/,
  );
});

test('no migrations order to none', () => {
  assert.deepEqual(orderMigrations([]), []);
});
