/**
 * The auth routes `auth()` adds under its prefix: the account routes here (login,
 * logout, the CSRF token, the profile, the password), the OAuth2 password flow and API tokens
 * in `token-routes.ts`, the password reset in `reset-routes.ts`.
 */
import type { VoltApp } from '../http/app.ts';
import { HttpError } from '../http/errors.ts';
import { t } from '../openapi/t.ts';
import { query } from '../orm/query/queryset.ts';
import { hostOf } from '../security/hosts.ts';
import { safeRedirectUrl } from '../security/redirects.ts';
import type { Auth } from './auth.ts';
import { LOGIN_FAILED } from './credentials.ts';
import { csrfFailure, foreignOrigin, hasBearer } from './csrf.ts';
import { hashPassword, savePasswordHash } from './passwords.ts';
import { addResetRoutes } from './reset-routes.ts';
import { checkNewPassword, FORM_OR_JSON, NO_NUL, type RouteKit, type RouteSetup } from './route-kit.ts';
import { addTokenRoutes } from './token-routes.ts';
import { revokeUserTokens } from './tokens.ts';

const Credentials = t.Object({
  username: t.String({ minLength: 1, maxLength: 150 }),
  password: t.String({ minLength: 1, maxLength: 4096 }),
  next: t.Optional(t.String({ maxLength: 2048 })),
});

/** Adds the auth routes under `setup.prefix`. */
export function addRoutes(app: VoltApp, auth: Auth, setup: RouteSetup): void {
  const kit: RouteKit = { app, auth, setup, tags: ['auth'], me: { me: auth.requireUser } };
  addAccountRoutes(kit);
  addTokenRoutes(kit);
  addResetRoutes(kit);
}

function addAccountRoutes({ app, auth, setup, tags, me }: RouteKit): void {
  const { prefix, db, userById } = setup;
  const User = auth.userModel;
  const settings = app.settings;
  const read = User.schema.read;

  app.post(
    `${prefix}/login`,
    {
      tags,
      summary: 'Log in (session cookie)',
      description:
        'Checks the username and password and starts a session: a new `HttpOnly` cookie, and a device cookie that lets this browser log in while the username is locked by failures elsewhere. Accepts JSON or an HTML form; a form with a `next` field is redirected there (same site only).',
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
      const row = await auth.authenticate(ctx, ctx.body.username, ctx.body.password);
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
        'Only `email`, `firstName` and `lastName`: privileges and the password cannot be set here. A new `email` needs `currentPassword` too (reset links go to that address), checked under the same limits as a login.',
      deps: me,
      body: Profile,
      response: { 200: read },
      responseDescriptions: {
        400: 'The current password is missing or wrong',
        429: 'Too many failed attempts',
      },
    },
    async (ctx) => {
      const { currentPassword, ...changes } = ctx.body;
      const key = ctx.deps.me.row[setup.pkName];
      if (changes.email !== undefined && changes.email !== ctx.deps.me.row.email)
        await auth.confirmPassword(ctx, ctx.deps.me.row, currentPassword);
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
      description:
        'Checks the current password under the same limits as a login. Ends every other session of the user (this one continues under a new id) and revokes the API tokens, unless `keepApiTokens` is `true` (the OAuth2 password-flow tokens go in any case).',
      deps: me,
      body: t.Object({
        currentPassword: t.String({ maxLength: 4096 }),
        newPassword: t.String({ maxLength: 4096 }),
        keepApiTokens: t.Optional(
          t.Boolean({ description: 'Keep the named API tokens working (default: revoke them).' }),
        ),
      }),
      status: 204,
      responseDescriptions: {
        400: 'The current password is wrong',
        409: 'The password was changed meanwhile',
        429: 'Too many failed attempts',
      },
    },
    async (ctx) => {
      const row = ctx.deps.me.row;
      await auth.confirmPassword(ctx, row, ctx.body.currentPassword);
      checkNewPassword(ctx.body.newPassword, row);
      const hash = await hashPassword(ctx.body.newPassword, setup.passwordParams);
      const id = String(row[setup.pkName]);
      await db().transaction(async (tx) => {
        // Only over the hash just checked: of two changes at once, the second changes nothing.
        if (
          !(await savePasswordHash(tx, User, row, hash, {
            expected: row.password,
            hooks: setup.passwordHooks,
          }))
        )
          throw new HttpError(409, {
            code: 'VOLT_AUTH_PASSWORD_CHANGED',
            detail: 'The password was changed meanwhile; try again.',
          });
        if (ctx.body.keepApiTokens !== true) await revokeUserTokens(tx, id);
      });
      if (auth.sessions.hasCookie(ctx.request) && !hasBearer(ctx.request))
        await auth.sessions.rotate(ctx.request, ctx.reply, id, auth.sessions.loginData(hash));
    },
  );
}
