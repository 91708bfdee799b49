/**
 * The permissions a route requires (`requirePerm`), checked before any request: a malformed
 * name when the route is declared, an unknown one when the app starts. Otherwise a typo would
 * only show as a 403 for everyone — and a 200 for superusers, who have every permission, so
 * testing as an admin would hide it.
 */
import { closest } from '../http/suggestion.ts';
import {
  type AnyModel,
  allModels,
  type Database,
  type PermissionAction,
  query,
  tableExists,
} from '../orm/index.ts';
import { Permission } from './models.ts';
import { checkPerm } from './permissions.ts';

const ACTIONS: readonly PermissionAction[] = ['add', 'change', 'delete', 'view'];

/**
 * A route requires a permission that no model declares and the permission table does not
 * hold. Thrown when the app starts. Stable code: `VOLT_AUTH_UNKNOWN_PERMISSION`.
 *
 * @example
 * ```ts
 * app.get('/products', { deps: { user: auth.requirePerm('shop.view_prodcut') } }, list);
 * await app.ready(); // UnknownPermissionError: … 'shop.view_prodcut' (did you mean shop.view_product?)
 * ```
 */
export class UnknownPermissionError extends Error {
  override readonly name = 'UnknownPermissionError';
  readonly code = 'VOLT_AUTH_UNKNOWN_PERMISSION';
  /** The unknown permission strings. */
  readonly permissions: readonly string[];

  constructor(message: string, permissions: readonly string[]) {
    super(message);
    this.permissions = permissions;
  }
}

/** What `requirePerm()` takes: perm strings, or a model and one of its default actions. */
export type PermissionArgs = readonly string[] | readonly [AnyModel, PermissionAction];

/**
 * The perm strings `args` name, checked: a malformed string, an unknown action or an action
 * the model has no permission for throws a `TypeError` naming the fix.
 */
export function permissionsOf(args: PermissionArgs): string[] {
  const [first, action] = args as readonly unknown[];
  if (typeof first === 'object' && first !== null && 'meta' in first) {
    const model = first as AnyModel;
    if (args.length !== 2 || !ACTIONS.includes(action as PermissionAction))
      throw new TypeError(
        `requirePerm(${model.meta.label}, …) needs one action of ${ACTIONS.join(', ')}, got ${JSON.stringify(action)}`,
      );
    const codename = `${action as string}_${model.meta.name.toLowerCase()}`;
    if (!model.meta.permissions.some((p) => p.codename === codename))
      throw new TypeError(
        `${model.meta.label} has no '${action as string}' permission (its permissions: ${model.meta.permissions.map((p) => p.codename).join(', ') || 'none'}); see its defaultPermissions`,
      );
    return [`${model.meta.app}.${codename}`];
  }
  return (args as readonly unknown[]).map((perm) => checkPerm(perm as string));
}

/**
 * Every permission there is: those the registered models declare, and the rows of the
 * permission table (when `db` is open and the auth tables exist).
 */
async function knownPermissions(db: Database | undefined): Promise<Set<string>> {
  const known = new Set<string>();
  for (const model of allModels())
    for (const permission of model.meta.permissions) known.add(`${model.meta.app}.${permission.codename}`);
  if (db && (await tableExists(db, Permission.meta.table)))
    for (const row of await query(db, Permission).values('app', 'codename'))
      known.add(`${row.app}.${row.codename}`);
  return known;
}

/**
 * Throws an {@link UnknownPermissionError} listing each of `required` that is not a known
 * permission, with the closest known one; `db` undefined checks against the models only.
 */
export async function checkRequiredPermissions(
  db: Database | undefined,
  required: Iterable<string>,
): Promise<void> {
  const known = await knownPermissions(db);
  const unknown = [...new Set(required)].filter((perm) => !known.has(perm));
  if (unknown.length === 0) return;
  const candidates = [...known];
  const lines = unknown.map((perm) => {
    const match = closest(perm, candidates);
    return `  - '${perm}'${match === undefined ? '' : ` (did you mean ${match}?)`}`;
  });
  throw new UnknownPermissionError(
    `requirePerm() names ${unknown.length === 1 ? 'a permission that does' : 'permissions that do'} not exist:\n${lines.join('\n')}\n` +
      `Permissions are those of the models (add/change/delete/view_<model> and each model's \`permissions\` option)${db ? ' and the rows of auth.Permission' : ' (the database was not open when the app started: the auth.Permission rows were not read)'}.`,
    unknown,
  );
}
