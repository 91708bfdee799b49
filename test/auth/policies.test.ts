/**
 * `can()`: inactive users may do nothing, superusers everything, a policy decides the actions
 * it defines (object-level rules), the model permission decides the others.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auth } from '../../src/auth/auth.ts';
import { saveUserFields } from '../../src/auth/config.ts';
import { Permission, User } from '../../src/auth/models.ts';
import { AnonymousUser, CurrentUser } from '../../src/auth/permissions.ts';
import { can, PolicyError } from '../../src/auth/policies.ts';
import { f } from '../../src/orm/fields/index.ts';
import { migrate } from '../../src/orm/migrations/executor.ts';
import { loadMigrations } from '../../src/orm/migrations/loader.ts';
import { model } from '../../src/orm/model.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { createRegistry } from '../../src/orm/registry.ts';
import { forEachDialect } from '../../src/testing/database.ts';
import { AUTH_HOOKS, AUTH_PACKAGED } from './packaged.ts';

const registry = createRegistry();
const Note = model(
  'notes.Note',
  { ownerId: f.integer(), public: f.boolean({ default: false }) },
  { registry },
);
type NoteRow = { ownerId: number; public: boolean };
/** An auth app: the policies belong to it, and the users it makes carry them. */
const users = auth();
const { policies } = users;
users.definePolicy(Note, {
  canView: (user, note?: NoteRow) =>
    note?.public === true || (user.isAuthenticated && note?.ownerId === user.id),
  canChange: async (user, note?: NoteRow) => user.isAuthenticated && note?.ownerId === user.id,
});

test('definePolicy refuses a second policy, unknown rules and rules that are not functions', () => {
  assert.ok(policies.get(Note)?.canView);
  assert.throws(
    () => users.definePolicy(Note, {}),
    (e: Error) => e instanceof PolicyError && /already has a policy/.test(e.message),
  );
  const Other = model('notes.Other', { x: f.integer() }, { registry });
  assert.throws(
    () => users.definePolicy(Other, { canEdit: () => true } as never),
    /has 'canEdit'; a policy's rules are canView, canAdd, canChange, canDelete and scope/,
  );
  assert.throws(
    () => users.definePolicy(Other, { canView: true } as never),
    /rule 'canView' must be a function/,
  );
  assert.equal(policies.get(Other), undefined);
});

test('a new auth app (a hot reload, another app) defines the same policy again, no reset needed', async () => {
  const reloaded = auth();
  reloaded.definePolicy(Note, { canView: () => false });
  const note = { ownerId: 1, public: true };
  assert.equal(await new AnonymousUser(reloaded.policies).can('view', Note, note), false);
  assert.equal(
    await new AnonymousUser(policies).can('view', Note, note),
    true,
    'the first app keeps its own',
  );
  assert.equal(
    await can(new AnonymousUser(), 'view', Note, note),
    false,
    'a user of no app: permissions only',
  );
});

test('an anonymous user: the policy decides its actions, the others need a permission', async () => {
  const anonymous = new AnonymousUser(policies);
  assert.equal(await can(anonymous, 'view', Note, { ownerId: 1, public: true }), true);
  assert.equal(await can(anonymous, 'view', Note, { ownerId: 1, public: false }), false);
  assert.equal(await can(anonymous, 'change', Note, { ownerId: 1, public: true }), false);
  assert.equal(await can(anonymous, 'delete', Note), false, 'no rule, no permission');
  await assert.rejects(can(anonymous, 'edit' as never, Note), /'edit' is not an action/);
  await assert.rejects(can({} as never, 'view', Note), /needs a CurrentUser or an AnonymousUser/);
});

forEachDialect((_dialect, open) => {
  test('logged-in users: policy rules, model permissions, superusers and inactive users', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await migrate(db, await loadMigrations('/nonexistent', { packaged: AUTH_PACKAGED }), {
      hooks: AUTH_HOOKS,
    });
    // Note is in a registry of its own: its permission rows are made here.
    const deleteNote = await query(db, Permission).create({
      name: 'Can delete note',
      app: 'notes',
      codename: 'delete_note',
    });
    const ada = await query(db, User).create({ username: 'ada' });
    const bob = await query(db, User).create({ username: 'bob' });
    await query(db, User).related(bob, 'userPermissions', Permission).add(deleteNote);
    const mine = { ownerId: ada.id, public: false };

    const asAda = new CurrentUser(db, ada, { policies });
    const asBob = new CurrentUser(db, bob, { policies });
    assert.equal(await can(asAda, 'change', Note, mine), true, 'the policy: her own note');
    assert.equal(await can(asBob, 'change', Note, mine), false, 'the policy: not his; no permission asked');
    assert.equal(await can(asAda, 'view', Note, mine), true);
    assert.equal(await can(asBob, 'view', Note, mine), false);
    assert.equal(await can(asAda, 'delete', Note, mine), false, 'no rule: the permission, which she lacks');
    assert.equal(await can(asBob, 'delete', Note, mine), true, 'no rule: the permission he has');
    assert.equal(await can(asBob, 'add', Note), false);

    await saveUserFields(db, User, bob.id, { isSuperuser: true });
    const root = new CurrentUser(db, await query(db, User).get({ id: bob.id }), { policies });
    assert.equal(await can(root, 'change', Note, mine), true, 'a superuser: the policy is not asked');

    await saveUserFields(db, User, ada.id, { isActive: false });
    const gone = new CurrentUser(db, await query(db, User).get({ id: ada.id }), { policies });
    assert.equal(await can(gone, 'change', Note, mine), false, 'inactive: not even her own');
    assert.equal(await can(gone, 'view', Note, { ownerId: 2, public: true }), false);
  });
});

test('a rule that returns something other than a boolean is an error', async () => {
  const Odd = model('notes.Odd', { x: f.integer() }, { registry });
  users.definePolicy(Odd, { canView: () => 1 as never });
  await assert.rejects(
    can(new AnonymousUser(policies), 'view', Odd),
    /notes\.Odd's canView returned number, not a boolean/,
  );
});
