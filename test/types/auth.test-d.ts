/**
 * Compile-time checks of the auth guards, run by `tsc` (the tsconfig includes test/). Each
 * `@ts-expect-error` marks a program that must NOT compile.
 */

import { auth } from '../../src/auth/auth.ts';
import { type User, userModel } from '../../src/auth/models.ts';
import type { AnonymousUser, CurrentUser } from '../../src/auth/permissions.ts';
import { type Dependency, dependency } from '../../src/http/dependencies.ts';
import { Router } from '../../src/http/router.ts';
import type { Database } from '../../src/orm/database.ts';
import { f } from '../../src/orm/fields/index.ts';
import { model } from '../../src/orm/model.ts';
import type { Row } from '../../src/orm/types.ts';
import { type ContextOf, volt } from '../../src/volt.ts';

/** `true` when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectType<_Check extends true>(): void {}

const users = auth();
const Product = model('typed.Product', { name: f.string({ maxLength: 100 }) });

// --- requirePerm: perm strings, or a model and one of its default actions ------------------------

const byString = users.requirePerm('typed.view_product', 'typed.change_product');
const byModel = users.requirePerm(Product, 'view');
expectType<Equal<typeof byString, Dependency<CurrentUser<Row<typeof User>>>>>();
expectType<Equal<typeof byModel, Dependency<CurrentUser<Row<typeof User>>>>>();
users.requirePerm(Product, 'add');
users.requirePerm(Product, 'change');
users.requirePerm(Product, 'delete');

// @ts-expect-error a mistyped action does not compile
users.requirePerm(Product, 'veiw');
// @ts-expect-error a custom permission is named by its string, not as an action
users.requirePerm(Product, 'publish_product');
// @ts-expect-error one action per call
users.requirePerm(Product, 'view', 'change');
// @ts-expect-error the model first
users.requirePerm('view', Product);

// --- ctx.user: typed from the installed user model -------------------------------------------------

const Customer = userModel('typed.Customer', { phone: f.string({ maxLength: 20, default: '' }) });
const customers = auth({ user: Customer });
const shop = volt({ apps: [customers], logger: false, envFile: false });
shop.get('/me', {}, (ctx) => {
  expectType<Equal<typeof ctx.user, CurrentUser<Row<typeof Customer>> | AnonymousUser>>();
  if (ctx.user.isAuthenticated) {
    const phone: string = ctx.user.row.phone;
    // @ts-expect-error a field the user model does not have
    ctx.user.row.fax;
    return { phone };
  }
  return { phone: null };
});
shop.get('/db', {}, (ctx) => {
  const database: Database = ctx.db;
  return { dialect: database.dialect };
});
shop.get('/guarded', { deps: { me: customers.requireUser } }, (ctx) => ctx.deps.me.row.phone);

const bare = volt({ logger: false, envFile: false });
bare.get('/me', {}, (ctx) => {
  // @ts-expect-error an app without auth has no ctx.user
  return ctx.user;
});
bare.get('/session', {}, (ctx) => {
  // @ts-expect-error nor ctx.session
  return ctx.session;
});

// A router made apart is typed with what the installed apps add; a dependency depends on the guard.
const orders = new Router<ContextOf<[typeof customers]>>({ prefix: '/orders' });
orders.get('/mine', {}, (ctx) => (ctx.user.isAuthenticated ? ctx.user.row.phone : null));
const phoneOf = dependency({ uses: { me: customers.requireUser } }, (_ctx, { me }) => me.row.phone);
shop.get('/phone', { deps: { phone: phoneOf } }, (ctx) => {
  expectType<Equal<typeof ctx.deps.phone, string>>();
  return ctx.deps.phone;
});
shop.include(orders);
shop.on('beforeHandler', (ctx) => {
  // Hooks of the app see what its installed apps add.
  expectType<Equal<typeof ctx.user, CurrentUser<Row<typeof Customer>> | AnonymousUser>>();
});

// --- createUser() resolves to the model's row: it can be linked without a cast --------------------

async function created(db: Database) {
  const { createUser } = await import('../../src/auth/passwords.ts');
  const { User: Users, Permission } = await import('../../src/auth/models.ts');
  const { query } = await import('../../src/orm/query/queryset.ts');
  const ada = await createUser(db, Users, { username: 'ada', password: 'a long walk by the sea' });
  expectType<Equal<typeof ada, Row<typeof Users>>>();
  await query(db, Users).related(ada, 'userPermissions', Permission).add(1);
}
void created;
