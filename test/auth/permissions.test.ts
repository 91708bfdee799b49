/**
 * Permission checks: a user's direct and group permissions loaded once, superusers with all,
 * inactive and anonymous users with none.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { saveUserFields } from '../../src/auth/config.ts';
import { Group, Permission, User } from '../../src/auth/models.ts';
import { AnonymousUser, CurrentUser, permissionName } from '../../src/auth/permissions.ts';
import type { Database } from '../../src/orm/database.ts';
import { f } from '../../src/orm/fields/index.ts';
import { migrate } from '../../src/orm/migrations/executor.ts';
import { loadMigrations } from '../../src/orm/migrations/loader.ts';
import { model } from '../../src/orm/model.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { createRegistry } from '../../src/orm/registry.ts';
import { forEachDialect } from '../../src/testing/database.ts';
import { AUTH_HOOKS, AUTH_PACKAGED } from './packaged.ts';

/** `db` with a count of the statements run through it. */
function counting(db: Database): { db: Database; count: () => number } {
  let statements = 0;
  const wrapped = new Proxy(db, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value === 'function' && ['all', 'arrays', 'get', 'run'].includes(key as string))
        return (...args: unknown[]) => {
          statements++;
          return value.apply(target, args);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: wrapped, count: () => statements };
}

test('permissionName is <app>.<action>_<model>', () => {
  const Book = model('library.Book', { title: f.string({ maxLength: 10 }) }, { registry: createRegistry() });
  assert.equal(permissionName(Book, 'change'), 'library.change_book');
  assert.equal(permissionName(Book, 'publish'), 'library.publish_book');
});

test('an anonymous user has no permissions, and a malformed perm string is an error', async () => {
  const anonymous = new AnonymousUser();
  assert.equal(anonymous.isAuthenticated, false);
  assert.equal(anonymous.id, null);
  assert.equal(await anonymous.hasPerm('auth.view_user'), false);
  assert.equal(await anonymous.hasPerms(['auth.view_user']), false);
  assert.equal((await anonymous.permissions()).size, 0);
  await assert.rejects(
    anonymous.hasPerm('view_user'),
    /"view_user" is not a permission; write '<app>\.<codename>'/,
  );
});

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    await migrate(db, await loadMigrations('/nonexistent', { packaged: AUTH_PACKAGED }), {
      hooks: AUTH_HOOKS,
    });
    const perm = (codename: string) => query(db, Permission).get({ app: 'auth', codename });
    const editors = await query(db, Group).create({ name: 'editors' });
    await query(db, Group)
      .related(editors, 'permissions', Permission)
      .add(await perm('change_group'), await perm('view_group'));
    const ada = await query(db, User).create({ username: 'ada' });
    await query(db, User).related(ada, 'groups', Group).add(editors);
    await query(db, User)
      .related(ada, 'userPermissions', Permission)
      .add(await perm('view_user'), await perm('view_group'));
    return { db, ada: await query(db, User).get({ id: ada.id }) };
  }

  test('a user has their direct and their groups permissions, loaded once in one query', async (t) => {
    const { db, ada } = await setup(t);
    const { db: counted, count } = counting(db);
    const user = new CurrentUser(counted, ada);
    assert.equal(user.id, ada.id);
    assert.equal(user.isAuthenticated, true);
    assert.equal(user.isActive, true);
    assert.equal(user.isStaff, false);
    assert.deepEqual([...(await user.permissions())].sort(), [
      'auth.change_group',
      'auth.view_group',
      'auth.view_user',
    ]);
    assert.equal(await user.hasPerm('auth.change_group'), true, 'through the group');
    assert.equal(await user.hasPerm('auth.view_user'), true, 'direct');
    assert.equal(await user.hasPerm('auth.delete_user'), false);
    assert.equal(await user.hasPerms(['auth.view_user', 'auth.change_group']), true);
    assert.equal(await user.hasPerms(['auth.view_user', 'auth.delete_user']), false);
    assert.equal(await user.hasModulePerms('auth'), true);
    assert.equal(await user.hasModulePerms('library'), false);
    assert.ok(count() <= 2, `${count()} statements`);
    await assert.rejects(user.hasPerm('auth'), /is not a permission/);
  });

  test('a superuser has every permission; an inactive user none, superuser or not', async (t) => {
    const { db, ada } = await setup(t);
    await saveUserFields(db, User, ada.id, { isSuperuser: true });
    const root = new CurrentUser(db, await query(db, User).get({ id: ada.id }));
    assert.equal(root.isSuperuser, true);
    assert.equal(await root.hasPerm('library.anything_at_all'), true);
    assert.equal(await root.hasPerms(['auth.delete_user', 'x.y']), true);
    assert.equal((await root.permissions()).size, await query(db, Permission).count());

    await saveUserFields(db, User, ada.id, { isActive: false });
    const { db: counted, count } = counting(db);
    const inactive = new CurrentUser(counted, await query(db, User).get({ id: ada.id }));
    assert.equal(await inactive.hasPerm('auth.view_user'), false);
    assert.equal(await inactive.hasPerms(['auth.view_user']), false);
    assert.equal((await inactive.permissions()).size, 0);
    assert.equal(await inactive.hasModulePerms('auth'), false);
    assert.equal(count(), 0, 'an inactive user costs no query');
  });

  test('a user without groups or permissions has none', async (t) => {
    const { db } = await setup(t);
    const bob = new CurrentUser(db, await query(db, User).create({ username: 'bob' }));
    assert.equal((await bob.permissions()).size, 0);
    assert.equal(await bob.hasPerm('auth.view_group'), false);
  });
});
