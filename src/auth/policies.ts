/**
 * Policies: object-level rules for a model's actions, e.g. "an author may change their own
 * books". `can()` is the one question the CRUD API and the admin ask:
 *
 * 1. an inactive user may do nothing (policies are not asked);
 * 2. an active superuser may do everything (policies are not asked);
 * 3. when the model's policy defines the action, it decides, for logged-in and anonymous
 *    users alike (it may give anonymous users read access to public rows);
 * 4. otherwise the model permission `<app>.<action>_<model>` decides (anonymous users have none).
 */
import type { AnyModel } from '../orm/index.ts';
import { AnonymousUser, type AuthUser, CurrentUser, permissionName } from './permissions.ts';

/** What a user may want to do with a model's rows. */
export type Action = 'view' | 'add' | 'change' | 'delete';

/** A rule for one action: the user, and the row when the question is about one. */
export type PolicyRule<Obj = any> = (user: AuthUser, obj?: Obj) => boolean | Promise<boolean>;

/** A model's policy: a rule per action it decides; the others fall back to model permissions. */
export interface Policy<Obj = any> {
  canView?: PolicyRule<Obj>;
  canAdd?: PolicyRule<Obj>;
  canChange?: PolicyRule<Obj>;
  canDelete?: PolicyRule<Obj>;
}

const RULES = { view: 'canView', add: 'canAdd', change: 'canChange', delete: 'canDelete' } as const;
const ACTIONS = Object.keys(RULES) as Action[];
const policies = new Map<AnyModel, Policy>();

/** A policy cannot be defined. Stable code: `VOLT_AUTH_POLICY`. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code = 'VOLT_AUTH_POLICY';
}

/**
 * Gives `model` its policy (once per model). Each rule receives the user and, for questions
 * about one row, the row; it returns (or resolves to) a boolean.
 *
 * @example
 * ```ts
 * definePolicy(Book, {
 *   canChange: (user, book) => user.isAuthenticated && book?.ownerId === user.id,
 *   canView: (user, book) => book?.published === true || user.isAuthenticated,
 * });
 * ```
 */
export function definePolicy<M extends AnyModel>(model: M, policy: Policy): Policy {
  if (!model?.meta) throw new PolicyError('definePolicy() needs a model as its first argument');
  if (policies.has(model)) throw new PolicyError(`${model.meta.label} already has a policy`);
  for (const [key, rule] of Object.entries(policy)) {
    if (!Object.values(RULES).includes(key as never))
      throw new PolicyError(
        `${model.meta.label}'s policy has '${key}'; a policy's rules are ${Object.values(RULES).join(', ')}`,
      );
    if (rule !== undefined && typeof rule !== 'function')
      throw new PolicyError(`${model.meta.label}'s policy rule '${key}' must be a function`);
  }
  const frozen = Object.freeze({ ...policy });
  policies.set(model, frozen);
  return frozen;
}

/** The policy of `model`, if it has one. */
export function policyFor(model: AnyModel): Policy | undefined {
  return policies.get(model);
}

/** Removes `model`'s policy (for tests); `true` when it had one. */
export function removePolicy(model: AnyModel): boolean {
  return policies.delete(model);
}

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
  const rule = policies.get(model)?.[RULES[action]];
  if (rule) {
    const allowed = await rule(user, obj);
    if (typeof allowed !== 'boolean')
      throw new TypeError(`${model.meta.label}'s ${RULES[action]} returned ${typeof allowed}, not a boolean`);
    return allowed;
  }
  return user.hasPerm(permissionName(model, action));
}
