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
import { query } from '../orm/query/queryset.ts';
import { t } from '../schema/t.ts';
import { FORM_CONTENT_TYPE } from '../security/form-body.ts';
import { cspNonce } from '../security/headers.ts';
import { hostOf } from '../security/hosts.ts';
import { safeRedirectUrl } from '../security/redirects.ts';
import { MemoryThrottleStore, Throttle, type ThrottleStore } from '../security/throttle.ts';
import { getUserModel, onPasswordChange, saveUserFields, setUserModel } from './config.ts';
import { CSRF_FIELD, csrfFailure, foreignOrigin, hasBearer, installCsrf } from './csrf.ts';
import { orUndefined } from './found.ts';
import { type MailBackend, mailBackendFromSettings, sendMail } from './mail/index.ts';
import { Token, type UserModel } from './models.ts';
import { validatePassword } from './password-validators.ts';
import { changePassword, dummyVerify, type PasswordParams, verifyAndUpgrade } from './passwords.ts';
import { AnonymousUser, CurrentUser } from './permissions.ts';
import { escapeHtml, resetForm, resetPage } from './reset-page.ts';
import { checkResetToken, makeResetToken, type ResetTokenUser, resetTokenUserId } from './reset-tokens.ts';
import { DatabaseSessionStore, type SessionStore } from './session-store.ts';
import { Sessions } from './sessions.ts';
import { createToken, listTokens, revokeToken, revokeUserTokens, verifyToken } from './tokens.ts';

/** Limits on failed logins; counted per username and per client IP. */
export interface LoginLimits {
  /** Failed attempts for one username within the window before it is locked. Default 5. */
  perUser: number;
  /** Failed attempts from one IP within the window before it is locked. Default 20. */
  perIp: number;
  /** The window, in ms. Default 15 minutes. */
  windowMs: number;
}

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
  /** The logged-in user holding every permission given; 401 without a login, 403 without the permissions. */
  requirePerm(...permissions: string[]): Dependency<CurrentUser>;
  /** The user model in use. */
  readonly userModel: UserModel;
  /** The session layer (store, cookie, CSRF tokens). */
  readonly sessions: Sessions;
  /** The request's CSRF token (masked), for forms and scripts; stores nothing for a visitor without a session. */
  csrfToken(ctx: Context<any, any, any, any, any, any>): Promise<string>;
  /** An `<input type="hidden">` holding the CSRF token, for HTML forms. */
  csrfInput(ctx: Context<any, any, any, any, any, any>): Promise<string>;
  /** Logs `user` in on this request: a new session id (no fixation), its cookie, `lastLogin`. */
  login(ctx: Context<any, any, any, any, any, any>, user: Record<string, any>): Promise<void>;
  /** Ends the request's session. */
  logout(ctx: Context<any, any, any, any, any, any>): Promise<void>;
  /**
   * Checks a username and password, with the failed-login limits and the same time and answer
   * whether the user exists or not. Gives the user row, or throws a 401/429 problem.
   */
  authenticate(request: FastifyRequest, username: string, password: string): Promise<Record<string, any>>;
}

function unauthorized(detail: string, bearerError?: string): HttpError {
  return new HttpError(401, {
    detail,
    headers: {
      'www-authenticate': bearerError ? `Bearer error="${bearerError}"` : 'Bearer',
    },
  });
}

const LOGIN_FAILED = 'Invalid username or password.';

/** The throttle key of failed logins (and wrong current passwords) of one username. */
function loginUserKey(username: string): string {
  return `login:user:${username.toLowerCase()}`;
}

/** The 429 problem of a throttled attempt (`what`: "failed login attempts"). */
function tooManyAttempts(what: string, retryAfter: number): HttpError {
  return new HttpError(429, {
    detail: `Too many ${what}. Try again in ${retryAfter} seconds.`,
    headers: { 'retry-after': String(retryAfter) },
  });
}

/** The name of the tokens the OAuth2 password flow issues (revoked with the password). */
const PASSWORD_FLOW_TOKEN = 'OAuth2 password flow';

/**
 * Adds users to an app. Registers the CSRF check, the security schemes of the docs and (unless
 * `routes: false`) the auth routes under `/auth`.
 *
 * @example
 * ```ts
 * const auth = createAuth(app, { db: () => database });
 * app.get('/orders', { deps: { user: auth.requirePerm('shop.view_order') } }, (ctx) => …);
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
  const limits: LoginLimits = { perUser: 5, perIp: 20, windowMs: 15 * 60_000, ...options.loginLimits };
  const throttleStore = options.throttle ?? new MemoryThrottleStore();
  const perUser = new Throttle({ limit: limits.perUser, windowMs: limits.windowMs, store: throttleStore });
  const perIp = new Throttle({ limit: limits.perIp, windowMs: limits.windowMs, store: throttleStore });
  const mail = options.mail ?? mailBackendFromSettings(settings);
  const prefix = options.routes === false ? undefined : (options.routes ?? '/auth');

  // The OAuth2 token endpoint issues a token for the credentials in its body, never for the
  // session, and a forged request cannot read the answer: a logged-in browser (the docs'
  // Authorize button) posts to it without the CSRF token.
  const csrfExempt = new Set(prefix === undefined ? [] : [`${prefix}/token`]);
  installCsrf(app.fastify, sessions, settings.csrfTrustedOrigins, csrfExempt);
  // A password change ends the user's sessions (the session's password HMAC would end them at
  // their next request anyway; this frees the store at once).
  // The OAuth2 password-flow tokens stand for that password too: they go with it. Named API
  // tokens stay (programs hold them); a reset revokes those as well.
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
    // The answer depends on the cookie: no shared cache may keep it for another browser.
    reply.header('vary', 'Cookie');
    reply.header('cache-control', 'private');
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
  const requirePerm = (...permissions: string[]) =>
    dependency(
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

  const login = async (ctx: { request: FastifyRequest; reply: FastifyReply }, row: Record<string, any>) => {
    await sessions.rotate(
      ctx.request,
      ctx.reply,
      String(row[pk.attribute]),
      sessions.loginData(row.password),
    );
    const lastLogin = new Date();
    await saveUserFields(db(), User, row[pk.attribute], { lastLogin });
    row.lastLogin = lastLogin;
  };

  // Attempts on one username, and from one IP, run one after another in this process: checked
  // all at once, a burst of parallel guesses would pass the check before its first failure counts.
  const attempts = new Map<string, Promise<unknown>>();
  const oneAtATime = async <T>(key: string, attempt: () => Promise<T>): Promise<T> => {
    const run = (attempts.get(key) ?? Promise.resolve()).then(attempt);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    attempts.set(key, settled);
    try {
      return await run;
    } finally {
      if (attempts.get(key) === settled) attempts.delete(key);
    }
  };

  const authenticate = (request: FastifyRequest, username: string, password: string) => {
    const userKey = loginUserKey(username);
    const ipKey = `login:ip:${request.ip}`;
    // Always the username first, then the IP: no two attempts wait for each other in a circle.
    return oneAtATime(userKey, () =>
      oneAtATime(ipKey, () => attemptLogin(username, password, userKey, ipKey)),
    );
  };

  const attemptLogin = async (username: string, password: string, userKey: string, ipKey: string) => {
    for (const [throttle, key] of [
      [perUser, userKey],
      [perIp, ipKey],
    ] as const) {
      const verdict = await throttle.check(key);
      if (!verdict.allowed) throw tooManyAttempts('failed login attempts', verdict.retryAfter);
    }
    // No username holds a NUL, and PostgreSQL refuses one in a query: no user, no query.
    const row = username.includes('\0')
      ? undefined
      : ((await query(db(), User)
          .filter({ username } as never)
          .first()) as Record<string, any> | undefined);
    // The same work whether the user exists or not: no answer or timing tells them apart.
    const checked = row
      ? await verifyAndUpgrade(password, row.password, options.passwordParams)
      : { ok: await dummyVerify(password, options.passwordParams), newHash: undefined };
    if (!row || !checked.ok || !row.isActive) {
      await perUser.fail(userKey);
      await perIp.fail(ipKey);
      throw unauthorized(LOGIN_FAILED);
    }
    await perUser.reset(userKey);
    if (checked.newHash) {
      await saveUserFields(db(), User, row[pk.attribute], { password: checked.newHash });
      row.password = checked.newHash;
    }
    return row;
  };

  const auth: Auth = {
    user,
    requireUser,
    requirePerm,
    userModel: User,
    sessions,
    csrfToken: (ctx) => sessions.csrfToken(ctx.request, ctx.reply),
    csrfInput: async (ctx) => {
      const token = await sessions.csrfToken(ctx.request, ctx.reply);
      return `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(token)}">`;
    },
    login,
    logout: (ctx) => sessions.end(ctx.request, ctx.reply),
    authenticate,
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
      perUser,
      throttleStore,
    });
  }
  return auth;
}

interface RouteSetup {
  prefix: string;
  db: () => Database;
  pkName: string;
  userById: (id: string | null | undefined) => Promise<Record<string, any> | undefined>;
  mail: MailBackend;
  accessTokenLifetime: number;
  resetTokenLifetime: number;
  resetUrl: (token: string, origin: string) => string;
  passwordParams: Partial<PasswordParams> | undefined;
  /** The failed-login limit per username, also for wrong current passwords. */
  perUser: Throttle;
  throttleStore: ThrottleStore;
}

const Credentials = t.Object({
  username: t.String({ minLength: 1, maxLength: 150 }),
  password: t.String({ minLength: 1, maxLength: 4096 }),
  next: t.Optional(t.String({ maxLength: 2048 })),
});

const Problem = t.Object({ detail: t.String() });

/** Text without NUL characters, which PostgreSQL cannot store in a text column. */
const NO_NUL = '^[^\\u0000]*$';

/** The body types of the routes an HTML form or a script may post to. */
const FORM_OR_JSON = [FORM_CONTENT_TYPE, 'application/json'] as const;

/** Whether the request's body is an HTML form. */
function isForm(request: FastifyRequest): boolean {
  return request.headers['content-type']?.startsWith(FORM_CONTENT_TYPE) === true;
}

/**
 * Answers with an HTML page: never cached, and never sending its address (it may hold a reset
 * token) to another site in a Referer.
 */
function sendPage(ctx: Context<any, any, any, any, any, any>, title: string, body: string): never {
  ctx.header('content-type', 'text/html; charset=utf-8');
  ctx.header('cache-control', 'no-store');
  ctx.header('referrer-policy', 'no-referrer');
  return resetPage(title, body, cspNonce(ctx)) as never;
}

function addRoutes(app: VoltApp, auth: Auth, setup: RouteSetup): void {
  const { prefix, db, userById, mail } = setup;
  const User = auth.userModel;
  const settings = app.settings;
  const read = User.schema.read;
  const tags = ['auth'];
  const me = { me: auth.requireUser };

  /** Where links in mail point: SITE_URL, else (outside production) the request's checked host. */
  const siteOrigin = (request: FastifyRequest): string => {
    if (settings.siteUrl) return settings.siteUrl;
    if (settings.env === 'production')
      throw new HttpError(500, { detail: 'SITE_URL must be set to send links by mail in production.' });
    return `${request.protocol}://${request.headers.host}`;
  };

  /**
   * Checks the user's current password before a sensitive change. Wrong answers count towards
   * the username's failed-login limit, so a stolen session cannot guess the password.
   */
  const confirmPassword = async (row: Record<string, any>, password: string | undefined) => {
    const key = loginUserKey(String(row.username));
    const verdict = await setup.perUser.check(key);
    if (!verdict.allowed) throw tooManyAttempts('failed attempts', verdict.retryAfter);
    const wrong = (msg: string) =>
      new HttpError(400, {
        detail: msg,
        errors: [{ loc: ['body', 'currentPassword'], msg, type: 'password_incorrect' }],
      });
    if (password === undefined) throw wrong('The current password is required for this change.');
    const checked = await verifyAndUpgrade(password, row.password, setup.passwordParams);
    if (!checked.ok) {
      await setup.perUser.fail(key);
      throw wrong('The current password is incorrect.');
    }
  };

  /** What a reset token covers of a user row: the same fields when it is made and when checked. */
  const resetTokenUser = (row: Record<string, any>): ResetTokenUser => ({
    id: String(row[setup.pkName]),
    password: row.password,
    lastLogin: row.lastLogin,
    email: row.email,
  });

  const resetMails = new Throttle({ limit: 3, windowMs: 3_600_000, store: setup.throttleStore });
  const ACCEPTED = { detail: 'If an account has this address, a link to reset its password is on its way.' };

  const checkNewPassword = (password: string, row: Record<string, any>) => {
    const problems = validatePassword(password, { user: row });
    if (problems.length > 0)
      throw new HttpError(422, {
        detail: problems.join(' '),
        errors: problems.map((msg) => ({ loc: ['body', 'newPassword'], msg, type: 'password_invalid' })),
      });
  };

  app.post(
    `${prefix}/login`,
    {
      tags,
      summary: 'Log in (session cookie)',
      description:
        'Checks the username and password and starts a session: a new `HttpOnly` cookie. Accepts JSON or an HTML form; a form with a `next` field is redirected there (same site only).',
      bodyTypes: FORM_OR_JSON,
      body: Credentials,
      response: { 200: read },
      responseDescriptions: {
        303: 'Logged in; redirected to `next`',
        401: LOGIN_FAILED,
        429: 'Too many failed attempts',
      },
    },
    async (ctx) => {
      // No session cookie yet means the CSRF check did not run: a foreign page must not log the
      // browser into an account of its choosing.
      const foreign = foreignOrigin(ctx.request, settings.csrfTrustedOrigins);
      if (foreign) throw csrfFailure(foreign);
      const row = await auth.authenticate(ctx.request, ctx.body.username, ctx.body.password);
      await auth.login(ctx, row);
      if (ctx.body.next !== undefined) {
        // `*` lets any Host in (outside production); a redirect still goes only to the one asked.
        const allowedHosts = settings.allowedHosts.includes('*')
          ? [hostOf(ctx.request.headers.host) ?? '']
          : settings.allowedHosts;
        const target = safeRedirectUrl(ctx.body.next, { allowedHosts, fallback: '/' });
        ctx.status(303).header('location', target);
        return undefined as never;
      }
      return row as never;
    },
  );

  app.post(
    `${prefix}/logout`,
    {
      tags,
      summary: 'Log out',
      description:
        'Ends the session and clears its cookie. A request with a bearer token is authenticated by it, not by the cookie: it leaves the session alone (revoke the token instead).',
      status: 204,
    },
    async (ctx) => {
      if (!hasBearer(ctx.request)) await auth.logout(ctx);
    },
  );

  app.get(
    `${prefix}/csrf`,
    {
      tags,
      summary: 'The CSRF token',
      description:
        'The token scripts send in `X-CSRF-Token` with unsafe requests that carry the session cookie.',
      response: { 200: t.Object({ csrfToken: t.String() }) },
    },
    async (ctx) => {
      ctx.header('cache-control', 'no-store');
      return { csrfToken: await auth.csrfToken(ctx) };
    },
  );

  app.get(
    `${prefix}/me`,
    { tags, summary: 'The current user', deps: me, response: { 200: read } },
    (ctx) => ctx.deps.me.row as never,
  );

  const Profile = t.Object(
    {
      email: t.Optional(t.String({ format: 'email', maxLength: 254 })),
      currentPassword: t.Optional(t.String({ maxLength: 4096 })),
      firstName: t.Optional(t.String({ maxLength: 150, pattern: NO_NUL })),
      lastName: t.Optional(t.String({ maxLength: 150, pattern: NO_NUL })),
    },
    { additionalProperties: false },
  );
  app.patch(
    `${prefix}/me`,
    {
      tags,
      summary: 'Change your profile',
      description:
        'Only `email`, `firstName` and `lastName`: privileges and the password cannot be set here. A new `email` needs `currentPassword` too (reset links go to that address).',
      deps: me,
      body: Profile,
      response: { 200: read },
    },
    async (ctx) => {
      const { currentPassword, ...changes } = ctx.body;
      const key = ctx.deps.me.row[setup.pkName];
      if (changes.email !== undefined && changes.email !== ctx.deps.me.row.email)
        await confirmPassword(ctx.deps.me.row, currentPassword);
      // An empty PATCH changes nothing (update() refuses to set no field).
      if (Object.values(changes).some((value) => value !== undefined))
        await query(db(), User)
          .filter({ [setup.pkName]: key } as never)
          .update(changes as never);
      return (await userById(String(key))) as never;
    },
  );

  app.post(
    `${prefix}/password`,
    {
      tags,
      summary: 'Change your password',
      description: 'Ends every other session of the user; this one continues under a new id.',
      deps: me,
      body: t.Object({
        currentPassword: t.String({ maxLength: 4096 }),
        newPassword: t.String({ maxLength: 4096 }),
      }),
      status: 204,
      responseDescriptions: { 400: 'The current password is wrong' },
    },
    async (ctx) => {
      const row = ctx.deps.me.row;
      await confirmPassword(row, ctx.body.currentPassword);
      checkNewPassword(ctx.body.newPassword, row);
      const hash = await changePassword(db(), User, row, ctx.body.newPassword, setup.passwordParams);
      if (auth.sessions.hasCookie(ctx.request) && !hasBearer(ctx.request))
        await auth.sessions.rotate(
          ctx.request,
          ctx.reply,
          String(row[setup.pkName]),
          auth.sessions.loginData(hash),
        );
    },
  );

  // --- OAuth2 password flow and API tokens --------------------------------------------------

  app.post(
    `${prefix}/token`,
    {
      tags,
      summary: 'Get an access token (OAuth2 password flow)',
      description:
        "The OAuth2 password grant, as the docs' Authorize button sends it (an `application/x-www-form-urlencoded` form; JSON works too). The token expires; API tokens for programs are made at `POST " +
        `${prefix}/tokens\`.`,
      bodyTypes: FORM_OR_JSON,
      body: t.Object({
        grant_type: t.Literal('password'),
        username: t.String({ minLength: 1, maxLength: 150 }),
        password: t.String({ minLength: 1, maxLength: 4096 }),
        scope: t.Optional(t.String({ maxLength: 1000 })),
        client_id: t.Optional(t.String({ maxLength: 200 })),
        client_secret: t.Optional(t.String({ maxLength: 200 })),
      }),
      response: {
        200: t.Object({ access_token: t.String(), token_type: t.Literal('bearer'), expires_in: t.Integer() }),
      },
      responseDescriptions: {
        400: `${LOGIN_FAILED} (OAuth2 \`invalid_grant\`)`,
        429: 'Too many failed attempts',
      },
    },
    async (ctx) => {
      const row = await auth
        .authenticate(ctx.request, ctx.body.username, ctx.body.password)
        .catch((error) => {
          // RFC 6749 §5.2: wrong credentials are a 400 `invalid_grant` (the problem carries both).
          if (error instanceof HttpError && error.status === 401)
            throw new HttpError(400, {
              detail: LOGIN_FAILED,
              extensions: { error: 'invalid_grant', error_description: LOGIN_FAILED },
            });
          throw error;
        });
      const { token } = await createToken(db(), String(row[setup.pkName]), {
        name: PASSWORD_FLOW_TOKEN,
        expiresIn: setup.accessTokenLifetime,
      });
      // RFC 6749 §5.1: a response with a token must not be stored.
      ctx.header('cache-control', 'no-store');
      return {
        access_token: token,
        token_type: 'bearer' as const,
        expires_in: Math.round(setup.accessTokenLifetime / 1000),
      };
    },
  );

  const TokenInfo = t.Object({
    id: t.Integer(),
    name: t.String(),
    prefix: t.String(),
    created: t.String({ format: 'date-time' }),
    expiresAt: t.Union([t.String({ format: 'date-time' }), t.Null()]),
    lastUsed: t.Union([t.String({ format: 'date-time' }), t.Null()]),
  });
  const tokenInfo = (record: Record<string, any>) => ({
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    created: new Date(record.created).toISOString(),
    expiresAt: record.expiresAt ? new Date(record.expiresAt).toISOString() : null,
    lastUsed: record.lastUsed ? new Date(record.lastUsed).toISOString() : null,
  });

  app.post(
    `${prefix}/tokens`,
    {
      tags,
      summary: 'Create an API token',
      description: 'The token is in this response only: it is stored hashed and cannot be shown again.',
      deps: me,
      body: t.Object({
        name: t.String({ minLength: 1, maxLength: 100, pattern: NO_NUL }),
        expiresInDays: t.Optional(t.Integer({ minimum: 1, maximum: 3650 })),
      }),
      status: 201,
      response: { 201: t.Intersect([TokenInfo, t.Object({ token: t.String() })]) },
    },
    async (ctx) => {
      const { token, record } = await createToken(db(), String(ctx.deps.me.row[setup.pkName]), {
        name: ctx.body.name,
        ...(ctx.body.expiresInDays ? { expiresIn: ctx.body.expiresInDays * 86_400_000 } : {}),
      });
      ctx.header('cache-control', 'no-store');
      return { ...tokenInfo(record), token };
    },
  );

  app.get(
    `${prefix}/tokens`,
    { tags, summary: 'Your API tokens', deps: me, response: { 200: t.Array(TokenInfo) } },
    async (ctx) => (await listTokens(db(), String(ctx.deps.me.row[setup.pkName]))).map(tokenInfo),
  );

  app.delete(
    `${prefix}/tokens/:id`,
    {
      tags,
      summary: 'Revoke an API token',
      deps: me,
      params: t.Object({ id: t.Integer({ minimum: 1 }) }),
      status: 204,
      responseDescriptions: { 404: 'No such token of yours' },
    },
    async (ctx) => {
      const removed = await revokeToken(db(), String(ctx.deps.me.row[setup.pkName]), ctx.params.id);
      if (!removed) throw new HttpError(404, { detail: 'You have no token with this id.' });
    },
  );

  // --- Password reset ---------------------------------------------------------------------

  app.post(
    `${prefix}/password-reset`,
    {
      tags,
      summary: 'Ask for a password reset link',
      description:
        'Always answers 202 with the same body, whether an account has this address or not; the mail is sent after the response.',
      body: t.Object({ email: t.String({ format: 'email', maxLength: 254 }) }),
      status: 202,
      response: { 202: Problem },
    },
    async (ctx) => {
      const origin = siteOrigin(ctx.request);
      const email = ctx.body.email;
      // At most a few mails per address and per client in the window, whatever the answer says:
      // nobody can flood a mailbox through this route.
      const keys = [`reset:email:${email.toLowerCase()}`, `reset:ip:${ctx.request.ip}`];
      const verdicts = await Promise.all(keys.map((key) => resetMails.check(key)));
      if (verdicts.some((verdict) => !verdict.allowed)) return ACCEPTED;
      await Promise.all(keys.map((key) => resetMails.fail(key)));
      ctx.background(async () => {
        const rows = (await query(db(), User)
          .filter({ email__iexact: email, isActive: true } as never)
          .all()) as Record<string, any>[];
        for (const row of rows) {
          if (!row.password || row.password.startsWith('!')) continue;
          const token = makeResetToken(settings.secretKey, resetTokenUser(row));
          const link = setup.resetUrl(token, origin);
          await sendMail(
            mail,
            {
              to: [row.email],
              subject: 'Password reset',
              text: `Someone asked to reset the password of the account ${row.username}.\n\nTo choose a new password, open:\n${link}\n\nThe link works once, for ${Math.round(setup.resetTokenLifetime / 60)} minutes. If you did not ask for it, ignore this mail.\n`,
            },
            { defaultFrom: settings.defaultFromEmail },
          );
        }
      });
      return ACCEPTED;
    },
  );

  app.post(
    `${prefix}/password-reset/confirm`,
    {
      tags,
      summary: 'Set a new password with a reset link',
      description:
        'The token works once and expires; all sessions and API tokens of the user end, and a login lockout of the username is lifted.',
      bodyTypes: FORM_OR_JSON,
      body: t.Object({
        token: t.String({ minLength: 1, maxLength: 512 }),
        newPassword: t.String({ maxLength: 4096 }),
        confirmPassword: t.Optional(t.String({ maxLength: 4096 })),
      }),
      status: 204,
      responseDescriptions: {
        303: 'Sent as an HTML form (the reset page): the password is set, on to the page saying so',
        400: 'The link is invalid or has expired',
      },
    },
    async (ctx) => {
      if (!isForm(ctx.request)) return confirmReset(ctx.body);
      // The reset page's form: a problem is shown on the form again, success on its own page.
      try {
        await confirmReset(ctx.body);
      } catch (error) {
        if (!(error instanceof HttpError) || error.status >= 500) throw error;
        const problems = error.errors?.length
          ? error.errors.map((e) => e.msg)
          : [error.detail ?? error.message];
        ctx.status(error.status);
        return sendPage(
          ctx,
          'Choose a new password',
          resetForm(ctx.body.token, await auth.csrfInput(ctx), problems),
        );
      }
      ctx.status(303).header('location', `${prefix}/password-reset/confirm?done=1`);
      return undefined as never;
    },
  );

  app.get(
    `${prefix}/password-reset/confirm`,
    {
      tags,
      summary: 'The page a reset link opens',
      description:
        'An HTML form for the new password, posted to the same address. With `resetUrl`, links point at your own page instead.',
      query: t.Object({
        token: t.Optional(t.String({ maxLength: 512 })),
        done: t.Optional(t.String({ maxLength: 10 })),
      }),
      responseDescriptions: { 200: 'An HTML page' },
    },
    async (ctx) => {
      if (ctx.query.done !== undefined)
        return sendPage(ctx, 'Password set', '<p>Your new password is set. You can log in with it now.</p>');
      return sendPage(
        ctx,
        'Choose a new password',
        resetForm(ctx.query.token ?? '', await auth.csrfInput(ctx)),
      );
    },
  );

  /** Checks a reset token and sets the new password (the JSON route and the page's form). */
  async function confirmReset(body: {
    token: string;
    newPassword: string;
    confirmPassword?: string | undefined;
  }) {
    if (body.confirmPassword !== undefined && body.confirmPassword !== body.newPassword)
      throw new HttpError(422, {
        detail: 'The two passwords differ.',
        errors: [
          { loc: ['body', 'confirmPassword'], msg: 'The two passwords differ.', type: 'password_mismatch' },
        ],
      });
    const invalid = new HttpError(400, { detail: 'The password reset link is invalid or has expired.' });
    const row = await userById(resetTokenUserId(body.token));
    if (!row?.isActive) throw invalid;
    const ok = checkResetToken(settings.secretKey, resetTokenUser(row), body.token, {
      maxAgeSeconds: setup.resetTokenLifetime,
    });
    if (!ok) throw invalid;
    checkNewPassword(body.newPassword, row);
    await changePassword(db(), User, row, body.newPassword, setup.passwordParams);
    // A reset is an account recovery: every token goes, and the owner may log in at once.
    await revokeUserTokens(db(), String(row[setup.pkName]));
    await setup.perUser.reset(loginUserKey(String(row.username)));
  }
}
