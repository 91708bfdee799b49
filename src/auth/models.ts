/**
 * The auth app's models: users, groups and permissions, plus the server-side sessions and API
 * tokens that authenticate requests. Their tables come from the migrations shipped in
 * `src/auth/migrations/auth/`, which the auth app (`auth()`) brings to the apps it is installed on.
 *
 * The user model is extendable: {@link userModel} builds one with every built-in field plus the
 * project's own, in the project's app (its migrations live with the project's).
 */
import { type FieldMap, f, type Model, type ModelOptions, model } from '../orm/index.ts';

/** A permission: `app.codename`, e.g. `shop.change_product`. */
export const Permission = model(
  'auth.Permission',
  {
    name: f.string({ maxLength: 255 }),
    app: f.string({ maxLength: 100 }),
    model: f.string({ maxLength: 100, default: '' }),
    codename: f.string({ maxLength: 100 }),
  },
  { ordering: ['app', 'model', 'codename'], uniqueTogether: [['app', 'codename']] },
);

/** A named set of permissions; a user in the group has them all. */
export const Group = model(
  'auth.Group',
  {
    name: f.string({ maxLength: 150, unique: true }),
    permissions: f.manyToMany(() => Permission),
  },
  { ordering: ['name'] },
);

/**
 * The fields every user model has. Privilege fields and the password hash are not editable
 * (`editable: false`): the model's create/update schemas leave them out, so a request body can
 * never set them.
 */
export function userFields() {
  return {
    username: f.string({
      maxLength: 150,
      unique: true,
      pattern: '^[\\w.@+-]+$',
      helpText: '150 characters or fewer: letters, digits and @ . + - _ only.',
    }),
    email: f.email({ default: '' }),
    password: f.string({ maxLength: 255, default: '', editable: false, writeOnly: true }),
    firstName: f.string({ maxLength: 150, default: '' }),
    lastName: f.string({ maxLength: 150, default: '' }),
    isActive: f.boolean({
      default: true,
      editable: false,
      helpText: 'Inactive users cannot log in and have no permissions.',
    }),
    isStaff: f.boolean({ default: false, editable: false, helpText: 'Can log into the admin.' }),
    isSuperuser: f.boolean({
      default: false,
      editable: false,
      helpText: 'Has every permission without them being given.',
    }),
    lastLogin: f.datetime({ nullable: true, editable: false }),
    dateJoined: f.datetime({ autoNowAdd: true }),
    groups: f.manyToMany(() => Group),
    userPermissions: f.manyToMany(() => Permission),
  };
}

/** The built-in fields of a user model. */
export type UserFields = ReturnType<typeof userFields>;

/**
 * Declares a user model: the built-in fields plus `extra`.
 *
 * @example
 * ```ts
 * export const Customer = userModel('shop.Customer', { phone: f.string({ maxLength: 20, default: '' }) });
 * const users = auth({ user: Customer });
 * ```
 */
export function userModel<const E extends FieldMap = {}>(
  label: string,
  extra: E = {} as E,
  options: ModelOptions<UserFields & E> = {},
): Model<UserFields & E> {
  const defaults = { ordering: ['username'] } as unknown as ModelOptions<UserFields & E>;
  return model(label, { ...userFields(), ...extra } as UserFields & E, { ...defaults, ...options });
}

/** The default user model, `auth.User`. */
export const User = userModel('auth.User');

/**
 * Any model built by {@link userModel} (`auth.User` or a project's own). Typed loosely: each
 * user model has its own extra fields; `auth({ user })` checks the built-in ones at run time.
 */
export type UserModel = Model<any>;

/** A server-side session. The key is the SHA-256 of the id in the cookie, never the id itself. */
export const Session = model(
  'auth.Session',
  {
    key: f.string({ maxLength: 64, primaryKey: true }),
    userId: f.string({ maxLength: 64, nullable: true, index: true }),
    data: f.json({ default: () => ({}) }),
    expiresAt: f.datetime({ index: true }),
    lastSeen: f.datetime(),
  },
  {},
);

/** An API token. Only its SHA-256 is stored; the token itself is shown once, when created. */
export const Token = model(
  'auth.Token',
  {
    keyHash: f.string({ maxLength: 64, unique: true }),
    prefix: f.string({ maxLength: 16 }),
    name: f.string({ maxLength: 100 }),
    userId: f.string({ maxLength: 64, index: true }),
    created: f.datetime({ autoNowAdd: true }),
    expiresAt: f.datetime({ nullable: true }),
    lastUsed: f.datetime({ nullable: true }),
  },
  { ordering: ['-created'] },
);
