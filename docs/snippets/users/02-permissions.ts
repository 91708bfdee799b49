import assert from 'node:assert/strict';
import { join } from 'node:path';
import { volt } from 'voltjs';
import { AnonymousUser, auth, CurrentUser, Group, Permission, User } from 'voltjs/auth';
import { f, model, query } from 'voltjs/orm';

// Every model has four permissions (add, change, delete, view), plus the ones it declares.
const Book = model(
  'library.Book',
  { title: f.string({ maxLength: 200 }) },
  { permissions: { publish_book: 'Can publish books' } },
);
assert.deepEqual(
  Book.meta.permissions.map((p) => p.codename),
  ['add_book', 'change_book', 'delete_book', 'view_book', 'publish_book'],
);
const Log = model('library.Log', { line: f.text() }, { defaultPermissions: ['view'] });
assert.deepEqual(Log.meta.permissions, [{ codename: 'view_log', name: 'Can view log' }]);

// migrate creates the permission rows of every registered model that are missing (after the
// migrations, as the installed auth app's post-migrate step).
const app = volt({ logger: false, database: 'sqlite::memory:', apps: [auth()] });
await app.ready();
await app.migrate({ root: join(import.meta.dirname, 'migrations') });
const db = app.db;
const perm = (codename: string) => query(db, Permission).get({ app: 'library', codename });
assert.equal((await perm('publish_book')).name, 'Can publish books');

// Permissions are given to a user directly, or to a group the user is in.
const editors = await query(db, Group).create({ name: 'editors' });
await query(db, Group)
  .related(editors, 'permissions', Permission)
  .add(await perm('change_book'));
const ada = await query(db, User).create({ username: 'ada' });
await query(db, User).related(ada, 'groups', Group).add(editors);
await query(db, User)
  .related(ada, 'userPermissions', Permission)
  .add(await perm('publish_book'));

// One CurrentUser per request: its permissions are read once (one query), then checked in memory.
const user = new CurrentUser(db, ada);
assert.equal(await user.hasPerm('library.change_book'), true); // through "editors"
assert.equal(await user.hasPerms(['library.change_book', 'library.publish_book']), true);
assert.equal(await user.hasPerm('library.delete_book'), false);
assert.deepEqual([...(await user.permissions())].sort(), ['library.change_book', 'library.publish_book']);

// Nobody logged in: no permissions.
assert.equal(await new AnonymousUser().hasPerm('library.view_book'), false);
await app.close();
