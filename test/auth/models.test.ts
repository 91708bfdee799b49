/**
 * Model permissions (`Model.meta.permissions`), the user model (`userModel()`, `auth({ user })`)
 * and `saveUserFields()`, which writes the fields requests can never set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auth } from '../../src/auth/auth.ts';
import { saveUserFields } from '../../src/auth/config.ts';
import { Permission, User, type UserModel, userModel } from '../../src/auth/models.ts';
import { f } from '../../src/orm/fields/index.ts';
import { migrate } from '../../src/orm/migrations/executor.ts';
import { loadMigrations } from '../../src/orm/migrations/loader.ts';
import { ProjectState } from '../../src/orm/migrations/state.ts';
import { model } from '../../src/orm/model.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { createRegistry } from '../../src/orm/registry.ts';
import { forEachDialect } from '../../src/testing/database.ts';
import { AUTH_PACKAGED } from './packaged.ts';

test('a model has the four default permissions, named after its verbose name', () => {
  const registry = createRegistry();
  const BookTag = model('library.BookTag', { name: f.string({ maxLength: 20 }) }, { registry });
  assert.deepEqual(BookTag.meta.permissions, [
    { codename: 'add_booktag', name: 'Can add book tag' },
    { codename: 'change_booktag', name: 'Can change book tag' },
    { codename: 'delete_booktag', name: 'Can delete book tag' },
    { codename: 'view_booktag', name: 'Can view book tag' },
  ]);
});

test('custom permissions follow the defaults; defaultPermissions chooses the defaults', () => {
  const registry = createRegistry();
  const Book = model(
    'library.Book',
    { title: f.string({ maxLength: 20 }) },
    {
      registry,
      defaultPermissions: ['view', 'change'],
      permissions: { publish_book: 'Can publish books' },
      verboseName: 'volume',
    },
  );
  assert.deepEqual(Book.meta.permissions, [
    { codename: 'view_book', name: 'Can view volume' },
    { codename: 'change_book', name: 'Can change volume' },
    { codename: 'publish_book', name: 'Can publish books' },
  ]);
  const Log = model('library.Log', { line: f.text() }, { registry, defaultPermissions: [] });
  assert.deepEqual(Log.meta.permissions, []);
});

test('permissions are not part of the migration state', () => {
  const registry = createRegistry();
  const plain = model('library.Plain', { name: f.string({ maxLength: 20 }) }, { registry });
  const other = createRegistry();
  const withPerms = model(
    'library.Plain',
    { name: f.string({ maxLength: 20 }) },
    { registry: other, permissions: { export_plain: 'Can export' } },
  );
  assert.deepEqual(
    ProjectState.fromModels([plain]).models.get('library.Plain')?.options,
    ProjectState.fromModels([withPerms]).models.get('library.Plain')?.options,
  );
});

test('bad permission declarations are errors that name the fix', () => {
  const registry = createRegistry();
  const fields = { name: f.string({ maxLength: 20 }) };
  assert.throws(
    () => model('library.A', fields, { registry, permissions: { 'Publish Book': 'x' } }),
    /library\.A: the permission codename 'Publish Book' should be lower-case letters, digits and _/,
  );
  assert.throws(
    () => model('library.B', fields, { registry, permissions: { publish: '' } }),
    /the permission 'publish' needs a name/,
  );
  assert.throws(
    () => model('library.C', fields, { registry, permissions: { add_c: 'Can add' } }),
    /the permission 'add_c' is declared twice/,
  );
  assert.throws(
    () => model('library.D', fields, { registry, defaultPermissions: ['edit' as never] }),
    /defaultPermissions lists 'edit'; the default actions are add, change, delete, view/,
  );
});

test('userModel() gives a custom user model every built-in field plus its own', () => {
  const registry = createRegistry();
  const Customer = userModel(
    'shop.Customer',
    { phone: f.string({ maxLength: 20, default: '' }) },
    { registry },
  );
  for (const name of ['username', 'password', 'isActive', 'isStaff', 'isSuperuser', 'groups', 'phone'])
    assert.ok(Customer.meta.hasField(name), name);
  assert.deepEqual(Customer.meta.ordering, ['username']);
  assert.equal(Customer.meta.relation('groups').target.meta.label, 'auth.Group');
  // Requests can never set the privileges or the hash.
  const create = Customer.schema.create as unknown as { properties: Record<string, unknown> };
  for (const name of ['password', 'isStaff', 'isSuperuser', 'isActive'])
    assert.equal(create.properties[name], undefined, name);
});

test('auth({ user }) takes a userModel() model only, and auth.User by default', () => {
  assert.equal(auth().userModel, User);
  const registry = createRegistry();
  const Member = userModel('club.Member', {}, { registry });
  assert.equal(auth({ user: Member as UserModel }).userModel, Member);
  const NotAUser = model('club.Card', { number: f.string({ maxLength: 10 }) }, { registry });
  assert.throws(
    () => auth({ user: NotAUser as never }),
    /club\.Card cannot be the user model: it has no field 'username'; build it with userModel\(\)/,
  );
});

forEachDialect((_dialect, open) => {
  test('saveUserFields writes non-editable fields that update() refuses', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await migrate(db, await loadMigrations('/nonexistent', { packaged: AUTH_PACKAGED }));
    const ada = await query(db, User).create({ username: 'ada' });
    await assert.rejects(
      query(db, User)
        .filter({ id: ada.id })
        .update({ isStaff: true } as never),
      /cannot be set/,
    );
    const when = new Date('2026-01-02T03:04:05Z');
    assert.equal(await saveUserFields(db, User, ada.id, { isStaff: true, lastLogin: when }), 1);
    const saved = await query(db, User).get({ id: ada.id });
    assert.equal(saved.isStaff, true);
    assert.equal(saved.lastLogin?.toISOString(), when.toISOString());
    assert.equal(await saveUserFields(db, User, 9999, { isStaff: true }), 0);
    await assert.rejects(saveUserFields(db, User, ada.id, { isStaff: 'yes' }), /auth\.User\.isStaff/);
    await assert.rejects(saveUserFields(db, User, ada.id, { nope: 1 }), /has no field 'nope'/);
    assert.equal(await query(db, Permission).count(), 0, 'no hooks: no permission created');
  });
});
