import assert from 'node:assert/strict';
import { join } from 'node:path';
import { volt } from 'voltjs';
import { auth, CurrentUser, can, Permission, saveUserFields, User } from 'voltjs/auth';
import { f, model, query } from 'voltjs/orm';

const Post = model('blog.Post', {
  authorId: f.integer(),
  published: f.boolean({ default: false }),
  title: f.string({ maxLength: 200 }),
});
type PostRow = { authorId: number; published: boolean };

// Object-level rules for some actions; the others fall back to the model permissions. A
// policy belongs to the auth app that defines it, and the users it makes carry it.
const users = auth();
users.definePolicy(Post, {
  canView: (user, post?: PostRow) =>
    post?.published === true || (user.isAuthenticated && post?.authorId === user.id),
  canChange: (user, post?: PostRow) => user.isAuthenticated && post?.authorId === user.id,
});

const app = volt({ logger: false, database: 'sqlite::memory:', apps: [users] });
await app.ready();
await app.migrate({ root: join(import.meta.dirname, 'migrations') });
const db = app.db;
// In a handler, ctx.user is such a user: `await ctx.user.can('change', Post, row)`.
const { policies } = users;
const ada = await query(db, User).create({ username: 'ada' });
const bob = await query(db, User).create({ username: 'bob' });
const deletePost = await query(db, Permission).get({ app: 'blog', codename: 'delete_post' });
await query(db, User).related(bob, 'userPermissions', Permission).add(deletePost);
const draft = { authorId: ada.id, published: false, title: 'Draft' };

const asAda = new CurrentUser(db, ada, { policies });
const asBob = new CurrentUser(db, bob, { policies });
assert.equal(await can(asAda, 'change', Post, draft), true); // the policy: her own post
assert.equal(await can(asBob, 'change', Post, draft), false); // the policy: not his
assert.equal(await can(users.anonymous, 'view', Post, { ...draft, published: true }), true);
assert.equal(await can(asAda, 'delete', Post, draft), false); // no rule: blog.delete_post, she lacks it
assert.equal(await can(asBob, 'delete', Post, draft), true); // he has it

// An active superuser may do everything; an inactive user nothing (policies are not asked).
await saveUserFields(db, User, bob.id, { isSuperuser: true });
assert.equal(
  await can(
    new CurrentUser(db, await query(db, User).get({ id: bob.id }), { policies }),
    'change',
    Post,
    draft,
  ),
  true,
);
await saveUserFields(db, User, ada.id, { isActive: false });
assert.equal(
  await can(
    new CurrentUser(db, await query(db, User).get({ id: ada.id }), { policies }),
    'change',
    Post,
    draft,
  ),
  false,
);
await app.close();
