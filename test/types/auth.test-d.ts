/**
 * Compile-time checks of the auth guards, run by `tsc` (the tsconfig includes test/). Each
 * `@ts-expect-error` marks a program that must NOT compile.
 */

import { createAuth } from '../../src/auth/auth.ts';
import type { CurrentUser } from '../../src/auth/permissions.ts';
import { createApp } from '../../src/http/app.ts';
import type { Dependency } from '../../src/http/dependencies.ts';
import type { Database } from '../../src/orm/database.ts';
import { f } from '../../src/orm/fields/index.ts';
import { model } from '../../src/orm/model.ts';

/** `true` when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectType<_Check extends true>(): void {}

declare const db: Database;
const app = createApp({ logger: false, envFile: false });
const auth = createAuth(app, { db });
const Product = model('typed.Product', { name: f.string({ maxLength: 100 }) });

// --- requirePerm: perm strings, or a model and one of its default actions ------------------------

const byString = auth.requirePerm('typed.view_product', 'typed.change_product');
const byModel = auth.requirePerm(Product, 'view');
expectType<Equal<typeof byString, Dependency<CurrentUser>>>();
expectType<Equal<typeof byModel, Dependency<CurrentUser>>>();
auth.requirePerm(Product, 'add');
auth.requirePerm(Product, 'change');
auth.requirePerm(Product, 'delete');

// @ts-expect-error a mistyped action does not compile
auth.requirePerm(Product, 'veiw');
// @ts-expect-error a custom permission is named by its string, not as an action
auth.requirePerm(Product, 'publish_product');
// @ts-expect-error one action per call
auth.requirePerm(Product, 'view', 'change');
// @ts-expect-error the model first
auth.requirePerm('view', Product);
