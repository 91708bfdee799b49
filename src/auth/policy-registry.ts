/**
 * Policies as values: a model's object-level rules, kept by the auth app that defines them
 * (`users.definePolicy()`), never in a process-wide table. `can()` (./policies.ts) asks them.
 */
import type { AnyModel } from '../orm/index.ts';
import type { AuthUser } from './permissions.ts';

/** What a user may want to do with a model's rows. */
export type Action = 'view' | 'add' | 'change' | 'delete';

/** A rule for one action: the user, and the row when the question is about one. */
export type PolicyRule<Obj = any> = (user: AuthUser, obj?: Obj) => boolean | Promise<boolean>;

/**
 * Which rows of a model a user may see, as a filter the database applies: the conditions of a
 * `filter()` (one object, or a list of which any may match), `true` for every row, `false` for none.
 */
export type ScopeFilter = boolean | Record<string, unknown> | readonly Record<string, unknown>[];

/** A model's policy: a rule per action it decides; the others fall back to model permissions. */
export interface Policy<Obj = any> {
  canView?: PolicyRule<Obj>;
  canAdd?: PolicyRule<Obj>;
  canChange?: PolicyRule<Obj>;
  canDelete?: PolicyRule<Obj>;
  /**
   * The rows the user may see at all, as a filter applied in SQL to every list (and to the
   * lookup of one row) of the CRUD API, the admin and `scoped()`: a user never pages through
   * rows outside it, and a row outside it is not found. Not asked for superusers; an inactive
   * user sees none. Without it, every row is in scope.
   *
   * @example
   * ```ts
   * users.definePolicy(Order, { scope: (user) => (user.isAuthenticated ? { customerId: user.id } : false) });
   * ```
   */
  scope?: (user: AuthUser) => ScopeFilter | Promise<ScopeFilter>;
}

/** The rule of a policy that decides each action. */
export const RULES = { view: 'canView', add: 'canAdd', change: 'canChange', delete: 'canDelete' } as const;

/** A policy cannot be defined. Stable code: `VOLT_AUTH_POLICY`. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code = 'VOLT_AUTH_POLICY';
}

function checkPolicy(model: AnyModel, policy: Policy): Policy {
  if (!model?.meta) throw new PolicyError('definePolicy() needs a model as its first argument');
  for (const [key, rule] of Object.entries(policy ?? {})) {
    if (!Object.values(RULES).includes(key as never) && key !== 'scope')
      throw new PolicyError(
        `${model.meta.label}'s policy has '${key}'; a policy's rules are ${Object.values(RULES).join(', ')} and scope`,
      );
    if (rule !== undefined && typeof rule !== 'function')
      throw new PolicyError(`${model.meta.label}'s policy rule '${key}' must be a function`);
  }
  return Object.freeze({ ...policy });
}

/**
 * The policies of one auth app (`users.definePolicy()`): the users it makes carry it, so
 * `can(user, …)` and `user.can(…)` ask the policies of the app that made them. A new app (a
 * hot reload, a test) starts with none: nothing to reset.
 */
export class Policies {
  readonly #byModel = new Map<AnyModel, Policy>();

  /**
   * Gives `model` its policy (once per model on this app). Each rule receives the user and, for
   * questions about one row, the row; it returns (or resolves to) a boolean.
   *
   * @example
   * ```ts
   * users.definePolicy(Book, {
   *   canChange: (user, book) => user.isAuthenticated && book?.ownerId === user.id,
   *   canView: (user, book) => book?.published === true || user.isAuthenticated,
   * });
   * ```
   */
  define<M extends AnyModel>(model: M, policy: Policy): Policy {
    const checked = checkPolicy(model, policy);
    if (this.#byModel.has(model)) throw new PolicyError(`${model.meta.label} already has a policy`);
    this.#byModel.set(model, checked);
    return checked;
  }

  /** The policy of `model`, if it has one. */
  get(model: AnyModel): Policy | undefined {
    return this.#byModel.get(model);
  }
}

/** No policies: the users made outside an auth app (`new CurrentUser(db, row)`) ask permissions only. */
export const NO_POLICIES = new Policies();
