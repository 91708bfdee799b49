/**
 * `admin()`: the back office as an installed app. `register(Model, options)` adds a model; the
 * routes are one generic set under the site's path (`/admin/<app>/<model>/…`), each behind the
 * gate: an active staff user, then the model permission (or the model's policy) the page needs.
 * Every response is a page of the app's own origin under a strict Content-Security-Policy whose
 * only exceptions are this response's nonce on the stylesheet and the script.
 */
import { defineApp, type InstalledApp } from '../apps/define-app.ts';
import type { Auth } from '../auth/auth.ts';
import { type AnonymousUser, CurrentUser } from '../auth/permissions.ts';
import { can } from '../auth/policies.ts';
import type { VoltApp } from '../http/app.ts';
import type { AnyContext } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { type Html, html, unsafeHtml } from '../http/html.ts';
import { ownFile } from '../http/own-files.ts';
import type { RelationField } from '../orm/fields/relation.ts';
import type { AnyModel } from '../orm/model.ts';
import { cspNonce } from '../security/headers.ts';
import { Change, ListSetting, recordHistory } from './history.ts';
import { ModelAdmin } from './model-admin.ts';
import type { ModelAdminOptions } from './options.ts';
import { AdminDefinitionError, capitalize, defaultDisplay } from './request.ts';
import { adminAssets } from './static/assets.ts';
import {
  barePage,
  type Chrome,
  type Message,
  type NavGroup,
  type PageContent,
  page,
  type Theme,
} from './templates/layout.ts';
import { addRoutes } from './views/routes.ts';

/** Options of {@link admin}. */
export interface AdminOptions {
  /** Where the admin is mounted; `/admin` by default. */
  path?: string;
  /** The title in the header and the tab; `Volt administration` by default. */
  title?: string;
  /** Register the auth app's users and groups (`true` by default). */
  users?: boolean;
}

/** The admin as an installed app: install it after `auth()`, then register models. */
export interface AdminSite extends InstalledApp {
  /** Where the admin is mounted (`/admin`). */
  readonly path: string;
  /**
   * Adds `model` to the admin with Django's `ModelAdmin` options; every name is checked now.
   * Register before the app starts.
   *
   * @example
   * ```ts
   * site.register(Book, { list: ['title', 'author', 'status'], search: ['title', 'author__name'], filters: ['status'] });
   * ```
   */
  register<M extends AnyModel>(model: M, options?: ModelAdminOptions<M>): ModelAdmin<M>;
  /** The registered model's admin, or `undefined`. */
  registered(model: AnyModel): ModelAdmin | undefined;
}

const THEME_COOKIE = 'volt_admin_theme';
const MESSAGES = 'admin:messages';
const THEME_PATTERN = new RegExp(`(?:^|;\\s*)${THEME_COOKIE}=(light|dark)(?:;|$)`, 'u');

/**
 * The admin's Content-Security-Policy: nothing but this origin's stylesheet, script and
 * images, forms posting to this origin, no framing. `cspNonce()` adds the response's nonce to
 * `script-src` and `style-src`; no `unsafe-inline` anywhere.
 */
export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** The site: its registry, its auth app, and what every request needs. */
export class Site {
  readonly prefix: string;
  readonly title: string;
  readonly #admins = new Map<AnyModel, ModelAdmin>();
  readonly #byPath = new Map<string, ModelAdmin>();
  #sorted: ModelAdmin[] | undefined;
  #auth: Auth | undefined;
  #app: VoltApp | undefined;
  started = false;
  /** The time zone datetimes are shown and typed in: the app's `TIME_ZONE` (UTC by default). */
  zone = 'UTC';

  constructor(prefix: string, title: string) {
    this.prefix = prefix;
    this.title = title;
  }

  get auth(): Auth {
    if (!this.#auth)
      throw new Error('The admin is not installed: pass it to volt({ apps: [auth(), …, admin] })');
    return this.#auth;
  }

  get app(): VoltApp {
    if (!this.#app) throw new Error('The admin is not installed');
    return this.#app;
  }

  /** Installs the site on `app`: finds its auth app and adds the routes. */
  install(app: VoltApp & { apps?: readonly InstalledApp<any, any>[] }, users: boolean): void {
    if (this.#app)
      throw new Error('This admin() is installed on another app already; call admin() once per app');
    const found = app.apps?.find((installed) => installed.name === 'auth') as Auth | undefined;
    if (!found)
      throw new Error('admin() needs auth() installed before it: volt({ apps: [auth(), …, admin()] })');
    this.#auth = found;
    this.#app = app;
    this.zone = app.settings.timeZone || 'UTC';
    if (users) this.#registerUsers(found);
    addRoutes(app, this);
    app.trackRequestContext();
    app.on('startup', () => {
      this.started = true;
      this.#check();
      if (app.hasDatabase) {
        const tracked = this.admins
          .filter((registered) => registered.history)
          .map((registered) => registered.model);
        const stop = recordHistory(app.db, tracked, this.prefix, (model) => this.displayOf(model));
        app.on('shutdown', stop);
      }
    });
  }

  /** Checks what only the whole registry can say (Django's admin checks). */
  #check(): void {
    for (const registered of this.admins)
      for (const name of registered.autocomplete) {
        const target = (registered.model.meta.field(name) as RelationField).target;
        if (!this.#admins.get(target)?.search.length)
          throw new AdminDefinitionError(
            `register(${registered.model.meta.label}): autocomplete '${name}' needs ${target.meta.label} registered with search fields (its rows are searched by them)`,
          );
      }
  }

  #registerUsers(users: Auth): void {
    const User = users.userModel;
    const Group = User.meta.fields.find((f) => f.name === 'groups')
      ? (User.meta.field('groups') as any).target
      : undefined;
    if (!this.#admins.has(User))
      this.register(User, {
        list: ['username', 'email', 'firstName', 'lastName', 'isStaff', 'isActive'],
        search: ['username', 'firstName', 'lastName', 'email'],
        filters: ['isStaff', 'isSuperuser', 'isActive', 'groups'],
        ordering: ['username'],
        fieldsets: [
          { fields: ['username'] },
          { title: 'Personal info', fields: ['firstName', 'lastName', 'email'] },
          {
            title: 'Permissions',
            fields: ['isActive', 'isStaff', 'isSuperuser', 'groups', 'userPermissions'],
            description:
              'A superuser has every permission; the others have those of their groups and their own.',
          },
          { title: 'Important dates', fields: ['lastLogin', 'dateJoined'] },
        ],
        editable: ['isActive', 'isStaff', 'isSuperuser'],
      });
    if (Group && !this.#admins.has(Group))
      this.register(Group, { list: ['name'], search: ['name'], ordering: ['name'] });
  }

  register<M extends AnyModel>(model: M, options: ModelAdminOptions<M> = {}): ModelAdmin<M> {
    if (this.started)
      throw new AdminDefinitionError('register() after the app started: register models before it listens');
    if (this.#admins.has(model))
      throw new AdminDefinitionError(`${model?.meta?.label} is registered already`);
    const registered = new ModelAdmin(
      model,
      options,
      (target) => this.displayOf(target),
      () => this.zone,
    );
    const any = registered as unknown as ModelAdmin;
    this.#admins.set(model, any);
    this.#sorted = undefined;
    this.#byPath.set(`${registered.app}/${registered.slug}`, any);
    return registered;
  }

  registered(model: AnyModel): ModelAdmin | undefined {
    return this.#admins.get(model);
  }

  /** Every registered model, by app label then name (sorted once per registration). */
  get admins(): readonly ModelAdmin[] {
    this.#sorted ??= [...this.#admins.values()].sort((a, b) =>
      a.app === b.app ? a.title.localeCompare(b.title) : a.app.localeCompare(b.app),
    );
    return this.#sorted;
  }

  /** The registered model at `/<app>/<slug>`, else a 404. */
  byPath(app: string, slug: string): ModelAdmin {
    const found = this.#byPath.get(`${app}/${slug}`);
    if (!found) throw notFound();
    return found;
  }

  /** The text of a row of `model`: its admin's `display`, else the default. */
  displayOf(model: AnyModel): (row: Record<string, any>) => string {
    // A permission is named as Django names it: `library | book | Can add book`.
    if (model.meta.label === 'auth.Permission' && !this.#admins.has(model))
      return (row) => `${row.app} | ${row.model || '—'} | ${row.name}`;
    // Resolved on first use: registrations are over by then (they end when the app starts).
    let display: ((row: Record<string, any>) => string) | undefined;
    return (row) => {
      display ??= this.#admins.get(model)?.display ?? defaultDisplay(model);
      return display(row);
    };
  }

  /** The change list's address of a registered model. */
  urlOf(admin: ModelAdmin): string {
    return `${this.prefix}/${admin.app}/${admin.slug}`;
  }

  /** The page of one row. */
  rowUrl(
    admin: ModelAdmin,
    key: unknown,
    what: 'change' | 'delete' | 'history' | 'password' = 'change',
  ): string {
    return `${this.urlOf(admin)}/${encodeURIComponent(String(key))}/${what}`;
  }
}

/** A 404 page's error. */
export function notFound(detail = 'There is no such page.'): HttpError {
  return new HttpError(404, { code: 'VOLT_ADMIN_NOT_FOUND', detail });
}

/** One admin request: its user, its page chrome and its answers. */
export class AdminRequest {
  readonly ctx: AnyContext;
  readonly site: Site;
  readonly user: CurrentUser;
  readonly query: URLSearchParams;
  #nonce: string | undefined;
  #csrf: Promise<Html> | undefined;
  readonly #everything: boolean;

  constructor(ctx: AnyContext, site: Site, user: CurrentUser) {
    this.ctx = ctx;
    this.site = site;
    this.user = user;
    // An active superuser may do anything (as can() answers): no need to ask for each model.
    this.#everything = user.isActive && user.isSuperuser;
    const url = ctx.request.url;
    const at = url.indexOf('?');
    this.query = new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
  }

  get db() {
    return this.ctx.db;
  }

  /** The form body of a POST (every value text, a repeated key a list). */
  get form(): Record<string, string | string[]> {
    const body = this.ctx.body as Record<string, string | string[]> | undefined;
    return body && typeof body === 'object' ? body : {};
  }

  /** The page's path with its query. */
  get here(): string {
    return this.ctx.request.url;
  }

  /** Whether the user may do `action` on `model` (or one of its rows). */
  can(action: 'view' | 'add' | 'change' | 'delete', model: AnyModel, row?: unknown): Promise<boolean> {
    return can(this.user, action, model, row);
  }

  /** Whether the user may see the model's pages at all: view or change (Django's `has_view_permission`). */
  async canView(model: AnyModel, row?: unknown): Promise<boolean> {
    return (await this.can('view', model, row)) || (await this.can('change', model, row));
  }

  /** A 403 unless the user may do `action`. */
  async require(action: 'view' | 'add' | 'change' | 'delete', model: AnyModel, row?: unknown): Promise<void> {
    if (this.#everything) return;
    const allowed = action === 'view' ? await this.canView(model, row) : await this.can(action, model, row);
    if (!allowed)
      throw new HttpError(403, {
        code: 'VOLT_ADMIN_PERMISSION_DENIED',
        detail: `You may not ${action} ${model.meta.verboseNamePlural}.`,
      });
  }

  /** Queues a message for the next page. */
  async flash(level: Message['level'], text: string): Promise<void> {
    const session = (this.ctx as any).session;
    const list = ((await session.get(MESSAGES)) as Message[] | undefined) ?? [];
    session.set(MESSAGES, [...list, { level, text }].slice(-10));
  }

  /** A 303 to `location` (after a POST), or a 302. */
  redirect(location: string, status = 303): never {
    this.ctx.status(status).header('location', location);
    return undefined as never;
  }

  /** The CSP nonce of this response (and the admin's policy on it). */
  get nonce(): string {
    if (this.#nonce === undefined) {
      this.ctx.header('content-security-policy', ADMIN_CSP);
      this.#nonce = cspNonce(this.ctx);
    }
    return this.#nonce;
  }

  /** The form field holding the session's CSRF token: made once per request. */
  csrf(): Promise<Html> {
    this.#csrf ??= this.site.auth.csrfInput(this.ctx).then(unsafeHtml);
    return this.#csrf;
  }

  /** What every page shows around its content. */
  async chrome(withNav = true): Promise<Chrome> {
    const { css, js } = adminAssets();
    const session = (this.ctx as any).session;
    const messages = ((await session.get(MESSAGES)) as Message[] | undefined) ?? [];
    if (messages.length) session.delete(MESSAGES);
    return {
      siteTitle: this.site.title,
      prefix: this.site.prefix,
      nonce: this.nonce,
      css: `${this.site.prefix}/static/${css.name}`,
      js: `${this.site.prefix}/static/${js.name}`,
      theme: themeOf(this.ctx.request.headers),
      csrf: await this.csrf(),
      userName: (this.user.row as any).username ?? String(this.user.id),
      nav: withNav ? await this.nav() : [],
      messages,
      here: this.here,
    };
  }

  /** The sidebar: the models the user may see, by app. */
  async nav(): Promise<NavGroup[]> {
    const groups = new Map<string, NavGroup & { links: any[] }>();
    const path = this.ctx.request.url.split('?')[0]!;
    for (const admin of this.site.admins) {
      if (!this.#everything && !(await this.canView(admin.model))) continue;
      const href = this.site.urlOf(admin);
      let group = groups.get(admin.app);
      if (!group) {
        group = { label: capitalize(admin.app.replaceAll('_', ' ')), links: [] };
        groups.set(admin.app, group);
      }
      group.links.push({ label: admin.title, href, current: path === href || path.startsWith(`${href}/`) });
    }
    return [...groups.values()];
  }

  /** A whole page. */
  async page(content: PageContent): Promise<Html> {
    this.ctx.header('content-type', 'text/html; charset=utf-8');
    return page(await this.chrome(), content);
  }
}

/** The theme the user chose (a cookie), `auto` by default. */
export function themeOf(headers: { cookie?: string | undefined }): Theme {
  const chosen = headers.cookie === undefined ? undefined : THEME_PATTERN.exec(headers.cookie)?.[1];
  return chosen === 'light' || chosen === 'dark' ? chosen : 'auto';
}

/** Remembers the user's theme for a year. */
export function setTheme(ctx: AnyContext, theme: Theme, path: string): void {
  const secure = ctx.request.protocol === 'https' ? '; Secure' : '';
  ctx.reply.header(
    'set-cookie',
    theme === 'auto'
      ? `${THEME_COOKIE}=; Path=${path}; Max-Age=0; SameSite=Lax${secure}`
      : `${THEME_COOKIE}=${theme}; Path=${path}; Max-Age=31536000; SameSite=Lax${secure}`,
  );
}

/** The page of a logged-out visitor (the login form), with the site's chrome. */
export async function loggedOutPage(
  ctx: AnyContext,
  site: Site,
  title: string,
  body: (csrf: Html) => Html,
  messages: Message[] = [],
): Promise<Html> {
  ctx.header('content-security-policy', ADMIN_CSP);
  ctx.header('content-type', 'text/html; charset=utf-8');
  const { css, js } = adminAssets();
  const csrf = unsafeHtml(await site.auth.csrfInput(ctx));
  const chrome: Chrome = {
    siteTitle: site.title,
    prefix: site.prefix,
    nonce: cspNonce(ctx),
    css: `${site.prefix}/static/${css.name}`,
    js: `${site.prefix}/static/${js.name}`,
    theme: themeOf(ctx.request.headers),
    csrf,
    userName: undefined,
    nav: [],
    messages,
    here: ctx.request.url,
  };
  return barePage(chrome, title, body(csrf));
}

/** The staff user of the request, or `undefined` (anonymous, inactive, or not staff). */
export function staffOf(ctx: AnyContext): CurrentUser | undefined {
  const user = (ctx as any).user as CurrentUser | AnonymousUser;
  if (!(user instanceof CurrentUser)) return undefined;
  return user.isActive && user.isStaff ? user : undefined;
}

/**
 * The back office: an installed app that needs `auth()` before it. Register models on it;
 * users and groups are registered already.
 *
 * @example
 * ```ts
 * const users = auth();
 * const site = admin();
 * site.register(Book, { list: ['title', 'author', 'status'], search: ['title'], filters: ['status'] });
 * const app = volt({ apps: [users, library, site] });
 * ```
 */
export function admin(options: AdminOptions = {}): AdminSite {
  const path = (options.path ?? '/admin').replace(/\/+$/u, '');
  if (!/^\/[a-zA-Z0-9_\-/]+$/u.test(path))
    throw new AdminDefinitionError(`admin(): '${options.path}' is not a path; give one like '/admin'`);
  const site = new Site(path, options.title ?? 'Volt administration');
  const base = defineApp({
    name: 'admin',
    requires: ['auth'],
    models: [Change, ListSetting],
    migrations: ownFile('admin/migrations/'),
    setup: (app) => site.install(app as never, options.users !== false),
  });
  const installed: AdminSite & { site: Site } = {
    ...base,
    path,
    register: (model, registerOptions) => site.register(model, registerOptions),
    registered: (model) => site.registered(model),
    site,
  };
  return Object.freeze(installed);
}

/** The site of an {@link AdminSite} (tests, the CLI). @internal */
export function siteOf(installed: AdminSite): Site {
  return (installed as unknown as { site: Site }).site;
}

export { html };
