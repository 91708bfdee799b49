import assert from 'node:assert/strict';
import { join } from 'node:path';
import { volt } from 'voltjs';
import { auth, createUser, User, userModel, verifyPassword } from 'voltjs/auth';
import { f, query } from 'voltjs/orm';

// The built-in user model is auth.User; its tables come with the auth app's own migrations,
// which `volt migrate` (or app.migrate()) applies with the project's.
const users = auth();
const app = volt({ logger: false, database: 'sqlite::memory:', apps: [users] });
await app.ready();
await app.migrate({ root: join(import.meta.dirname, 'migrations') });
const db = app.db;

// createUser() hashes the password and sets the fields requests cannot (isStaff, isSuperuser…).
const ada = await createUser(db, User, {
  username: 'ada',
  email: 'ada@example.com',
  password: 'plum-orbit-gazette-41',
});
assert.equal(ada.isActive, true);
assert.equal(ada.isSuperuser, false);
assert.ok(await verifyPassword('plum-orbit-gazette-41', ada.password));

// users.setPassword() hashes, saves and runs this auth app's password-change hooks (the
// user's sessions end); users.onPasswordChange(hook) adds one.
await users.setPassword(db, ada, 'quiet-meadow-sparrow-8');
const saved = await query(db, User).get({ username: 'ada' });
assert.ok(await verifyPassword('quiet-meadow-sparrow-8', saved.password));

// A project's own user model: every built-in field plus its own, in the project's app (its
// migrations are the project's). The auth app installed with it uses it, and so does the CLI.
const Customer = userModel('shop.Customer', { phone: f.string({ maxLength: 20, default: '' }) });
const customers = auth({ user: Customer });
assert.equal(customers.userModel, Customer);
assert.deepEqual(Customer.meta.fieldNames.slice(0, 3), ['id', 'username', 'email']);
assert.ok(Customer.meta.hasField('phone') && Customer.meta.hasField('groups'));

// Requests can never set privileges or the hash: they are not in the model's input schemas.
assert.equal(
  (Customer.schema.create as { properties: Record<string, unknown> }).properties.isStaff,
  undefined,
);
await app.close();
