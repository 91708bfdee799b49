/**
 * The page a password reset link opens (`GET /auth/password-reset/confirm?token=…`): a form for
 * the new password, posted to the same address. Plain HTML with no script, its one style block
 * allowed by the response's CSP nonce; every value escaped.
 */
import { escapeHtml } from '../http/escape-html.ts';

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 26rem; margin: 4rem auto; padding: 0 1rem; color: #1d232b; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input[type=password] { width: 100%; padding: .5rem; font: inherit; border: 1px solid #8a949e; border-radius: 4px; }
button { margin-top: 1.5rem; padding: .5rem 1.25rem; font: inherit; border: 0; border-radius: 4px; background: #24527a; color: #fff; }
.error { padding: .75rem 1rem; border-radius: 4px; background: #fbe9e9; color: #8a1c1c; }
`;

/** A whole page: `body` is HTML the caller built from escaped parts. */
export function resetPage(title: string, body: string, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style nonce="${escapeHtml(nonce)}">${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

/** The form: the token and the CSRF field hidden, the new password twice, and any problems. */
export function resetForm(token: string, csrfInput: string, problems: readonly string[] = []): string {
  const errors = problems.length
    ? `<div class="error" role="alert">${problems.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</div>`
    : '';
  return `${errors}
<form method="post">
${csrfInput}
<input type="hidden" name="token" value="${escapeHtml(token)}">
<label for="newPassword">New password</label>
<input type="password" id="newPassword" name="newPassword" autocomplete="new-password" required>
<label for="confirmPassword">New password again</label>
<input type="password" id="confirmPassword" name="confirmPassword" autocomplete="new-password" required>
<button type="submit">Set the password</button>
</form>`;
}
