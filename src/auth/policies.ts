/**
 * Policies: object-level rules for a model's actions, e.g. "an author may change their own
 * books". `can()` is the one question the CRUD API and the admin ask:
 *
 * 1. an inactive user may do nothing (policies are not asked);
 * 2. an active superuser may do everything (policies are not asked);
 * 3. when the model's policy (on the auth app that made the user) defines the action, it decides, for logged-in and anonymous
 *    users alike (it may give anonymous users read access to public rows);
 * 4. otherwise the model permission `<app>.<action>_<model>` decides (anonymous users have none).
 */
import type { AnyModel } from '../orm/index.ts';
import type { QuerySet } from '../orm/query/queryset.ts';
import type { AuthUser } from './permissions.ts';
import { AnonymousUser, CurrentUser, permissionName } from './permissions.ts';
import { type Action, RULES } from './policy-registry.ts';

export {
  type Action,
  NO_POLICIES,
  Policies,
  type Policy,
  PolicyError,
  type PolicyRule,
  type ScopeFilter,
} from './policy-registry.ts';

const ACTIONS = Object.keys(RULES) as Action[];

/**
 * `true` when `user` may do `action` on `model` (or on its row `obj`). See the module comment
 * for the order: inactive → no, superuser → yes, the policy's rule, else the model permission.
 *
 * @example
 * ```ts
 * if (!(await can(user, 'change', Book, book))) throw new HttpError(403);
 * ```
 */
export async function can<M extends AnyModel>(
  user: AuthUser,
  action: Action,
  model: M,
  obj?: unknown,
): Promise<boolean> {
  if (!ACTIONS.includes(action))
    throw new TypeError(`'${String(action)}' is not an action; the actions are ${ACTIONS.join(', ')}`);
  if (!(user instanceof CurrentUser) && !(user instanceof AnonymousUser))
    throw new TypeError('can() needs a CurrentUser or an AnonymousUser');
  if (user.isAuthenticated && !user.isActive) return false;
  if (user.isAuthenticated && user.isSuperuser) return true;
  const rule = user.policies.get(model)?.[RULES[action]];
  if (rule) {
    const allowed = await rule(user, obj);
    if (typeof allowed !== 'boolean')
      throw new TypeError(`${model.meta.label}'s ${RULES[action]} returned ${typeof allowed}, not a boolean`);
    return allowed;
  }
  return user.hasPerm(permissionName(model, action));
}

/**
 * `set` narrowed to the rows `user` may see: the model's policy `scope` (on the auth app that
 * made the user) applied as a filter, in SQL. An active superuser sees every row, an inactive
 * user none; a model whose policy has no `scope` shows every row. The CRUD API and the admin
 * apply it to every list and to the lookup of one row; apply it in hand-written routes too.
 *
 * @example
 * ```ts
 * users.definePolicy(Order, { scope: (user) => (user.isAuthenticated ? { customerId: user.id } : false) });
 * app.get('/orders', {}, async (ctx) => (await scoped(ctx.user, query(ctx.db, Order))).limit(20).all());
 * ```
 */
export async function scoped<Q extends QuerySet<any, any, any>>(user: AuthUser, set: Q): Promise<Q> {
  return narrowed(set, await scopeOf(user, set.model));
}

/**
 * What `model`'s policy lets `user` see, as `scoped()` applies it: `true` for every row, `false`
 * for none, or the conditions (any of which may match). For code that narrows a query it cannot
 * await on (a prefetch's refinement): `narrowed(set, scope)` applies it.
 */
export async function scopeOf(user: AuthUser, model: AnyModel): Promise<boolean | readonly object[]> {
  if (!(user instanceof CurrentUser) && !(user instanceof AnonymousUser))
    throw new TypeError('scoped() needs a CurrentUser or an AnonymousUser');
  if (user.isAuthenticated && !user.isActive) return false;
  if (user.isAuthenticated && user.isSuperuser) return true;
  const scope = user.policies.get(model)?.scope;
  if (!scope) return true;
  const filter = await scope(user);
  if (filter === true || filter === false) return filter;
  if (typeof filter !== 'object' || filter === null)
    throw new TypeError(
      `${model.meta.label}'s scope returned ${filter === null ? 'null' : typeof filter}: return a filter object, a list of them, true or false`,
    );
  const conditions = Array.isArray(filter) ? filter : [filter];
  return conditions.length === 0 ? false : conditions;
}

/** `set` narrowed to a scope `scopeOf()` gave. */
export function narrowed<Q extends QuerySet<any, any, any>>(set: Q, scope: boolean | readonly object[]): Q {
  if (scope === true) return set;
  if (scope === false) return noRows(set);
  return set.filter(...(scope as never[])) as Q;
}

/** `set` matching no row (its primary key is never null). */
function noRows<Q extends QuerySet<any, any, any>>(set: Q): Q {
  return set.filter({ [`${set.model.meta.pk.attribute}__isNull`]: true } as never) as Q;
}
