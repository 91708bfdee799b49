/**
 * What a user model must have, what runs when a user's password changes, and writing the fields
 * requests can never set. The user model and the hooks belong to an auth app (`auth()`), never
 * to the process: two apps may have two user models.
 */
import type { Database } from '../orm/index.ts';
import { User, type UserModel } from './models.ts';

const USER_FIELDS = [
  'username',
  'password',
  'isActive',
  'isStaff',
  'isSuperuser',
  'groups',
  'userPermissions',
];

/**
 * Checks that `model` can be a user model (it has the built-in fields `userModel()` gives):
 * a `TypeError` naming the missing field otherwise. `auth({ user })` calls it.
 *
 * @example
 * ```ts
 * checkUserModel(Customer); // Customer, checked
 * ```
 */
export function checkUserModel<M extends UserModel>(model: M): M {
  for (const name of USER_FIELDS)
    if (!model?.meta?.hasField(name))
      throw new TypeError(
        `${model?.meta?.label ?? String(model)} cannot be the user model: it has no field '${name}'; build it with userModel()`,
      );
  return model;
}

/** The default user model, `auth.User`. */
export const DEFAULT_USER_MODEL: UserModel = User as UserModel;

/** A user row as the auth helpers see it: any user model's row (its primary key is usually `id`). */
export type UserRow = Readonly<Record<string, any>>;

/**
 * A function run after a user's password is set or changed: the database the new hash was saved
 * in (a transaction when the change runs in one), the user row with the new hash in `password`,
 * and the user model. Register one with `users.onPasswordChange(hook)` (the auth app's).
 */
export type PasswordChangeHook = (db: Database, user: UserRow, model: UserModel) => void | Promise<void>;

/** Runs password-change hooks, in order. */
export async function runPasswordChangeHooks(
  hooks: Iterable<PasswordChangeHook>,
  db: Database,
  user: UserRow,
  model: UserModel,
): Promise<void> {
  for (const hook of [...hooks]) await hook(db, user, model);
}

/**
 * Writes fields of one user row that requests can never set (`editable: false`: the password
 * hash, `isActive`, `isStaff`, `isSuperuser`, `lastLogin`), which the query layer's `update()`
 * refuses for that reason. Values are checked by their fields; resolves to the number of rows
 * changed (0 when there is no such user).
 *
 * @example
 * ```ts
 * await saveUserFields(db, User, user.id, { isStaff: true, lastLogin: new Date() });
 * ```
 */
export async function saveUserFields(
  db: Database,
  model: UserModel,
  id: unknown,
  values: Readonly<Record<string, unknown>>,
): Promise<number> {
  const meta = model.meta;
  const columns: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const field = meta.field(name);
    if (field.column === null || field.primaryKey)
      throw new TypeError(`${meta.label}.${name} cannot be saved with saveUserFields()`);
    const issues = field.check(value);
    if (issues.length) throw new TypeError(`${meta.label}.${name}: ${issues.map((i) => i.msg).join(' ')}`);
    columns[field.column] = field.toDb(value as never, db.dialect);
  }
  if (Object.keys(columns).length === 0) return 0;
  const pk = meta.pk;
  const result = await db.kysely
    .updateTable(meta.table)
    .set(columns)
    .where(pk.column!, '=', pk.toDb(id as never, db.dialect) as never)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
