/**
 * The token routes: the OAuth2 password flow (`POST <prefix>/token`) and named API tokens
 * (`GET/POST <prefix>/tokens`, `DELETE <prefix>/tokens/:id`).
 *
 * An API token outlives the session or access token that made it, so making one asks for
 * fresh proof of the password (as GitHub's "sudo mode" does): the password in the request, or
 * a login of this session within the last minutes. Its lifetime (`expiresIn`, seconds) is capped
 * by `API_TOKEN_MAX_AGE`.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';
import { t } from '../openapi/t.ts';
import { LOGIN_FAILED } from './credentials.ts';
import { hasBearer } from './csrf.ts';
import { FORM_OR_JSON, NO_NUL, PASSWORD_FLOW_TOKEN, type RouteKit } from './route-kit.ts';
import { createToken, listTokens, revokeToken } from './tokens.ts';

/** `seconds` as a person says it: `30 seconds`, `1 minute`, `1 hour 30 minutes`, `500 milliseconds`. */
export function duration(given: number): string {
  if (given < 1) {
    const ms = Math.round(given * 1000);
    return `${ms} millisecond${ms === 1 ? '' : 's'}`;
  }
  const seconds = Math.round(given);
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 86_400), 'day'],
    [Math.floor((seconds % 86_400) / 3600), 'hour'],
    [Math.floor((seconds % 3600) / 60), 'minute'],
    [seconds % 60, 'second'],
  ];
  return parts
    .filter(([count]) => count > 0)
    .map(([count, unit]) => `${count} ${unit}${count === 1 ? '' : 's'}`)
    .join(' ');
}

/** Adds the OAuth2 password flow and the API token routes. */
export function addTokenRoutes({ app, auth, setup, tags, me }: RouteKit): void {
  const { prefix, db } = setup;
  const maxAge = app.settings.apiTokenMaxAge;
  const reauthWindow = duration(setup.reauthWindow);

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
      const row = await auth.authenticate(ctx, ctx.body.username, ctx.body.password).catch((error) => {
        // RFC 6749 §5.2: wrong credentials are a 400 `invalid_grant` (the problem carries both).
        if (error instanceof HttpError && error.status === 401)
          throw new HttpError(400, {
            code: 'VOLT_AUTH_INVALID_GRANT',
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
        expires_in: Math.round(setup.accessTokenLifetime),
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
      description:
        `The token is in this response only: it is stored hashed and cannot be shown again. It expires after \`expiresIn\` seconds (at most ${maxAge}, ${duration(maxAge)}, the default; \`API_TOKEN_MAX_AGE\`). ` +
        `Send your password as \`currentPassword\` (checked under the same limits as a login)${setup.reauthWindow > 0 ? `; a session that logged in within the last ${reauthWindow} may leave it out` : ''}. ` +
        'A password change revokes the token unless the change asks to keep API tokens; a password reset always does.',
      deps: me,
      body: t.Object({
        name: t.String({ minLength: 1, maxLength: 100, pattern: NO_NUL }),
        expiresIn: t.Optional(t.Integer({ minimum: 60, maximum: maxAge })),
        currentPassword: t.Optional(t.String({ maxLength: 4096 })),
      }),
      status: 201,
      response: { 201: t.Intersect([TokenInfo, t.Object({ token: t.String() })]) },
      responseDescriptions: {
        400: 'The password is needed (or wrong) to create a token',
        429: 'Too many failed attempts',
      },
    },
    async (ctx) => {
      const row = ctx.deps.me.row;
      if (ctx.body.currentPassword !== undefined)
        await auth.confirmPassword(ctx, row, ctx.body.currentPassword);
      else if (!(await recentLogin(ctx.request))) {
        const msg = `Creating an API token needs your password: send it as currentPassword${setup.reauthWindow > 0 ? ` (or log in again: a login of this session within the last ${reauthWindow} counts)` : ''}.`;
        throw new HttpError(400, {
          code: 'VOLT_AUTH_PASSWORD_REQUIRED',
          detail: msg,
          errors: [{ loc: ['body', 'currentPassword'], msg, type: 'password_required' }],
        });
      }
      const { token, record } = await createToken(db(), String(row[setup.pkName]), {
        name: ctx.body.name,
        expiresIn: ctx.body.expiresIn ?? maxAge,
      });
      ctx.header('cache-control', 'no-store');
      return { ...tokenInfo(record), token };
    },
  );

  /** Whether the request's session (not a bearer token) logged in within the re-authentication window. */
  const recentLogin = async (request: FastifyRequest): Promise<boolean> => {
    if (hasBearer(request) || setup.reauthWindow <= 0) return false;
    const at = auth.sessions.authenticatedAt(await auth.sessions.load(request));
    return at !== undefined && Date.now() - at <= setup.reauthWindow * 1000;
  };

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
}
