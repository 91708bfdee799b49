/**
 * The password reset routes: ask for a link by mail, the page the link opens, and the
 * confirmation that sets the new password. A link works once, also when confirmed twice at
 * the same moment: the new hash is saved only over the one the link was signed for.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';
import { t } from '../openapi/t.ts';
import { query } from '../orm/query/queryset.ts';
import { clientKey } from '../security/client-ip.ts';
import { sendMail } from './mail/index.ts';
import { hashPassword, savePasswordHash } from './passwords.ts';
import { resetForm } from './reset-page.ts';
import { checkResetToken, makeResetToken, type ResetTokenUser, resetTokenUserId } from './reset-tokens.ts';
import { checkNewPassword, FORM_OR_JSON, isForm, type RouteKit, sendPage } from './route-kit.ts';
import { revokeUserTokens } from './tokens.ts';

const Problem = t.Object({ detail: t.String() });

/** Reset mails per address, and requests per client, in {@link RESET_MAIL_WINDOW}. */
const RESET_MAILS = 3;
const RESET_MAIL_WINDOW = 3_600_000;

/** Adds the password reset routes: the request, the page a link opens, the confirmation. */
export function addResetRoutes({ app, auth, setup, tags }: RouteKit): void {
  const { prefix, db, userById, mail } = setup;
  const User = auth.userModel;
  const settings = app.settings;

  /** Where links in mail point: SITE_URL, else (outside production) the request's checked host. */
  const siteOrigin = (request: FastifyRequest): string => {
    if (settings.siteUrl) return settings.siteUrl;
    if (settings.env === 'production')
      throw new HttpError(500, {
        code: 'VOLT_AUTH_SITE_URL_MISSING',
        detail: 'SITE_URL must be set to send links by mail in production.',
      });
    return `${request.protocol}://${request.headers.host}`;
  };

  /** What a reset token covers of a user row: the same fields when it is made and when checked. */
  const resetTokenUser = (row: Record<string, any>): ResetTokenUser => ({
    id: String(row[setup.pkName]),
    password: row.password,
    lastLogin: row.lastLogin,
    email: row.email,
  });

  const ACCEPTED = { detail: 'If an account has this address, a link to reset its password is on its way.' };

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
      // At most a few mails per client and per address in the window, whatever the answer
      // says: nobody can flood a mailbox through this route. Each key is counted first and
      // then compared (one atomic hit, as rateLimit does): requests sent at once cannot all
      // pass a check made before any of them was counted. A client past its own limit adds
      // nothing to the address's count.
      for (const key of [`reset:ip:${clientKey(ctx.request.ip)}`, `reset:email:${email.toLowerCase()}`]) {
        const { count } = await setup.throttleStore.hit(key, RESET_MAIL_WINDOW);
        if (count > RESET_MAILS) return ACCEPTED;
      }
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
      contentType: 'text/html',
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
        code: 'VOLT_AUTH_PASSWORD_MISMATCH',
        detail: 'The two passwords differ.',
        errors: [
          { loc: ['body', 'confirmPassword'], msg: 'The two passwords differ.', type: 'password_mismatch' },
        ],
      });
    const invalid = new HttpError(400, {
      code: 'VOLT_AUTH_RESET_LINK_INVALID',
      detail: 'The password reset link is invalid or has expired.',
    });
    const row = await userById(resetTokenUserId(body.token));
    if (!row?.isActive) throw invalid;
    const ok = checkResetToken(settings.secretKey, resetTokenUser(row), body.token, {
      maxAgeSeconds: setup.resetTokenLifetime,
    });
    if (!ok) throw invalid;
    checkNewPassword(body.newPassword, row);
    const hash = await hashPassword(body.newPassword, setup.passwordParams);
    await db().transaction(async (tx) => {
      // The link is consumed by this change: only while the row still holds the hash the link
      // was checked against. Two confirmations at once both pass the check above; the second
      // finds the new hash here and changes nothing.
      if (
        !(await savePasswordHash(tx, User, row, hash, { expected: row.password, hooks: setup.passwordHooks }))
      )
        throw invalid;
      // A reset is an account recovery: every token goes, and the owner may log in at once.
      await revokeUserTokens(tx, String(row[setup.pkName]));
    });
    await setup.credentials.unlock(row);
  }
}
