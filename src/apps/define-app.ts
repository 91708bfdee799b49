/**
 * Installed apps: the parts an app is composed of (`volt({ apps: [auth(), library] })`). Each
 * brings its models, its migrations, the settings it reads, its `volt check` rules, what runs
 * after `migrate`, and a `setup(app)` that adds routes, hooks, dependencies and OpenAPI
 * security schemes through the app's own seam. Nothing is registered by importing a module:
 * an installed app acts only on the app it is installed on.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Static, TObject } from 'typebox';
import type { VoltApp } from '../http/app.ts';
import type { PostMigrateHook } from '../orm/migrations/post-migrate.ts';
import type { AnyModel } from '../orm/model.ts';

/** What a `volt check` rule reports. */
export interface CheckFinding {
  /** `volt check` exits 1 on an error (and on a warning with `--fail-level warning`). */
  level: 'error' | 'warning';
  /** What is wrong and why it matters. */
  message: string;
  /** How to fix it. */
  fix: string;
}

/** A `volt check` rule an installed app brings. */
export interface AppCheck {
  /** A stable id, `<app>.<code>`, e.g. `shop.W001`. */
  id: string;
  /** One line naming what the rule looks at. */
  title: string;
  /** Runs only with `volt check --deploy` (a production concern). */
  deploy?: boolean;
  /** Looks at the app (its settings, routes, installed apps); answers what is wrong. */
  run(app: VoltApp): CheckFinding[] | Promise<CheckFinding[]>;
}

/** Options of {@link defineApp}. */
export interface AppDefinition<S extends TObject | undefined = undefined> {
  /** The app label: lower-case letters, digits and `_` (`library`); also its migrations folder's name. */
  name: string;
  /** The models the app declares (their tables come from its migrations). */
  models?: readonly AnyModel[];
  /**
   * A migrations root that holds `<name>/<NNNN>_<x>.ts`, for an app shipped in a package (an
   * absolute path, or `new URL('./migrations/', import.meta.url)`). Without it the app's
   * migrations live in the project's migrations folder, where `makemigrations` writes them.
   */
  migrations?: string | URL;
  /** Apps that must be installed (before this one), by name. */
  requires?: readonly string[];
  /**
   * Settings the app reads from the environment (and `.env`), by variable name: a TypeBox
   * object, e.g. `t.Object({ SHOP_CURRENCY: t.String({ default: 'EUR' }) })`. Checked when the
   * app is built; read them with `app.settingsOf(shop)`.
   */
  settings?: S;
  /** Rules `volt check` runs. */
  checks?: readonly AppCheck[];
  /** Runs after every `migrate` (idempotent): data that follows the schema. */
  postMigrate?: PostMigrateHook;
  /** Needs the app's database even without models of its own. */
  database?: boolean;
  /** Adds routes, hooks, dependencies and security schemes to the app it is installed on. */
  setup?: (app: VoltApp) => void;
}

/**
 * An app installed with `volt({ apps: [...] })`. Make one with {@link defineApp}.
 *
 * @typeParam S the settings it reads; X what it adds to every request context (type only).
 */
export interface InstalledApp<S = unknown, X = {}> {
  /** The app label: its models' label prefix and its migrations folder's name. */
  readonly name: string;
  /** Its models, in declaration order. */
  readonly models: readonly AnyModel[];
  /** The absolute migrations root of a packaged app, else `undefined`. */
  readonly migrations: string | undefined;
  /** The names of the apps that must be installed before it. */
  readonly requires: readonly string[];
  /** The TypeBox object of its settings, read from the environment; `undefined` without. */
  readonly settings: TObject | undefined;
  /** Its `volt check` rules. */
  readonly checks: readonly AppCheck[];
  /** Runs after every `migrate` (permission rows, seed data). */
  readonly postMigrate: PostMigrateHook | undefined;
  /** Whether the app needs a database (it has models, or said so). */
  readonly database: boolean;
  /** Adds its routes, hooks and context properties to the app it is installed on. */
  readonly setup: ((app: VoltApp) => void) | undefined;
  /** Type only: the settings' values. */
  readonly '~settings'?: S;
  /** Type only: what the app adds to the request context. */
  readonly '~context'?: X;
}

const LABEL = /^[a-z][a-z0-9_]*$/u;

/** The absolute path of a migrations root given as a path or a `file:` URL. */
export function migrationsRoot(name: string, folder: string | URL): string {
  const path =
    folder instanceof URL || folder.startsWith('file:') ? fileURLToPath(folder) : (folder as string);
  if (!isAbsolute(path))
    throw new TypeError(
      `The migrations folder of '${name}' must be absolute (got ${path}); use new URL('./migrations/', import.meta.url)`,
    );
  return resolve(path);
}

/**
 * Declares an installed app: a named part of an app with its models, migrations, settings,
 * checks and setup. Install it with `volt({ apps: [shop] })`.
 *
 * @example
 * ```ts
 * export const shop = defineApp({
 *   name: 'shop',
 *   models: [Product, Order],
 *   settings: t.Object({ SHOP_CURRENCY: t.String({ default: 'EUR' }) }),
 *   setup(app) {
 *     app.get('/products', {}, (ctx) => query(ctx.db, Product).all());
 *   },
 * });
 * const app = volt({ apps: [auth(), shop] });
 * app.settingsOf(shop).SHOP_CURRENCY; // 'EUR'
 * ```
 */
export function defineApp<S extends TObject | undefined = undefined>(
  definition: AppDefinition<S>,
): InstalledApp<S extends TObject ? Static<S> : {}> {
  const { name } = definition;
  if (typeof name !== 'string' || !LABEL.test(name))
    throw new TypeError(
      `defineApp(): '${String(name)}' is not an app name; use lower-case letters, digits and _, like 'library'`,
    );
  const models = [...(definition.models ?? [])];
  for (const model of models)
    if (!model?.meta)
      throw new TypeError(
        `defineApp('${name}'): models must be models made with model(), got ${String(model)}`,
      );
  if (definition.setup !== undefined && typeof definition.setup !== 'function')
    throw new TypeError(`defineApp('${name}'): setup must be a function`);
  if (definition.postMigrate !== undefined && typeof definition.postMigrate !== 'function')
    throw new TypeError(`defineApp('${name}'): postMigrate must be a function`);
  for (const check of definition.checks ?? [])
    if (typeof check?.id !== 'string' || typeof check.run !== 'function')
      throw new TypeError(`defineApp('${name}'): each check needs an id and a run(app) function`);
  return Object.freeze({
    name,
    models: Object.freeze(models),
    migrations: definition.migrations === undefined ? undefined : migrationsRoot(name, definition.migrations),
    requires: Object.freeze([...(definition.requires ?? [])]),
    settings: definition.settings,
    checks: Object.freeze([...(definition.checks ?? [])]),
    postMigrate: definition.postMigrate,
    database: definition.database === true || models.length > 0,
    setup: definition.setup,
  });
}
