/**
 * `auth()`: users as an installed app. Its models and packaged migrations, the permission rows
 * made after every migrate, sessions in a signed cookie, bearer tokens, CSRF protection,
 * `ctx.user` and `ctx.session`, the guards routes declare (`requireUser`, `requirePerm`), the
 * policies and password-change hooks of this app, and the auth routes: login/logout, the OAuth2
 * password flow, API tokens, password change and reset.
 */
import { defineApp, type InstalledApp } from '../apps/define-app.ts';
import type { VoltApp } from '../http/app.ts';
import type { AnyContext } from '../http/context.ts';
import { type Dependency, dependency } from '../http/dependencies.ts';
import { HttpError } from '../http/errors.ts';
import { escapeHtml } from '../http/escape-html.ts';
import { ownFile } from '../http/own-files.ts';
import type { SecurityRequirement } from '../http/route.ts';
import type { Database } from '../orm/database.ts';
import type { AnyModel, PermissionAction, Row } from '../orm/index.ts';
import { query } from '../orm/query/queryset.ts';
import { MemoryThrottleStore, type ThrottleStore } from '../security/throttle.ts';
import { checkUserModel, type PasswordChangeHook, saveUserFields, type UserRow } from './config.ts';
import { CredentialCheck, DEFAULT_LOGIN_LIMITS, type LoginLimits } from './credentials.ts';
import { CSRF_FIELD, csrfCheck, hasBearer } from './csrf.ts';
import { DeviceCookies } from './device-cookies.ts';
import { orUndefined } from './found.ts';
import { type MailBackend, mailBackendFromSettings } from './mail/index.ts';
import { Group, Permission, Session, Token, User, type UserModel } from './models.ts';
import { type PasswordParams, setPassword } from './passwords.ts';
import { AnonymousUser, CurrentUser, createPermissions } from './permissions.ts';
import { Policies, type Policy } from './policy-registry.ts';
import { checkRequiredPermissions, type PermissionArgs, permissionsOf } from './required-permissions.ts';
import { PASSWORD_FLOW_TOKEN } from './route-kit.ts';
import { addRoutes } from './routes.ts';
import { SessionData } from './session-data.ts';
import { DatabaseSessionStore, type SessionStore } from './session-store.ts';
import { Sessions } from './sessions.ts';
import { verifyToken } from './tokens.ts';

export type { LoginLimits } from './credentials.ts';

/** Options of {@link auth}. */
export interface AuthOptions<U extends UserModel = UserModel> {
  /** The user model; `auth.User` by default. Build your own with `userModel()`. */
  user?: U;
  /** Where sessions live; the database (`auth.Session`) by default. */
  sessions?: SessionStore;
  /** Where failed logins are counted; in memory by default (use a Redis store with several instances). */
  throttle?: ThrottleStore;
  /** Failed-login limits. */
  loginLimits?: Partial<LoginLimits>;
  /** How mail is sent (password reset); from the settings (`EMAIL_BACKEND`) by default. */
  mail?: MailBackend;
  /** Prefix of the auth routes, `/auth` by default; `false` adds none (use the guards and helpers alone). */
  routes?: string | false;
  /** Lifetime of tokens issued by the OAuth2 password flow, in seconds. Default one hour (3600). */
  accessTokenLifetime?: number;
  /** Lifetime of password reset links, in seconds. Default one hour. */
  resetTokenLifetime?: number;
  /** The link in the reset mail; `<SITE_URL><prefix>/password-reset/confirm?token=…` by default. */
  resetUrl?: (token: string, origin: string) => string;
  /** Password hashing parameters (scrypt cost); Volt's defaults otherwise. */
  passwordParams?: Partial<PasswordParams>;
  /**
   * How long (seconds) after logging in a session may create API tokens without typing the password
   * again (GitHub's "sudo mode"). Default 5 minutes; 0 always asks for it.
   */
  reauthWindow?: number;
  /** Policies by model, as `definePolicy()` takes them: `new Map([[Review, { canChange }]])`. */
  policies?: ReadonlyMap<AnyModel, Policy> | Iterable<readonly [AnyModel, Policy]>;
}

/** The OpenAPI security requirements of a route guarded by Volt auth. */
export const AUTH_SECURITY: SecurityRequirement[] = [
  { OAuth2PasswordBearer: [] },
  { bearerAuth: [] },
  { sessionCookie: [] },
];

/** What `auth()` adds to the request context of the app it is installed on. */
export interface AuthContext<R extends UserRow = UserRow> {
  /**
   * Whoever makes the request: the logged-in user (bearer token or session cookie), else an
   * anonymous one. Resolved before the handler, once, and only for a request carrying
   * credentials; a bearer token that is invalid makes reading it a 401.
   */
  readonly user: CurrentUser<R> | AnonymousUser;
  /** The request's session data; see {@link SessionData}. */
  readonly session: SessionData;
}

/**
 * What {@link auth} gives: the installed app, with guards as dependencies and helpers for your
 * own routes. The helpers work once the app is installed (`volt({ apps: [users] })`).
 */
export interface Auth<R extends UserRow = UserRow> extends InstalledApp<{}, AuthContext<R>> {
  /** The current user, or an anonymous one (never fails for a missing login). */
  readonly user: Dependency<CurrentUser<R> | AnonymousUser>;
  /** The logged-in user; a 401 problem when there is none. */
  readonly requireUser: Dependency<CurrentUser<R>>;
  /**
   * The logged-in user holding every permission given; 401 without a login, 403 without the
   * permissions. A malformed name throws here; one that no model declares and the permission
   * table lacks stops the app's start, naming the closest known one.
   */
  requirePerm(...permissions: string[]): Dependency<CurrentUser<R>>;
  /** The same for a model's default permission: `requirePerm(Book, 'change')` is `library.change_book`. */
  requirePerm(model: AnyModel, action: PermissionAction): Dependency<CurrentUser<R>>;
  /** The user model in use. */
  readonly userModel: UserModel;
  /** The session layer (store, cookie, CSRF tokens); there once the app is installed. */
  readonly sessions: Sessions;
  /** The policies of this app's users (`can()` asks them). */
  readonly policies: Policies;
  /** The anonymous user of this app (what `ctx.user` is without a login): it carries the app's policies. */
  readonly anonymous: AnonymousUser;
  /**
   * Gives `model` its policy on this app (once per model). See `can()` for the order in which
   * inactive users, superusers, policies and model permissions decide.
   *
   * @example
   * ```ts
   * users.definePolicy(Review, { canChange: (user, review) => review?.userId === user.id });
   * ```
   */
  definePolicy<M extends AnyModel>(model: M, policy: Policy): Policy;
  /**
   * Runs `hook` after a password of this app's users is set (`users.setPassword()`, the auth
   * routes, `volt changepassword`), inside the change's transaction. Returns a function that
   * removes it.
   */
  onPasswordChange(hook: PasswordChangeHook): () => void;
  /** Hashes and saves a new password of `row` (`null`: unusable), running this app's password-change hooks. */
  setPassword(db: Database, row: UserRow, password: string | null): Promise<string>;
  /** The request's CSRF token (masked), for forms and scripts; stores nothing for a visitor without a session. */
  csrfToken(ctx: AnyContext): Promise<string>;
  /** An `<input type="hidden">` holding the CSRF token, for HTML forms. */
  csrfInput(ctx: AnyContext): Promise<string>;
  /**
   * Logs `user` in on this request: a new session id (no fixation), its cookie, `lastLogin`,
   * and the device cookie that lets this browser past the username's lockout later.
   */
  login(ctx: AnyContext, user: Record<string, any>): Promise<void>;
  /** Ends the request's session. */
  logout(ctx: AnyContext): Promise<void>;
  /**
   * Checks a username and password, with the failed-login limits and the same time and answer
   * whether the user exists or not. Gives the user row, or throws a 401/429 problem.
   */
  authenticate(ctx: AnyContext, username: string, password: string): Promise<Record<string, any>>;
  /**
   * Checks the current password of the logged-in user `row` before a sensitive change, under
   * the same limits as a login: a 400 on `body.<field>` when missing or wrong, 429 while locked.
   */
  confirmPassword(
    ctx: AnyContext,
    row: Record<string, any>,
    password: string | undefined,
    field?: string,
  ): Promise<void>;
}

/** A 401 asking for credentials (`WWW-Authenticate: Bearer`, with an error for a bad token). */
export function unauthorized(detail: string, bearerError?: string): HttpError {
  return new HttpError(401, {
    code: 'VOLT_AUTH_NOT_AUTHENTICATED',
    detail,
    headers: {
      'www-authenticate': bearerError ? `Bearer error="${bearerError}"` : 'Bearer',
    },
  });
}

/** The auth app's own models, whose tables its packaged migration makes. */
const AUTH_MODELS = [Permission, Group, User, Session, Token];

// Where a resolved user waits on its request's context (made before the handler, read by
// `ctx.user` and the guards).
const USER = Symbol('volt.auth.user');
const FAILED = Symbol('volt.auth.user-failed');
const SESSION = Symbol('volt.auth.session');

type Held = {
  [USER]?: Promise<CurrentUser | AnonymousUser> | CurrentUser | AnonymousUser;
  [FAILED]?: unknown;
  [SESSION]?: SessionData;
};

/**
 * Users for an app: install it with `volt({ apps: [users] })`. Brings the auth models and their
 * migration, the permission rows made after every migrate, `ctx.user` and `ctx.session`, the
 * CSRF check, the security schemes of the docs and (unless `routes: false`) the auth routes under
 * `/auth`. The guards and helpers it returns belong to this app: its user model, its policies,
 * its password-change hooks.
 *
 * @example
 * ```ts
 * const users = auth({ user: Customer });
 * const app = volt({ apps: [users, shop] });
 * users.definePolicy(Order, { canView: (user, order) => order?.customerId === user.id });
 * app.get('/orders', { deps: { user: users.requirePerm(Order, 'view') } }, (ctx) => …);
 * app.get('/me', {}, (ctx) => ({ name: ctx.user.isAuthenticated ? ctx.user.row.username : null }));
 * ```
 */
export function auth<U extends UserModel = typeof User>(options: AuthOptions<U> = {}): Auth<Row<U>> {
  const User_ = checkUserModel((options.user ?? User) as UserModel);
  const pk = User_.meta.pk;
  const numericPk = pk.kind === 'auto' || pk.kind === 'integer' || pk.kind === 'bigint';
  const policies = new Policies();
  for (const [model, policy] of options.policies ?? []) policies.define(model, policy);
  const passwordHooks: PasswordChangeHook[] = [];
  const prefix = options.routes === false ? undefined : (options.routes ?? '/auth');
  // Made when the app is installed (the settings are the app's).
  let installed:
    | { app: VoltApp; sessions: Sessions; credentials: CredentialCheck; devices: DeviceCookies }
    | undefined;
  const state = () => {
    if (!installed)
      throw new Error('This auth() app is not installed: pass it to volt({ apps: [...] }) first');
    return installed;
  };
  const db = () => state().app.db;
  const anonymous = new AnonymousUser(policies);

  const userById = async (database: Database, id: string | null | undefined) => {
    if (id === null || id === undefined) return undefined;
    const value = numericPk ? Number(id) : id;
    if (numericPk && !Number.isSafeInteger(value)) return undefined;
    // An id a reset token names is the client's text: one the key field refuses (a malformed
    // UUID, say) names no user, rather than failing in the database.
    if (pk.check(value).length > 0) return undefined;
    // get() by the primary key takes the ORM's cached single-row plan.
    return (await orUndefined(query(database, User_).get({ [pk.attribute]: value } as never))) as
      | Record<string, any>
      | undefined;
  };

  const resolveUser = async (ctx: AnyContext): Promise<CurrentUser | AnonymousUser> => {
    const { sessions } = state();
    const { request } = ctx;
    const database = ctx.db;
    if (hasBearer(request)) {
      const token = (request.headers.authorization ?? '').replace(/^bearer\s+/i, '').trim();
      const record = await verifyToken(database, token);
      if (!record) throw unauthorized('The bearer token is invalid or has expired.', 'invalid_token');
      const row = await userById(database, record.userId);
      if (!row?.isActive) throw unauthorized('The bearer token is invalid or has expired.', 'invalid_token');
      return new CurrentUser(database, row, { model: User_, policies });
    }
    if (!sessions.hasCookie(request)) return anonymous;
    // The answer depends on the cookie: no shared cache may give it to another browser.
    ctx.reply.header('vary', 'Cookie');
    const session = await sessions.load(request);
    const row = await userById(database, session.record?.userId);
    if (!row?.isActive || !sessions.matchesUser(session, row.password)) return anonymous;
    return new CurrentUser(database, row, { model: User_, policies });
  };

  /** The request's user: resolved once per request (before the handler when it has credentials). */
  const userOf = (ctx: AnyContext): Promise<CurrentUser | AnonymousUser> | CurrentUser | AnonymousUser => {
    const held = ctx as unknown as Held;
    const known = held[USER];
    if (known !== undefined) return known;
    const resolving = resolveUser(ctx).then(
      (user) => {
        held[USER] = user;
        return user;
      },
      (error: unknown) => {
        held[FAILED] = error;
        throw error;
      },
    );
    held[USER] = resolving;
    return resolving;
  };

  /** Makes `user` the request's user from here on (a login, a logout), whatever was read before. */
  const becomes = (ctx: AnyContext, next: CurrentUser | AnonymousUser) => {
    const held = ctx as unknown as Held;
    held[USER] = next;
    delete held[FAILED];
  };

  const user = dependency({ name: 'currentUser' }, (ctx) => userOf(ctx));
  const requireUser = dependency(
    {
      name: 'requireUser',
      uses: { user },
      security: AUTH_SECURITY,
      responses: { 401: 'Not authenticated' },
    },
    (_ctx, deps) => {
      if (!deps.user.isAuthenticated)
        throw unauthorized('Authentication is required: log in or send a bearer token.');
      return deps.user as CurrentUser;
    },
  );

  // Every permission a route requires, checked against the known ones when the app starts
  // (the database is open then, and migrate has made the permission rows).
  const required = new Set<string>();
  const requirePerm = (...args: PermissionArgs) => {
    const permissions = permissionsOf(args);
    for (const perm of permissions) required.add(perm);
    return dependency(
      {
        name: `requirePerm(${permissions.join(', ')})`,
        uses: { user: requireUser },
        security: AUTH_SECURITY,
        responses: { 401: 'Not authenticated', 403: 'Permission denied' },
      },
      async (_ctx, deps) => {
        if (!(await deps.user.hasPerms(permissions)))
          throw new HttpError(403, {
            code: 'VOLT_AUTH_PERMISSION_DENIED',
            detail: `You do not have the permission${permissions.length > 1 ? 's' : ''} ${permissions.join(', ')}.`,
          });
        return deps.user;
      },
    );
  };

  const login = async (ctx: AnyContext, row: Record<string, any>) => {
    const { sessions, devices } = state();
    await sessions.rotate(
      ctx.request,
      ctx.reply,
      String(row[pk.attribute]),
      sessions.loginData(row.password),
    );
    devices.issue(ctx.reply, String(row.username), String(row[pk.attribute]));
    const lastLogin = new Date();
    await saveUserFields(ctx.db, User_, row[pk.attribute], { lastLogin });
    row.lastLogin = lastLogin;
    // From here on this request is the user's.
    becomes(ctx, new CurrentUser(ctx.db, row, { model: User_, policies }));
  };

  // A password change ends the user's sessions (the session's password HMAC would end them at
  // their next request anyway; this frees the store at once). The OAuth2 password-flow tokens
  // stand for that password too: they go with it. Named API tokens go unless the owner chose to
  // keep them (the routes revoke them; a reset always does).
  passwordHooks.push(async (changedDb, changed) => {
    // Through the database the change is made in (its transaction): a command (`volt
    // changepassword`) runs without the app's startup, and a write on another connection would
    // wait for that transaction to end.
    const sessionsOf =
      !options.sessions || options.sessions instanceof DatabaseSessionStore
        ? new DatabaseSessionStore(changedDb)
        : options.sessions;
    await sessionsOf.destroyUser(String(changed[pk.attribute]));
    await query(changedDb, Token)
      .filter({ userId: String(changed[pk.attribute]), name: PASSWORD_FLOW_TOKEN })
      .delete();
  });

  const setup = (app: VoltApp) => {
    if (installed)
      throw new Error('This auth() app is installed on another app already; call auth() once per app');
    const settings = app.settings;
    const store = options.sessions ?? new DatabaseSessionStore(() => app.db);
    const sessions = new Sessions(store, settings);
    const throttleStore = options.throttle ?? new MemoryThrottleStore();
    const devices = new DeviceCookies(settings, prefix ?? '/');
    const credentials = new CredentialCheck({
      db: () => app.db,
      user: User_,
      passwordParams: options.passwordParams,
      limits: { ...DEFAULT_LOGIN_LIMITS, ...options.loginLimits },
      store: throttleStore,
      devices,
    });
    installed = { app, sessions, credentials, devices };

    // The OAuth2 token endpoint issues a token for the credentials in its body, never for the
    // session, and a forged request cannot read the answer: a logged-in browser (the docs'
    // Authorize button) posts to it without the CSRF token.
    const csrfExempt = new Set(prefix === undefined ? [] : [`${prefix}/token`]);
    const csrf = csrfCheck(sessions, settings.csrfTrustedOrigins, csrfExempt);
    // Both hooks let a request without an Authorization or Cookie header (most requests to an
    // open route) through at the cost of two property reads.
    app.on('request', (ctx) => {
      const { request } = ctx;
      const { headers } = request;
      if (headers.authorization === undefined && headers.cookie === undefined) return;
      // An answer to a request carrying credentials is that user's: no cache, shared or the
      // browser's own, may keep it (a route that knows better sets its own Cache-Control).
      if (hasBearer(request) || sessions.hasCookie(request)) ctx.reply.header('cache-control', 'no-store');
    });
    app.on('beforeHandler', (ctx) => {
      const { request } = ctx;
      const { headers } = request;
      if (headers.authorization === undefined && headers.cookie === undefined) return undefined;
      const bearer = hasBearer(request);
      if (!bearer && !sessions.hasCookie(request)) return undefined;
      const checked = bearer ? undefined : csrf(request);
      const resolve = () => {
        // Resolved now, read by ctx.user and the guards; a bad token fails only where it is read.
        const pending = userOf(ctx);
        if (pending instanceof Promise) return pending.then(noop, noop);
        return undefined;
      };
      return checked ? checked.then(resolve) : resolve();
    });
    app.defineContextProperty('user', (ctx) => {
      const held = ctx as unknown as Held;
      if (held[FAILED] !== undefined) throw held[FAILED];
      const known = held[USER];
      if (known === undefined) {
        // Auth's beforeHandler hook resolves the user of every request with credentials; an
        // earlier hook (a `request` hook, or an app's installed before auth) reads too soon.
        if (hasBearer(ctx.request) || sessions.hasCookie(ctx.request))
          throw new Error(
            "ctx.user is read before auth resolved it: read it in a beforeHandler hook of an app installed after auth() (requires: ['auth']), a dependency or the handler",
          );
        return anonymous;
      }
      if (known instanceof Promise)
        throw new Error(
          'ctx.user is still being resolved: read it in the handler (or await the currentUser dependency)',
        );
      return known;
    });
    app.defineContextProperty('session', (ctx) => {
      const held = ctx as unknown as Held;
      let data = held[SESSION];
      if (data === undefined) {
        data = new SessionData(ctx, sessions);
        held[SESSION] = data;
        // Saved after the handler (or its failure), before the response leaves: only on a
        // request that read ctx.session, and a store call only when the data changed. Read
        // for the first time later (a `response` hook), it can no longer change.
        const saving = data;
        if (!ctx.beforeSend(() => saving.close())) saving.close();
      }
      return data;
    });
    app.on('startup', async () => {
      if (required.size === 0) return;
      await checkRequiredPermissions(app.hasDatabase ? app.db : undefined, required);
    });
    app.securitySchemes.OAuth2PasswordBearer ??= {
      type: 'oauth2',
      description:
        'A bearer token: from the password flow below, or an API token (`Authorization: Bearer …`).',
      flows: { password: { tokenUrl: `${prefix ?? '/auth'}/token`, scopes: {} } },
    };
    app.securitySchemes.bearerAuth ??= {
      type: 'http',
      scheme: 'bearer',
      description: `An API token (\`volt_…\`) made at \`POST ${prefix ?? '/auth'}/tokens\`.`,
    };
    app.securitySchemes.sessionCookie ??= {
      type: 'apiKey',
      in: 'cookie',
      name: settings.sessionCookieName,
      description: 'The session cookie set by login; unsafe requests also need the X-CSRF-Token header.',
    };
    if (prefix !== undefined) {
      addRoutes(app, users, {
        prefix,
        db,
        pkName: pk.attribute,
        userById: (id) => userById(app.db, id),
        mail: options.mail ?? mailBackendFromSettings(settings),
        accessTokenLifetime: options.accessTokenLifetime ?? 3600,
        resetTokenLifetime: options.resetTokenLifetime ?? 3600,
        resetUrl:
          options.resetUrl ?? ((token, origin) => `${origin}${prefix}/password-reset/confirm?token=${token}`),
        passwordParams: options.passwordParams,
        passwordHooks,
        reauthWindow: options.reauthWindow ?? 5 * 60,
        credentials,
        throttleStore,
      });
    }
  };

  const base = defineApp({
    name: 'auth',
    models: AUTH_MODELS,
    migrations: ownFile('auth/migrations/'),
    // The permission rows of every model, after every migrate.
    postMigrate: async (database, { log }) => {
      const created = await createPermissions(database);
      if (created > 0) log(`Created ${created} permission${created === 1 ? '' : 's'}.\n`);
    },
    setup,
  });

  const users: Auth = {
    ...(base as InstalledApp<{}, any>),
    user,
    requireUser,
    requirePerm: requirePerm as Auth['requirePerm'],
    userModel: User_,
    get sessions() {
      return state().sessions;
    },
    policies,
    anonymous,
    definePolicy: (model, policy) => policies.define(model, policy),
    onPasswordChange: (hook) => {
      if (typeof hook !== 'function') throw new TypeError('onPasswordChange() needs a function');
      // The same function twice is registered once: by the first call, whose remover removes it.
      if (passwordHooks.includes(hook)) return noop;
      passwordHooks.push(hook);
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        const at = passwordHooks.indexOf(hook);
        if (at !== -1) passwordHooks.splice(at, 1);
      };
    },
    setPassword: (database, row, password) =>
      setPassword(database, User_, row, password, { params: options.passwordParams, hooks: passwordHooks }),
    csrfToken: (ctx) => state().sessions.csrfToken(ctx.request, ctx.reply),
    csrfInput: async (ctx) => {
      const token = await state().sessions.csrfToken(ctx.request, ctx.reply);
      return `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(token)}">`;
    },
    login,
    logout: async (ctx) => {
      await state().sessions.end(ctx.request, ctx.reply);
      becomes(ctx, anonymous);
    },
    authenticate: (ctx, username, password) => state().credentials.login(ctx.request, username, password),
    confirmPassword: (ctx, row, password, field) =>
      state().credentials.confirm(ctx.request, row, password, field),
  };
  return users as unknown as Auth<Row<U>>;
}

function noop(): void {}
