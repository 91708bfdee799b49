/**
 * The admin's own account pages: log in (active staff only, through the auth app's throttled
 * credential check), log out, change the password, and the theme switch. The login form has no
 * session to tie a CSRF token to yet: like auth's login route, it refuses a post from another
 * origin.
 */
import { csrfFailure, foreignOrigin } from '../../auth/csrf.ts';
import { validatePassword } from '../../auth/password-validators.ts';
import { CurrentUser } from '../../auth/permissions.ts';
import type { VoltApp } from '../../http/app.ts';
import type { AnyContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { type Html, html } from '../../http/html.ts';
import { FORM_CONTENT_TYPE } from '../../security/form-body.ts';
import { safeRedirectUrl } from '../../security/redirects.ts';
import { AdminRequest, loggedOutPage, type Site, setTheme, staffOf } from '../site.ts';
import type { Message } from '../templates/layout.ts';
import { passwordField } from '../widgets.ts';
import { setPasswordRecorded } from './form.ts';

const FORM = { hidden: true, bodyTypes: [FORM_CONTENT_TYPE] } as const;

/** Django's message, the same whether the user exists, is not staff or gave a wrong password. */
const WRONG =
  'Please enter the correct username and password for a staff account. Note that both fields may be case-sensitive.';

/** `next` if it is a page of the admin, else the dashboard. */
export function adminNext(site: Site, next: unknown): string {
  const fallback = `${site.prefix}/`;
  if (typeof next !== 'string') return fallback;
  const safe = safeRedirectUrl(next, { allowedHosts: [], fallback });
  return safe === site.prefix || safe.startsWith(`${site.prefix}/`) || safe.startsWith(`${site.prefix}?`)
    ? safe
    : fallback;
}

function text(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value.at(-1) ?? '') : '';
}

function loginForm(site: Site, csrf: Html, username: string, next: string): Html {
  return html`<form method="post" action="${site.prefix}/login" class="login-form">${csrf}
<input type="hidden" name="next" value="${next}">
<div class="field"><label for="id_username">Username</label><input type="text" id="id_username" name="username" value="${username}" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="150" required autofocus></div>
<div class="field"><label for="id_password">Password</label><input type="password" id="id_password" name="password" autocomplete="current-password" maxlength="4096" required></div>
<div class="submit-row"><button type="submit" class="button button--primary">Log in</button></div>
</form>`;
}

/** Adds the login, logout, password-change and theme routes. */
export function addLoginRoutes(app: VoltApp, site: Site): void {
  const p = site.prefix;

  app.get(`${p}/login`, { hidden: true }, async (ctx) => {
    const query = new URLSearchParams(ctx.request.url.split('?')[1] ?? '');
    const next = adminNext(site, query.get('next'));
    if (staffOf(ctx)) {
      ctx.status(302).header('location', next);
      return undefined;
    }
    const messages: Message[] = [];
    const user = (ctx as any).user;
    if (user instanceof CurrentUser)
      messages.push({
        level: 'warning',
        text: `You are logged in as ${String((user.row as any).username)}, but may not use the admin. Log in with another account?`,
      });
    if (query.get('logged_out') === '1') messages.push({ level: 'info', text: 'You are logged out.' });
    return loggedOutPage(ctx, site, 'Log in', (csrf) => loginForm(site, csrf, '', next), messages);
  });

  app.post(`${p}/login`, FORM, async (ctx) => {
    const form = (ctx.body ?? {}) as Record<string, unknown>;
    const foreign = foreignOrigin(ctx.request, app.settings.csrfTrustedOrigins);
    if (foreign) throw csrfFailure(foreign);
    const username = text(form, 'username').slice(0, 150);
    const next = adminNext(site, text(form, 'next'));
    const again = (message: string, status: number) => {
      ctx.status(status);
      return loggedOutPage(ctx, site, 'Log in', (csrf) => loginForm(site, csrf, username, next), [
        { level: 'error', text: message },
      ]);
    };
    const password = text(form, 'password');
    if (!username || !password) return again(WRONG, 400);
    let row: Record<string, any>;
    try {
      row = await site.auth.authenticate(ctx, username, password);
    } catch (error) {
      if (!(error instanceof HttpError) || error.status >= 500) throw error;
      if (error.status === 429) {
        const retry = error.headers?.['retry-after'];
        if (retry !== undefined) ctx.header('retry-after', retry);
        return again('Too many failed attempts. Wait a little, then try again.', 429);
      }
      return again(WRONG, 400);
    }
    // Only active staff reach the admin; others get the same answer as a wrong password.
    if (!row.isActive || !row.isStaff) return again(WRONG, 400);
    await site.auth.login(ctx, row);
    ctx.status(303).header('location', next);
    return undefined;
  });

  app.post(`${p}/logout`, FORM, async (ctx) => {
    await site.auth.logout(ctx);
    ctx.status(303).header('location', `${p}/login?logged_out=1`);
    return undefined;
  });

  app.post(`${p}/theme`, FORM, async (ctx) => {
    const form = (ctx.body ?? {}) as Record<string, unknown>;
    const theme = text(form, 'theme');
    setTheme(ctx, theme === 'light' || theme === 'dark' ? theme : 'auto', `${p}/`);
    if (
      ctx.request.headers['sec-fetch-mode'] === 'cors' ||
      ctx.request.headers.accept === 'application/json'
    ) {
      ctx.status(204);
      return undefined;
    }
    ctx.status(303).header('location', adminNext(site, text(form, 'next')));
    return undefined;
  });

  const passwordChange = async (ctx: AnyContext) => {
    const user = staffOf(ctx);
    if (!user) {
      ctx.status(302).header('location', `${p}/login?next=${encodeURIComponent(`${p}/password_change`)}`);
      return undefined;
    }
    const request = new AdminRequest(ctx, site, user);
    const errors: Record<string, string[]> = {};
    if (ctx.request.method === 'POST') {
      const form = request.form;
      const current = text(form, 'oldPassword');
      const next1 = text(form, 'newPassword1');
      const next2 = text(form, 'newPassword2');
      try {
        await site.auth.confirmPassword(ctx, user.row, current, 'oldPassword');
      } catch (error) {
        if (!(error instanceof HttpError) || error.status >= 500) throw error;
        errors.oldPassword = [
          error.status === 429
            ? 'Too many failed attempts. Wait a little, then try again.'
            : 'Your old password was entered incorrectly. Please enter it again.',
        ];
      }
      if (next1 !== next2) errors.newPassword2 = ['The two password fields didn’t match.'];
      const problems = next1 ? validatePassword(next1, { user: user.row }) : ['This field is required.'];
      if (problems.length) errors.newPassword1 = problems;
      if (Object.keys(errors).length === 0) {
        const hash = await setPasswordRecorded(request, user.row, next1);
        // The change ended every session of the user: this one goes on under a new id.
        await site.auth.sessions.rotate(
          ctx.request,
          ctx.reply,
          String(user.id),
          site.auth.sessions.loginData(hash),
        );
        await request.flash('success', 'Your password was changed.');
        return request.redirect(`${p}/`);
      }
      ctx.status(400);
    }
    const field = (name: string, label: string, autocomplete: string, help?: string) =>
      passwordField(name, label, { autocomplete, help, problems: errors[name] });
    return request.page({
      title: 'Password change',
      breadcrumbs: [['Home', `${p}/`], ['Password change']],
      body: html`<form method="post" class="model-form">${await request.csrf()}
<p>Enter your old password, then your new password twice.</p>
${field('oldPassword', 'Old password', 'current-password')}
${field('newPassword1', 'New password', 'new-password', 'At least 8 characters, not only digits, not a common password, not like your username.')}
${field('newPassword2', 'New password confirmation', 'new-password')}
<div class="submit-row"><button type="submit" class="button button--primary">Change my password</button></div>
</form>`,
    });
  };
  app.get(`${p}/password_change`, { hidden: true }, passwordChange);
  app.post(`${p}/password_change`, FORM, passwordChange);
}
