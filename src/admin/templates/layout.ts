/**
 * The admin's page shell: the head (its stylesheet and script by hashed name, each with the
 * response's CSP nonce), the header with the account links and the theme switch, the sidebar
 * of the models the user may use, breadcrumbs, messages, and the page's own content. Every
 * value goes through `html`, which escapes it.
 */
import { type Html, html } from '../../http/html.ts';

/** A message shown once at the top of the next page (Django's messages framework). */
export interface Message {
  readonly level: 'success' | 'error' | 'warning' | 'info';
  readonly text: string;
}

/** The colour scheme a user chose: the system's, light or dark. */
export type Theme = 'auto' | 'light' | 'dark';

/** A link of the sidebar. */
export interface NavLink {
  readonly label: string;
  readonly href: string;
  readonly current: boolean;
}

/** An app's group of the sidebar. */
export interface NavGroup {
  readonly label: string;
  readonly links: readonly NavLink[];
}

/** What every page of a logged-in user shows around its content. */
export interface Chrome {
  readonly siteTitle: string;
  readonly prefix: string;
  readonly nonce: string;
  readonly css: string;
  readonly js: string;
  readonly theme: Theme;
  readonly csrf: Html;
  /** The user's name in the header; none on the login page. */
  readonly userName: string | undefined;
  readonly nav: readonly NavGroup[];
  readonly messages: readonly Message[];
  /** The page's address, where the theme switch comes back to. */
  readonly here: string;
}

/** One page. */
export interface PageContent {
  readonly title: string;
  /** Links above the title; the last one is the page itself (no link). */
  readonly breadcrumbs?: readonly (readonly [string, string?])[];
  readonly body: Html;
  /** Buttons next to the title. */
  readonly actions?: Html | undefined;
}

const NEXT_THEME: Record<Theme, { value: Theme; text: string; label: string }> = {
  auto: { value: 'dark', text: 'Dark mode', label: 'Switch to dark mode' },
  dark: { value: 'light', text: 'Light mode', label: 'Switch to light mode' },
  light: { value: 'auto', text: 'System theme', label: 'Follow the system theme' },
};

/** The tab's icon, inline (the CSP allows `data:` images): no request for `/favicon.ico`. */
const ICON =
  'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 32 32%22%3E%3Crect width=%2232%22 height=%2232%22 rx=%226%22 fill=%22%231f2937%22/%3E%3Cpath d=%22M18 3 7 18h7l-2 11 11-15h-7z%22 fill=%22%23facc15%22/%3E%3C/svg%3E';

function head(chrome: Chrome, title: string): Html {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<title>${title} | ${chrome.siteTitle}</title>
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="${chrome.css}" nonce="${chrome.nonce}">
<script src="${chrome.js}" defer nonce="${chrome.nonce}"></script>
</head>`;
}

function messages(list: readonly Message[]): Html | undefined {
  if (list.length === 0) return undefined;
  return html`<div class="messages" role="status">${list.map(
    (m) => html`<p class="message message--${m.level}">${m.text}</p>`,
  )}</div>`;
}

function breadcrumbs(items: readonly (readonly [string, string?])[]): Html | undefined {
  if (items.length === 0) return undefined;
  return html`<nav class="breadcrumbs" aria-label="Breadcrumbs"><ol>${items.map(([label, href], i) =>
    i === items.length - 1 || href === undefined
      ? html`<li aria-current="page">${label}</li>`
      : html`<li><a href="${href}">${label}</a></li>`,
  )}</ol></nav>`;
}

function themeSwitch(chrome: Chrome): Html {
  const next = NEXT_THEME[chrome.theme];
  return html`<form class="theme-toggle inline-form" method="post" action="${chrome.prefix}/theme">${chrome.csrf}<input type="hidden" name="next" value="${chrome.here}"><button type="submit" class="link-button theme-toggle__button" name="theme" value="${next.value}" aria-label="${next.label}">${next.text}</button></form>`;
}

/** A page of a logged-in staff user. */
export function page(chrome: Chrome, content: PageContent): Html {
  const { prefix } = chrome;
  return html`<!doctype html>
<html lang="en" data-theme="${chrome.theme}">
${head(chrome, content.title)}
<body class="admin">
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header">
<a class="brand" href="${prefix}/">${chrome.siteTitle}</a>
<nav class="user-tools" aria-label="Account">
<span>Welcome, <strong>${chrome.userName ?? ''}</strong></span>
<a href="${prefix}/password_change">Change password</a>
<form class="inline-form" method="post" action="${prefix}/logout">${chrome.csrf}<button type="submit" class="link-button">Log out</button></form>
${themeSwitch(chrome)}
</nav>
</header>
<div class="shell">
<nav class="sidebar" aria-label="Models">${chrome.nav.map(
    (group) =>
      html`<section class="app-group"><h2>${group.label}</h2><ul>${group.links.map(
        (link) =>
          html`<li><a href="${link.href}"${link.current ? html` aria-current="page"` : ''}>${link.label}</a></li>`,
      )}</ul></section>`,
  )}</nav>
<main id="content" class="content" tabindex="-1">
${breadcrumbs(content.breadcrumbs ?? [])}
<div class="page-header"><h1>${content.title}</h1>${content.actions ? html`<div class="page-actions">${content.actions}</div>` : ''}</div>
${messages(chrome.messages)}
${content.body}
</main>
</div>
</body>
</html>
`;
}

/** A page without the account header and sidebar (the login page). */
export function barePage(chrome: Chrome, title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en" data-theme="${chrome.theme}">
${head(chrome, title)}
<body class="admin login-page">
<main id="content" class="login-box">
<h1>${chrome.siteTitle}</h1>
${messages(chrome.messages)}
${body}
</main>
</body>
</html>
`;
}
