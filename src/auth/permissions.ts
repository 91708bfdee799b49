/**
 * Permission checks: who is asking (`CurrentUser`, `AnonymousUser`) and what they may do.
 * A perm string is `<app>.<codename>`, e.g. `library.change_book`; a user has the permissions
 * given to them directly and those of their groups. A superuser has every permission; an
 * inactive user has none (superuser or not).
 *
 * Also here: `createPermissions()`, which the post-migrate hook runs to keep a permission row
 * for every permission every registered model declares (`Model.meta.permissions`).
 */
import {
  type AnyModel,
  allModels,
  autoJoinTable,
  type Database,
  type PermissionAction,
  query,
  tableExists,
} from '../orm/index.ts';
import { getUserModel, type UserRow } from './config.ts';
import { Permission, type UserModel } from './models.ts';

const PERM = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/u;

/** `perm` when it is written `<app>.<codename>`; a `TypeError` naming the form otherwise. */
export function checkPerm(perm: string): string {
  if (typeof perm !== 'string' || !PERM.test(perm))
    throw new TypeError(
      `${JSON.stringify(perm)} is not a permission; write '<app>.<codename>', like 'library.change_book'`,
    );
  return perm;
}

/**
 * The perm string of a model's action: `permissionName(Book, 'change')` → `library.change_book`.
 *
 * @example
 * ```ts
 * await user.hasPerm(permissionName(Book, 'delete')); // library.delete_book
 * ```
 */
export function permissionName(model: AnyModel, action: PermissionAction | (string & {})): string {
  return `${model.meta.app}.${action}_${model.meta.name.toLowerCase()}`;
}

/**
 * The query of a user's own and their groups' permissions (parameters: the user's key, twice),
 * built on first use per database and user model rather than for every user.
 */
const userPermissionQueries = new WeakMap<Database, WeakMap<UserModel, string>>();

function userPermissionQuery(db: Database, model: UserModel): string {
  let byModel = userPermissionQueries.get(db);
  if (!byModel) {
    byModel = new WeakMap();
    userPermissionQueries.set(db, byModel);
  }
  let sql = byModel.get(model);
  if (sql === undefined) {
    sql = buildUserPermissionQuery(db, model);
    byModel.set(model, sql);
  }
  return sql;
}

function buildUserPermissionQuery(db: Database, model: UserModel): string {
  const q = (name: string) => db.quoteIdentifier(name);
  const permission = q(Permission.meta.table);
  const meta = model.meta;
  const direct = autoJoinTable(meta.relation('userPermissions'))!;
  const groups = autoJoinTable(meta.relation('groups'))!;
  const groupPermissions = autoJoinTable(meta.relation('groups').target.meta.relation('permissions'))!;
  const [first, second] = [db.ops.placeholder(1), db.ops.placeholder(2)];
  // Direct and group permissions in one query.
  return (
    `select p.${q('app')} as app, p.${q('codename')} as codename from ${permission} p ` +
    `join ${q(direct.table)} up on up.${q(direct.targetColumn)} = p.${q('id')} ` +
    `where up.${q(direct.sourceColumn)} = ${first} ` +
    `union select p.${q('app')}, p.${q('codename')} from ${permission} p ` +
    `join ${q(groupPermissions.table)} gp on gp.${q(groupPermissions.targetColumn)} = p.${q('id')} ` +
    `join ${q(groups.table)} ug on ug.${q(groups.targetColumn)} = gp.${q(groupPermissions.sourceColumn)} ` +
    `where ug.${q(groups.sourceColumn)} = ${second}`
  );
}

/** Someone who is not logged in: no permissions at all. */
export class AnonymousUser {
  readonly id: null = null;
  readonly row: null = null;
  readonly isAuthenticated = false as const;
  readonly isActive = false;
  readonly isStaff = false;
  readonly isSuperuser = false;

  /** Always an empty set. */
  async permissions(): Promise<Set<string>> {
    return new Set();
  }

  /** Always `false` (the perm string is still checked). */
  async hasPerm(perm: string): Promise<boolean> {
    checkPerm(perm);
    return false;
  }

  /** Always `false` (`true` for an empty list). */
  async hasPerms(perms: readonly string[]): Promise<boolean> {
    for (const perm of perms) checkPerm(perm);
    return perms.length === 0;
  }

  /** This same user: nobody's permissions are read from any database. */
  using(_db: Database): AnonymousUser {
    return this;
  }
}

/** Options of {@link CurrentUser}. */
export interface CurrentUserOptions {
  /** The user model the row comes from (default: `getUserModel()`). */
  model?: UserModel;
}

/**
 * A logged-in user: their row, and their permissions read from the database once (at most
 * two queries for the life of the instance; make one per request). Inside a transaction, ask
 * through `user.using(tx)`: the `db` the user was made with cannot be used there.
 *
 * @example
 * ```ts
 * const user = new CurrentUser(db, await query(db, User).get({ username: 'ada' }));
 * await user.hasPerm('library.change_book');                          // direct or through a group
 * await user.hasPerms(['library.add_book', 'library.delete_book']);   // all of them
 * await db.transaction((tx) => can(user.using(tx), 'change', Book, book));
 * ```
 */
export class CurrentUser<R extends UserRow = UserRow> {
  readonly row: R;
  readonly isAuthenticated = true as const;
  readonly model: UserModel;
  readonly #db: Database;
  /** The permissions once loaded: one box shared by the user and its `using()` views (made on first need). */
  #loaded: { permissions?: Promise<Set<string>> | undefined } | undefined;

  constructor(db: Database, row: R, options: CurrentUserOptions = {}) {
    if (!row || typeof row !== 'object') throw new TypeError('CurrentUser needs a user row');
    this.#db = db;
    this.row = row;
    this.model = options.model ?? getUserModel();
  }

  /** The user's primary key. */
  get id(): unknown {
    return this.row[this.model.meta.pk.attribute];
  }

  /** Inactive users cannot log in and have no permissions. */
  get isActive(): boolean {
    return this.row.isActive === true;
  }

  /** May log into the admin. */
  get isStaff(): boolean {
    return this.row.isStaff === true;
  }

  /** Has every permission (while active). */
  get isSuperuser(): boolean {
    return this.row.isSuperuser === true;
  }

  /**
   * Every perm string the user has: given directly or through a group; for a superuser every
   * permission in the database; for an inactive user none. Loaded on the first call.
   */
  permissions(): Promise<Set<string>> {
    this.#loaded ??= {};
    const loaded = this.#loaded;
    if (loaded.permissions === undefined) {
      const loading = this.#load();
      loaded.permissions = loading;
      // A failed read (a rolled-back transaction, a database away) is not kept: the next
      // question reads again.
      loading.catch(() => {
        if (loaded.permissions === loading) loaded.permissions = undefined;
      });
    }
    return loaded.permissions;
  }

  /**
   * The same user reading through `db`: pass the `tx` of a transaction to check permissions
   * or policies inside it (the database the user was made with refuses statements issued
   * inside its own transaction). The view shares what was loaded: permissions are still read
   * at most once per request, whichever asks first.
   *
   * @example
   * ```ts
   * await db.transaction(async (tx) => {
   *   const book = await query(tx, Book).get({ id });             // read in the transaction
   *   if (!(await can(user.using(tx), 'change', Book, book))) throw new HttpError(403);
   *   await query(tx, Book).filter({ id }).update({ title });
   * });
   * ```
   */
  using(db: Database): CurrentUser<R> {
    this.#loaded ??= {};
    const view = new CurrentUser(db, this.row, { model: this.model });
    view.#loaded = this.#loaded;
    return view;
  }

  /** `true` when the user has `perm` (`app.codename`). A superuser has all; an inactive user none. */
  async hasPerm(perm: string): Promise<boolean> {
    checkPerm(perm);
    if (!this.isActive) return false;
    if (this.isSuperuser) return true;
    return (await this.permissions()).has(perm);
  }

  /** `true` when the user has every one of `perms`. */
  async hasPerms(perms: readonly string[]): Promise<boolean> {
    for (const perm of perms) checkPerm(perm);
    if (!this.isActive) return false;
    if (this.isSuperuser) return true;
    const mine = await this.permissions();
    return perms.every((perm) => mine.has(perm));
  }

  /** `true` when the user has at least one permission of `app` (what the admin's index shows). */
  async hasModulePerms(app: string): Promise<boolean> {
    if (!this.isActive) return false;
    if (this.isSuperuser) return true;
    for (const perm of await this.permissions()) if (perm.startsWith(`${app}.`)) return true;
    return false;
  }

  async #load(): Promise<Set<string>> {
    if (!this.isActive) return new Set();
    const db = this.#db;
    if (this.isSuperuser) {
      const q = (name: string) => db.quoteIdentifier(name);
      const rows = await db.all<{ app: string; codename: string }>(
        `select ${q('app')}, ${q('codename')} from ${q(Permission.meta.table)}`,
      );
      return new Set(rows.map((row) => `${row.app}.${row.codename}`));
    }
    const id = this.id;
    const sql = userPermissionQuery(db, this.model);
    const rows = await db.all<{ app: string; codename: string }>(sql, [id, id]);
    return new Set(rows.map((row) => `${row.app}.${row.codename}`));
  }
}

/** Whoever makes a request: logged in or not. */
export type AuthUser = CurrentUser | AnonymousUser;

/**
 * Creates the permission rows missing for `models` (default: every registered model) and
 * returns how many it created. Removes nothing. Does nothing when the permission table does not
 * exist yet (the auth migrations have not run). The post-migrate hook runs it after every migrate.
 *
 * @example
 * ```ts
 * await createPermissions(db); // e.g. 4 rows for a new library.Book: add/change/delete/view_book
 * ```
 */
export async function createPermissions(
  db: Database,
  models: readonly AnyModel[] = allModels(),
): Promise<number> {
  if (!(await tableExists(db, Permission.meta.table))) return 0;
  const existing = new Set(
    (await query(db, Permission).values('app', 'codename')).map((row) => `${row.app}.${row.codename}`),
  );
  const missing: { name: string; app: string; model: string; codename: string }[] = [];
  for (const model of models) {
    const { app, name } = model.meta;
    for (const permission of model.meta.permissions) {
      const key = `${app}.${permission.codename}`;
      if (existing.has(key)) continue;
      existing.add(key);
      missing.push({ name: permission.name, app, model: name.toLowerCase(), codename: permission.codename });
    }
  }
  if (missing.length) await query(db, Permission).bulkCreate(missing);
  return missing.length;
}
