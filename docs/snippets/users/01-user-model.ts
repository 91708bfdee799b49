import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  createUser,
  getUserModel,
  setPassword,
  setUserModel,
  User,
  userModel,
  verifyPassword,
} from 'volt/auth';
import { connect, f, loadMigrations, migrate, query } from 'volt/orm';

// The built-in user model is auth.User; its tables come with Volt's own migrations, which
// `volt migrate` (or migrate()) applies with the project's.
const db = await connect('sqlite::memory:');
await migrate(db, await loadMigrations(join(import.meta.dirname, 'migrations')));

// createUser() hashes the password and sets the fields requests cannot (isStaff, isSuperuser…).
const ada = await createUser(db, User, {
  username: 'ada',
  email: 'ada@example.com',
  password: 'plum-orbit-gazette-41',
});
assert.equal(ada.isActive, true);
assert.equal(ada.isSuperuser, false);
assert.ok(await verifyPassword('plum-orbit-gazette-41', ada.password));

// setPassword() hashes, saves and runs the password-change hooks.
await setPassword(db, User, ada, 'quiet-meadow-sparrow-8');
const saved = await query(db, User).get({ username: 'ada' });
assert.ok(await verifyPassword('quiet-meadow-sparrow-8', saved.password));

// A project's own user model: every built-in field plus its own, in the project's app (its
// migrations are the project's). setUserModel() makes the CLI and createAuth use it.
const Customer = userModel('shop.Customer', { phone: f.string({ maxLength: 20, default: '' }) });
setUserModel(Customer);
assert.equal(getUserModel(), Customer);
assert.deepEqual(Customer.meta.fieldNames.slice(0, 3), ['id', 'username', 'email']);
assert.ok(Customer.meta.hasField('phone') && Customer.meta.hasField('groups'));

// Requests can never set privileges or the hash: they are not in the model's input schemas.
assert.equal(
  (Customer.schema.create as { properties: Record<string, unknown> }).properties.isStaff,
  undefined,
);
await db.close();
