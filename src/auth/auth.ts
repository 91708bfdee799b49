/**
 * `createAuth()`: users on the request path. Sessions in a signed cookie, bearer tokens,
 * CSRF protection, the guards routes declare (`requireUser`, `requirePerm`), and the auth
 * routes: login/logout, the OAuth2 password flow, API tokens, password change and reset.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VoltApp } from '../http/app.ts';
import type { Context } from '../http/context.ts';
import { type Dependency, dependency } from '../http/dependencies.ts';
import { HttpError } from '../http/errors.ts';
import type { SecurityRequirement } from '../http/route.ts';
import type { Database } from '../orm/database.ts';
import type { AnyModel, PermissionAction } from '../orm/index.ts';
import { query } from '../orm/query/queryset.ts';
import { MemoryThrottleStore, type ThrottleStore } from '../security/throttle.ts';
import { getUserModel, onPasswordChange, saveUserFields, setUserModel } from './config.ts';
import { CredentialCheck, DEFAULT_LOGIN_LIMITS, type LoginLimits } from './credentials.ts';
import { CSRF_FIELD, hasBearer, installCsrf } from './csrf.ts';
import { DeviceCookies } from './device-cookies.ts';
import { orUndefined } from './found.ts';
import { type MailBackend, mailBackendFromSettings } from './mail/index.ts';
import { Token, type UserModel } from './models.ts';
import type { PasswordParams } from './passwords.ts';
import { AnonymousUser, CurrentUser } from './permissions.ts';
import { checkRequiredPermissions, type PermissionArgs, permissionsOf } from './required-permissions.ts';
import { escapeHtml } from './reset-page.ts';
import { PASSWORD_FLOW_TOKEN } from './route-kit.ts';
import { addRoutes } from './routes.ts';
import { DatabaseSessionStore, type SessionStore } from './session-store.ts';
import { Sessions } from './sessions.ts';
import { verifyToken } from './tokens.ts';

export type { LoginLimits } from './credentials.ts';

/** Options of {@link createAuth}. */
export interface AuthOptions {
  /** The database (or a function giving it, for one opened at startup). */
  db: Database | (() => Database);
  /** The user model; `auth.User` by default. Build your own with `userModel()`. */
  user?: UserModel;
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
  /** Lifetime of tokens issued by the OAuth2 password flow, in ms. Default one hour. */
  accessTokenLifetime?: number;
  /** Lifetime of password reset links, in seconds. Default one hour. */
  resetTokenLifetime?: number;
  /** The link in the reset mail; `<SITE_URL><prefix>/password-reset/confirm?token=…` by default. */
  resetUrl?: (token: string, origin: string) => string;
  /** Password hashing parameters (scrypt cost); Volt's defaults otherwise. */
  passwordParams?: Partial<PasswordParams>;
  /**
   * How long (ms) after logging in a session may create API tokens without typing the password
   * again (GitHub's "sudo mode"). Default 5 minutes; 0 always asks for it.
   */
  reauthWindow?: number;
}

/** The OpenAPI security requirements of a route guarded by Volt auth. */
export const AUTH_SECURITY: SecurityRequirement[] = [
  { OAuth2PasswordBearer: [] },
  { bearerAuth: [] },
  { sessionCookie: [] },
];

/** What {@link createAuth} gives: guards as dependencies, and helpers for your own routes. */
export interface Auth {
  /** The current user, or an anonymous one (never fails for a missing login). */
  readonly user: Dependency<CurrentUser | AnonymousUser>;
  /** The logged-in user; a 401 problem when there is none. */
  readonly requireUser: Dependency<CurrentUser>;
  /**
   * The logged-in user holding every permission given; 401 without a login, 403 without the
   * permissions. A malformed name throws here; one that no model declares and the permission
   * table lacks stops the app's start, naming the closest known one.
   */
  requirePerm(...permissions: string[]): Dependency<CurrentUser>;
  /** The same for a model's default permission: `requirePerm(Book, 'change')` is `library.change_book`. */
  requirePerm(model: AnyModel, action: PermissionAction): Dependency<CurrentUser>;
  /** The user model in use. */
  readonly userModel: UserModel;
  /** The session layer (store, cookie, CSRF tokens). */
  readonly sessions: Sessions;
  /** The request's CSRF token (masked), for forms and scripts; stores nothing for a visitor without a session. */
  csrfToken(ctx: Context<any, any, any, any, any, any>): Promise<string>;
  /** An `<input type="hidden">` holding the CSRF token, for HTML forms. */
  csrfInput(ctx: Context<any, any, any, any, any, any>): Promise<string>;
  /**
   * Logs `user` in on this request: a new session id (no fixation), its cookie, `lastLogin`,
   * and the device cookie that lets this browser past the username's lockout later.
   */
  login(ctx: Context<any, any, any, any, any, any>, user: Record<string, any>): Promise<void>;
  /** Ends the request's session. */
  logout(ctx: Context<any, any, any, any, any, any>): Promise<void>;
  /**
   * Checks a username and password, with the failed-login limits and the same time and answer
   * whether the user exists or not. Gives the user row, or throws a 401/429 problem.
   */
  authenticate(request: FastifyRequest, username: string, password: string): Promise<Record<string, any>>;
  /**
   * Checks the current password of the logged-in user `row` before a sensitive change, under
   * the same limits as a login: a 400 on `body.<field>` when missing or wrong, 429 while locked.
   */
  confirmPassword(
    request: FastifyRequest,
    row: Record<string, any>,
    password: string | undefined,
    field?: string,
  ): Promise<void>;
}

function unauthorized(detail: string, bearerError?: string): HttpError {
  return new HttpError(401, {
    detail,
    headers: {
      'www-authenticate': bearerError ? `Bearer error="${bearerError}"` : 'Bearer',
    },
  });
}

/**
 * Adds users to an app. Registers the CSRF check, the security schemes of the docs and (unless
 * `routes: false`) the auth routes under `/auth`.
 *
 * @example
 * ```ts
 * const auth = createAuth(app, { db: () => database });
 * app.get('/orders', { deps: { user: auth.requirePerm(Order, 'view') } }, (ctx) => …);
 * ```
 */
export function createAuth(app: VoltApp, options: AuthOptions): Auth {
  const settings = app.settings;
  const db = typeof options.db === 'function' ? options.db : () => options.db as Database;
  if (options.user) setUserModel(options.user);
  const User = options.user ?? getUserModel();
  const pk = User.meta.pk;
  const numericPk = pk.kind === 'auto' || pk.kind === 'integer' || pk.kind === 'bigint';
  const store = options.sessions ?? new DatabaseSessionStore(db);
  const sessions = new Sessions(store, settings);
  const throttleStore = options.throttle ?? new MemoryThrottleStore();
  const mail = options.mail ?? mailBackendFromSettings(settings);
  const prefix = options.routes === false ? undefined : (options.routes ?? '/auth');
  const devices = new DeviceCookies(settings, prefix ?? '/');
  const credentials = new CredentialCheck({
    db,
    user: User,
    passwordParams: options.passwordParams,
    limits: { ...DEFAULT_LOGIN_LIMITS, ...options.loginLimits },
    store: throttleStore,
    devices,
  });

  // The OAuth2 token endpoint issues a token for the credentials in its body, never for the
  // session, and a forged request cannot read the answer: a logged-in browser (the docs'
  // Authorize button) posts to it without the CSRF token.
  const csrfExempt = new Set(prefix === undefined ? [] : [`${prefix}/token`]);
  installCsrf(app.fastify, sessions, settings.csrfTrustedOrigins, csrfExempt);
  // An answer to a request carrying credentials is that user's: no cache, shared or the
  // browser's own, may keep it (a route that knows better sets its own Cache-Control).
  app.fastify.addHook('onRequest', (request, reply, done) => {
    if (hasBearer(request) || sessions.hasCookie(request)) reply.header('cache-control', 'no-store');
    done();
  });
  // A password change ends the user's sessions (the session's password HMAC would end them at
  // their next request anyway; this frees the store at once).
  // The OAuth2 password-flow tokens stand for that password too: they go with it. Named API
  // tokens go unless the owner chose to keep them (the routes revoke them; a reset always does).
  const forget = onPasswordChange(async (changedDb, changed, model) => {
    if (model !== User) return;
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
  app.onShutdown(forget);
  app.securitySchemes.OAuth2PasswordBearer ??= {
    type: 'oauth2',
    description: 'A bearer token: from the password flow below, or an API token (`Authorization: Bearer …`).',
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

  const userById = async (id: string | null | undefined) => {
    if (id === null || id === undefined) return undefined;
    const value = numericPk ? Number(id) : id;
    if (numericPk && !Number.isSafeInteger(value)) return undefined;
    // An id a reset token names is the client's text: one the key field refuses (a malformed
    // UUID, say) names no user, rather than failing in the database.
    if (pk.check(value).length > 0) return undefined;
    // get() by the primary key takes the ORM's cached single-row plan.
    return (await orUndefined(query(db(), User).get({ [pk.attribute]: value } as never))) as
      | Record<string, any>
      | undefined;
  };

  const resolveUser = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<CurrentUser | AnonymousUser> => {
    if (hasBearer(request)) {
      const token = (request.headers.authorization ?? '').replace(/^bearer\s+/i, '').trim();
      const record = await verifyToken(db(), token);
      if (!record) throw unauthorized('The bearer token is invalid or has expired.', 'invalid_token');
      const row = await userById(record.userId);
      if (!row?.isActive) throw unauthorized('The bearer token is invalid or has expired.', 'invalid_token');
      return new CurrentUser(db(), row, { model: User });
    }
    if (!sessions.hasCookie(request)) return new AnonymousUser();
    // The answer depends on the cookie: no shared cache may give it to another browser.
    reply.header('vary', 'Cookie');
    const session = await sessions.load(request);
    const row = await userById(session.record?.userId);
    if (!row?.isActive || !sessions.matchesUser(session, row.password)) return new AnonymousUser();
    return new CurrentUser(db(), row, { model: User });
  };

  const user = dependency({ name: 'currentUser' }, (ctx) => resolveUser(ctx.request, ctx.reply));
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
  app.onStartup(async () => {
    if (required.size === 0) return;
    let database: Database | undefined;
    try {
      database = db();
    } catch {
      // Opened by a startup hook that runs after this one: the models' permissions still count.
    }
    await checkRequiredPermissions(database, required);
  });
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
            detail: `You do not have the permission${permissions.length > 1 ? 's' : ''} ${permissions.join(', ')}.`,
          });
        return deps.user;
      },
    );
  };

  const login = async (ctx: { request: FastifyRequest; reply: FastifyReply }, row: Record<string, any>) => {
    await sessions.rotate(
      ctx.request,
      ctx.reply,
      String(row[pk.attribute]),
      sessions.loginData(row.password),
    );
    devices.issue(ctx.reply, String(row.username), String(row[pk.attribute]));
    const lastLogin = new Date();
    await saveUserFields(db(), User, row[pk.attribute], { lastLogin });
    row.lastLogin = lastLogin;
  };

  const auth: Auth = {
    user,
    requireUser,
    requirePerm: requirePerm as Auth['requirePerm'],
    userModel: User,
    sessions,
    csrfToken: (ctx) => sessions.csrfToken(ctx.request, ctx.reply),
    csrfInput: async (ctx) => {
      const token = await sessions.csrfToken(ctx.request, ctx.reply);
      return `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(token)}">`;
    },
    login,
    logout: (ctx) => sessions.end(ctx.request, ctx.reply),
    authenticate: (request, username, password) => credentials.login(request, username, password),
    confirmPassword: (request, row, password, field) => credentials.confirm(request, row, password, field),
  };

  if (prefix !== undefined) {
    addRoutes(app, auth, {
      prefix,
      db,
      pkName: pk.attribute,
      userById,
      mail,
      accessTokenLifetime: options.accessTokenLifetime ?? 3_600_000,
      resetTokenLifetime: options.resetTokenLifetime ?? 3600,
      resetUrl:
        options.resetUrl ?? ((token, origin) => `${origin}${prefix}/password-reset/confirm?token=${token}`),
      passwordParams: options.passwordParams,
      reauthWindow: options.reauthWindow ?? 5 * 60_000,
      credentials,
      throttleStore,
    });
  }
  return auth;
}
