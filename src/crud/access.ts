/**
 * Who may use a resource: the model permission of each operation (as Django REST framework's
 * `DjangoModelPermissions` maps methods), the policy's rules on single rows, and its scope,
 * applied in SQL to every list and lookup.
 */
import { AUTH_SECURITY, unauthorized } from '../auth/auth.ts';
import type { AuthUser } from '../auth/permissions.ts';
import { can, narrowed, scoped, scopeOf } from '../auth/policies.ts';
import type { Action } from '../auth/policy-registry.ts';
import type { AnyContext } from '../http/context.ts';
import { type Dependency, dependency } from '../http/dependencies.ts';
import { type FieldError, HttpError } from '../http/errors.ts';
import type { Database } from '../orm/database.ts';
import type { RelationField } from '../orm/fields/relation.ts';
import type { AnyModel } from '../orm/model.ts';
import type { QuerySet } from '../orm/query/queryset.ts';
import { query } from '../orm/query/queryset.ts';
import type { Permissions } from './options.ts';
import type { RelationSpec } from './representation.ts';

/**
 * A refusal: a 401 for an anonymous user (logging in may help), else a 403 saying `detail`.
 */
export function refusal(user: AuthUser | undefined, detail: string): HttpError {
  if (user?.isAuthenticated === false)
    return unauthorized('Authentication is required: log in or send a bearer token.');
  return new HttpError(403, { code: 'VOLT_AUTH_PERMISSION_DENIED', detail });
}

const RULE = { view: 'canView', add: 'canAdd', change: 'canChange', delete: 'canDelete' } as const;

/** The access rules of one resource. `auth` is set when the resource joins an app. */
export class Access {
  readonly model: AnyModel;
  readonly mode: Permissions;
  /** Whether the app has an auth app (`ctx.user`): known when the resource joins it. */
  auth = false;
  readonly #guards = new Map<string, Dependency | undefined>();

  constructor(model: AnyModel, mode: Permissions) {
    this.model = model;
    this.mode = mode;
  }

  /** Whether the resource reads `ctx.user` whatever the app (its mode checks permissions). */
  get needsAuth(): boolean {
    return this.mode !== 'public';
  }

  /** The request's user, or `undefined` without an auth app. */
  user(ctx: AnyContext): AuthUser | undefined {
    return this.auth ? ((ctx as unknown as { user: AuthUser }).user as AuthUser) : undefined;
  }

  /**
   * The guard of `action` on the model: `can(user, action, Model)` — the model permission, or
   * the policy's rule asked without a row — a 401 or a 403. For an operation on one row
   * (`row: true`) a policy rule for the action is asked with the row instead, after the lookup
   * (`allows()`): the guard then lets the request through. None for an open resource.
   */
  guard(action: Action, row = false): Dependency | undefined {
    const id = `${action}:${row}`;
    if (this.#guards.has(id)) return this.#guards.get(id);
    const open = this.mode === 'public' || (this.mode === 'read-public' && action === 'view');
    const model = this.model;
    const guard = open
      ? undefined
      : dependency(
          {
            name: `modelPermission(${action} ${model.meta.label})`,
            security: AUTH_SECURITY,
            responses: { 401: 'Not authenticated', 403: 'Permission denied' },
          },
          async (ctx) => {
            const user = this.user(ctx as AnyContext);
            if (!user) throw new Error('A resource checking permissions runs on an app without auth()');
            if (row && user.policies.get(model)?.[RULE[action]]) return user;
            if (await can(user, action, model)) return user;
            throw refusal(user, `You may not ${action} ${model.meta.verboseNamePlural}.`);
          },
        );
    this.#guards.set(id, guard);
    return guard;
  }

  /** `set` narrowed to the rows the request's user may see (the policy's scope, in SQL). */
  scope<Q extends QuerySet<any, any, any>>(ctx: AnyContext, set: Q, db?: Database): Q | Promise<Q> {
    const user = this.user(ctx);
    if (!user) return set;
    // No scope to apply: nothing to ask (no promise on the hot path).
    if (!this.#holds(user, this.model)) return set;
    return scoped(db ? user.using(db) : user, set);
  }

  /**
   * Whether the request's user may do `action` on `row`, asked only where the model's policy
   * has a rule for it (the model permission was the guard's question).
   */
  async allows(ctx: AnyContext, action: Action, row: unknown, db: Database): Promise<boolean> {
    const user = this.user(ctx);
    if (!user?.policies.get(this.model)?.[RULE[action]]) return true;
    return can(user.using(db), action, this.model, row);
  }

  /**
   * The scopes of the related models a page loads as lists (a reverse key, a many-to-many), by
   * relation name, where their policies have one: the rows of another model a user may not see
   * are not shown through this one. (A foreign key's row is shown: its key is in the row.)
   */
  async relationScopes(
    ctx: AnyContext,
    relations: readonly RelationSpec[],
    db?: Database,
  ): Promise<Map<string, boolean | readonly object[]> | undefined> {
    const user = this.user(ctx);
    if (!user) return undefined;
    let scopes: Map<string, boolean | readonly object[]> | undefined;
    for (const relation of relations) {
      if (!relation.many || !this.#holds(user, relation.model)) continue;
      scopes ??= new Map();
      scopes.set(relation.name, await scopeOf(db ? user.using(db) : user, relation.model));
    }
    return scopes;
  }

  /**
   * Hides, in place, the related rows joined through a foreign key (`?expand=category`) that
   * their model's scope does not let the user see: the relation reads `null`, as for a row that
   * does not exist. One query per such relation, whatever the number of rows.
   */
  async hideOutOfScope(
    ctx: AnyContext,
    rows: readonly Record<string, unknown>[],
    relations: readonly RelationSpec[],
    db: Database,
  ): Promise<void> {
    const user = this.user(ctx);
    if (!user || rows.length === 0) return;
    for (const relation of relations) {
      if (relation.many || !this.#holds(user, relation.model)) continue;
      const pk = relation.model.meta.pk.attribute;
      const keys = new Set<unknown>();
      for (const row of rows) {
        const related = row[relation.name] as Record<string, unknown> | null | undefined;
        if (related) keys.add(related[pk]);
      }
      if (keys.size === 0) continue;
      const scope = await scopeOf(user.using(db), relation.model);
      const visible = new Set(
        (
          await narrowed(query(db, relation.model), scope)
            .filter({ [`${pk}__in`]: [...keys] } as never)
            .values(pk as never)
        ).map((r) => (r as Record<string, unknown>)[pk]),
      );
      for (const row of rows) {
        const related = row[relation.name] as Record<string, unknown> | null | undefined;
        if (related && !visible.has(related[pk])) row[relation.name] = null;
      }
    }
  }

  /**
   * The foreign keys of `data` that point at rows their model's scope hides from the user: each a
   * 422 on its field, worded as for a row that does not exist (existence is not revealed).
   */
  async unseenKeys(ctx: AnyContext, data: Record<string, unknown>, db: Database): Promise<FieldError[]> {
    const user = this.user(ctx);
    const errors: FieldError[] = [];
    if (!user) return errors;
    for (const field of this.model.meta.concreteFields) {
      if (field.kind !== 'foreignKey' && field.kind !== 'oneToOne') continue;
      const value = data[field.attribute];
      const target = (field as RelationField).target;
      if (value === undefined || value === null || !this.#holds(user, target)) continue;
      const pk = target.meta.pk.attribute;
      const seen = await narrowed(query(db, target), await scopeOf(user.using(db), target))
        .filter({ [pk]: value } as never)
        .exists();
      if (!seen)
        errors.push({
          loc: ['body', field.attribute],
          msg: `${target.meta.name} ${String(value)} does not exist`,
          type: 'foreign_key',
        });
    }
    return errors;
  }

  /** Whether `model`'s scope narrows what `user` sees (a policy scope, or an inactive user). */
  #holds(user: AuthUser, model: AnyModel): boolean {
    if (user.isAuthenticated && user.isSuperuser && user.isActive) return false;
    return user.policies.get(model)?.scope !== undefined || (user.isAuthenticated && !user.isActive);
  }

  /** Whether the model's policy has a scope the request's user is held to. */
  hasScope(ctx: AnyContext): boolean {
    const user = this.user(ctx);
    return (
      user !== undefined &&
      user.policies.get(this.model)?.scope !== undefined &&
      !(user.isAuthenticated && user.isSuperuser)
    );
  }
}
