/**
 * The auth app's project-wide configuration: which model is the user model, and what runs when
 * a user's password changes (the session layer registers a hook that ends the user's sessions).
 */
import type { Database } from '../orm/index.ts';
import { User, type UserModel } from './models.ts';

let current: UserModel = User as UserModel;

/**
 * Makes `model` the project's user model (the one the CLI's `createsuperuser` and
 * `changepassword`, and `createAuth`, work on). Call it in the module that declares the model,
 * so importing the app sets it. The model must be made with `userModel()`.
 *
 * @example
 * ```ts
 * export const Customer = userModel('shop.Customer', { phone: f.string({ maxLength: 20, default: '' }) });
 * setUserModel(Customer);
 * ```
 */
export function setUserModel(model: UserModel): void {
  for (const name of [
    'username',
    'password',
    'isActive',
    'isStaff',
    'isSuperuser',
    'groups',
    'userPermissions',
  ])
    if (!model?.meta?.hasField(name))
      throw new TypeError(
        `${model?.meta?.label ?? String(model)} cannot be the user model: it has no field '${name}'; build it with userModel()`,
      );
  current = model;
}

/** The project's user model: the one given to {@link setUserModel}, else `auth.User`. */
export function getUserModel(): UserModel {
  return current;
}

/** A user row as the auth helpers see it: any user model's row (its primary key is usually `id`). */
export type UserRow = Readonly<Record<string, any>>;

/**
 * A function run after a user's password is set or changed: the database the new hash was saved
 * in (a transaction when the change runs in one), the user row with the new hash in `password`,
 * and the user model.
 */
export type PasswordChangeHook = (db: Database, user: UserRow, model: UserModel) => void | Promise<void>;

const passwordHooks = new Set<PasswordChangeHook>();

/**
 * Registers `hook`, run after `setPassword()` / `changePassword()` saved a new hash (hooks run in
 * registration order; registering the same function again does nothing). Hooks run inside the
 * transaction of the change: write through the `db` they get (a hook that throws undoes the
 * change). Returns a function that unregisters it.
 *
 * @example
 * ```ts
 * onPasswordChange(async (db, user) => {
 *   await query(db, Session).filter({ userId: String(user.id) }).delete();
 * });
 * ```
 */
export function onPasswordChange(hook: PasswordChangeHook): () => void {
  if (typeof hook !== 'function') throw new TypeError('onPasswordChange() needs a function');
  passwordHooks.add(hook);
  return () => {
    passwordHooks.delete(hook);
  };
}

/** Runs the password-change hooks, in registration order. */
export async function runPasswordChangeHooks(db: Database, user: UserRow, model: UserModel): Promise<void> {
  for (const hook of [...passwordHooks]) await hook(db, user, model);
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
