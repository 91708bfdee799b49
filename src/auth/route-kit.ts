/**
 * What the auth route modules share: the setup `auth()` hands them, and the helpers and
 * schemas more than one of them uses.
 */
import type { FastifyRequest } from 'fastify';
import type { VoltApp } from '../http/app.ts';
import type { Context } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import type { Database } from '../orm/database.ts';
import { FORM_CONTENT_TYPE } from '../security/form-body.ts';
import { cspNonce } from '../security/headers.ts';
import type { ThrottleStore } from '../security/throttle.ts';
import type { Auth } from './auth.ts';
import type { PasswordChangeHook } from './config.ts';
import type { CredentialCheck } from './credentials.ts';
import type { MailBackend } from './mail/index.ts';
import { validatePassword } from './password-validators.ts';
import type { PasswordParams } from './passwords.ts';
import { resetPage } from './reset-page.ts';

/** The name of the tokens the OAuth2 password flow issues (revoked with the password). */
export const PASSWORD_FLOW_TOKEN = 'OAuth2 password flow';

/** What the auth routes need from `auth()`. */
export interface RouteSetup {
  prefix: string;
  db: () => Database;
  pkName: string;
  userById: (id: string | null | undefined) => Promise<Record<string, any> | undefined>;
  mail: MailBackend;
  accessTokenLifetime: number;
  resetTokenLifetime: number;
  resetUrl: (token: string, origin: string) => string;
  passwordParams: Partial<PasswordParams> | undefined;
  /** The auth app's password-change hooks (they end the user's sessions). */
  passwordHooks: readonly PasswordChangeHook[];
  /** How long (seconds) after a login a session may create API tokens without the password. */
  reauthWindow: number;
  /** The limited password check of logins and current passwords. */
  credentials: CredentialCheck;
  throttleStore: ThrottleStore;
}

/** What every auth route module gets. */
export interface RouteKit {
  app: VoltApp;
  auth: Auth;
  setup: RouteSetup;
  tags: string[];
  /** `{ me: auth.requireUser }`, the deps of the routes of the logged-in user. */
  me: { me: Auth['requireUser'] };
}

/** Text without NUL characters, which PostgreSQL cannot store in a text column. */
export const NO_NUL = '^[^\\u0000]*$';

/** The body types of the routes an HTML form or a script may post to. */
export const FORM_OR_JSON = [FORM_CONTENT_TYPE, 'application/json'] as const;

/** Whether the request's body is an HTML form. */
export function isForm(request: FastifyRequest): boolean {
  return request.headers['content-type']?.startsWith(FORM_CONTENT_TYPE) === true;
}

/**
 * Answers with an HTML page: never cached, and never sending its address (it may hold a reset
 * token) to another site in a Referer.
 */
export function sendPage(ctx: Context<any, any, any, any, any, any>, title: string, body: string): never {
  ctx.header('content-type', 'text/html; charset=utf-8');
  ctx.header('cache-control', 'no-store');
  ctx.header('referrer-policy', 'no-referrer');
  return resetPage(title, body, cspNonce(ctx)) as never;
}

/** The 422 of a new password the validators refuse. */
export function checkNewPassword(password: string, row: Record<string, any>): void {
  const problems = validatePassword(password, { user: row });
  if (problems.length > 0)
    throw new HttpError(422, {
      code: 'VOLT_AUTH_PASSWORD_INVALID',
      detail: problems.join(' '),
      errors: problems.map((msg) => ({ loc: ['body', 'newPassword'], msg, type: 'password_invalid' })),
    });
}
