import assert from 'node:assert/strict';
import { join } from 'node:path';
import { volt } from 'voltjs';
import { auth, CurrentUser, can, Permission, User } from 'voltjs/auth';
import { createTables, f, model, query } from 'voltjs/orm';

const Invoice = model('billing.Invoice', {
  ownerId: f.integer(),
  paid: f.boolean({ default: false }),
});
// The owner may change an unpaid invoice; an accountant (billing.change_invoice) any.
const users = auth();
users.definePolicy(Invoice, {
  canChange: async (user, invoice?: { ownerId: number; paid: boolean }) =>
    user.isAuthenticated &&
    ((invoice?.ownerId === user.id && !invoice?.paid) || (await user.hasPerm('billing.change_invoice'))),
});

const app = volt({ logger: false, database: 'sqlite::memory:', apps: [users] });
await app.ready();
await app.migrate({ root: join(import.meta.dirname, 'migrations') });
const db = app.db;
await createTables(db, [Invoice]); // (an app's migrations would make it)
const ada = await query(db, User).create({ username: 'ada' });
const accountant = await query(db, Permission).get({ app: 'billing', codename: 'change_invoice' });
await query(db, User).related(ada, 'userPermissions', Permission).add(accountant);
const invoice = await query(db, Invoice).create({ ownerId: 99, paid: true });
const user = new CurrentUser(db, ada, { policies: users.policies });

// Read (and lock) the row in the transaction, then ask the policy through the same `tx`:
// `user.using(tx)` is ada reading her permissions through it.
const changed = await db.transaction(async (tx) => {
  const row = await query(tx, Invoice).get({ id: invoice.id });
  if (!(await can(user.using(tx), 'change', Invoice, row))) return false;
  await query(tx, Invoice).filter({ id: invoice.id }).update({ paid: false });
  return true;
});
assert.equal(changed, true);

// `user` itself reads through `db`, which refuses statements inside its own transaction.
const other = new CurrentUser(db, ada);
await assert.rejects(
  db.transaction(async () => can(other, 'change', Invoice, invoice)),
  /inside its own transaction/,
);
await app.close();
