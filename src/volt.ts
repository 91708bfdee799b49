/**
 * `volt()`: the one place an app is composed. The HTTP core (`src/http`) knows nothing of
 * OpenAPI, of the security layer or of the ORM; here they meet: the database the app opens at
 * startup, the security layer and the docs pages (installed apps of Volt's own), and the
 * installed apps the user lists.
 */
import type { TObject } from 'typebox';
import { type AppCheck, defineApp, type InstalledApp } from './apps/define-app.ts';
import { type AppOptions, VoltApp } from './http/app.ts';
import { readEnvironment, SettingsError, type SettingsProblem } from './http/settings.ts';
import { compilePart } from './http/validation.ts';
import { registerDocs } from './openapi/docs-ui.ts';
// The ORM's types only: an app without a database loads none of the ORM (connect() is
// imported when the app opens its database; the migration code when app.migrate() runs).
import type { ConnectOptions, Database } from './orm/database.ts';
import type { NamedPostMigrateHook } from './orm/migrations/post-migrate.ts';
import type { PackagedMigrationSource } from './orm/migrations/sources.ts';
import type { AnyModel } from './orm/model.ts';
import { DEPLOY_CHECKS } from './security/checks/index.ts';
import type { SecurityHeadersOptions } from './security/headers.ts';
import { installSecurity } from './security/install.ts';

/**
 * Where an app's database is: a URL, a URL with connect options, one already open, `true` for
 * the `DATABASE_URL` setting, or `false` for none.
 */
export type DatabaseOption = string | ({ url: string } & ConnectOptions) | Database | boolean;

/** Options of {@link volt}: the app's options, its database, its installed apps, its security headers. */
export interface VoltOptions<
  Apps extends readonly InstalledApp<any, any>[] = readonly InstalledApp<any, any>[],
> extends AppOptions {
  /**
   * The app's database, opened at startup and closed at shutdown (`app.db`, `ctx.db`): a URL
   * (`sqlite:./data/app.db`, `postgres://…`), `{ url, …connect options }`, `true` for the
   * `DATABASE_URL` setting, or `false` for none. An open `Database` is used as it is and left
   * open (its owner closes it: tests). Default: `DATABASE_URL` when an installed app has models
   * (or asks for a database), else none.
   */
  database?: DatabaseOption;
  /** The installed apps, in order: `[auth({ user: Customer }), library]`. */
  apps?: Apps;
  /** Overrides of the security headers sent on every response; `false` on one drops it. */
  securityHeaders?: SecurityHeadersOptions;
}

/** What a list of installed apps adds to the request context (`ctx.user`, `ctx.session`…). */
export type ContextOf<Apps extends readonly unknown[]> = UnionToIntersection<
  { [K in keyof Apps]: Apps[K] extends InstalledApp<any, infer X> ? X : {} }[number]
>;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I & {}
  : never;

/**
 * A composed Volt app: a {@link VoltApp} that knows its installed apps (their models, migrations,
 * post-migrate hooks, settings and checks). `volt()` makes it; the CLI reads it.
 */
export class App<X extends object = {}> extends VoltApp<X> {
  /** The installed apps, Volt's own (`security`, `docs`) included, in installation order. */
  readonly apps: readonly InstalledApp<any, any>[];
  /**
   * The URL (and connect options) the app opens its database with; `undefined` without a
   * database or with one handed over open. The CLI's commands connect to the same.
   */
  databaseConfig: { url: string; options: ConnectOptions } | undefined;
  readonly #appSettings = new Map<InstalledApp<any, any>, unknown>();

  constructor(
    options: AppOptions,
    apps: readonly InstalledApp<any, any>[],
    settings: Map<InstalledApp<any, any>, unknown>,
  ) {
    super(options);
    this.apps = apps;
    this.#appSettings = settings;
    this.databaseConfig = undefined;
  }

  /**
   * The settings an installed app reads (its `settings` schema), checked when the app was built.
   *
   * @example
   * ```ts
   * app.settingsOf(shop).SHOP_CURRENCY;
   * ```
   */
  settingsOf<S>(installed: InstalledApp<S, any>): S {
    if (!this.apps.includes(installed))
      throw new Error(`The app '${installed.name}' is not installed on this app`);
    return (this.#appSettings.get(installed) ?? {}) as S;
  }

  /** Every model of the installed apps, in installation order. */
  get models(): AnyModel[] {
    return [...new Set(this.apps.flatMap((installed) => installed.models))];
  }

  /** The packaged migrations of the installed apps (those that ship their own folder). */
  migrationSources(): PackagedMigrationSource[] {
    // Checked already: defineApp() made each folder absolute and each name an app label, volt()
    // refused two apps of one name; the loader checks that each folder holds the app's folder.
    return this.apps.flatMap((installed) =>
      installed.migrations === undefined
        ? []
        : [Object.freeze({ app: installed.name, folder: installed.migrations })],
    );
  }

  /** The post-migrate hooks of the installed apps, in installation order, by app name. */
  postMigrateHooks(): NamedPostMigrateHook[] {
    return this.apps.flatMap((installed) =>
      installed.postMigrate ? [[installed.name, installed.postMigrate] as const] : [],
    );
  }

  /**
   * Applies the migrations of the project (`root`, `migrations/` by default) and of the
   * installed apps to the app's database, then runs the installed apps' post-migrate hooks
   * (auth's permission rows): what `volt migrate` does, for tests and scripts. The app must
   * have started (`await app.ready()`), so its database is open.
   *
   * @example
   * ```ts
   * await app.ready();
   * await app.migrate();
   * ```
   */
  async migrate(options: { root?: string; log?: (text: string) => void } = {}): Promise<void> {
    const [{ loadMigrations }, { migrate }] = await Promise.all([
      import('./orm/migrations/loader.ts'),
      import('./orm/migrations/executor.ts'),
    ]);
    const migrations = await loadMigrations(options.root ?? 'migrations', {
      packaged: this.migrationSources(),
    });
    await migrate(this.db, migrations, { hooks: this.postMigrateHooks(), log: options.log ?? (() => {}) });
  }

  /** The `volt check` rules of the installed apps. */
  checks(): AppCheck[] {
    return this.apps.flatMap((installed) => [...installed.checks]);
  }
}

function isDatabase(value: unknown): value is Database {
  return typeof value === 'object' && value !== null && 'dialect' in value && 'kysely' in value;
}

/** The security layer as an installed app: its hooks, and the deployment checks. */
function securityApp(headers: SecurityHeadersOptions | undefined): InstalledApp {
  return defineApp({
    name: 'security',
    checks: DEPLOY_CHECKS.map((check) => ({
      id: check.id,
      title: check.title,
      deploy: true,
      run: (app: VoltApp) => check.run(app.settings),
    })),
    setup: (app) => installSecurity(app, headers ? { headers } : {}),
  });
}

/** The docs pages as an installed app. */
const docsApp = defineApp({ name: 'docs', setup: (app) => registerDocs(app) });

/** Reads and checks the settings an installed app declares; problems are collected. */
function readAppSettings(
  schema: TObject,
  vars: Record<string, string | undefined>,
  problems: SettingsProblem[],
): unknown {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties)) if (vars[name] !== undefined) values[name] = vars[name];
  const errors = compilePart('query', schema)(values);
  for (const error of errors ?? []) {
    const setting = error.loc.slice(1).join('.');
    problems.push({
      code: error.type === 'missing' ? 'VOLT_SETTINGS_REQUIRED' : 'VOLT_SETTINGS_INVALID_VALUE',
      setting,
      message: `${setting || 'settings'} ${error.msg}`,
    });
  }
  return values;
}

/**
 * Creates a Volt app. Settings come from the environment and `.env`; options override them.
 * The database opens at startup and closes at shutdown (`app.db`, `ctx.db`); installed apps
 * bring their models, migrations, routes and checks. The security layer is always installed,
 * and unless the `docs` setting is off the app serves `/openapi.json`, Swagger UI at `/docs`
 * and a second renderer at `/redoc`.
 *
 * @example
 * ```ts
 * const users = auth({ user: Customer });
 * const app = volt({ database: 'sqlite:./data/app.db', apps: [users, library] });
 * app.get('/books', {}, (ctx) => query(ctx.db, Book).all());
 * await app.listen();
 * ```
 */
export function volt<const Apps extends readonly InstalledApp<any, any>[] = []>(
  options: VoltOptions<Apps> = {},
): App<ContextOf<Apps>> {
  const { securityHeaders, database, apps: given = [] as unknown as Apps, ...appOptions } = options;
  // Settings first (the docs setting decides whether the docs app is installed).
  const probe = new Map<InstalledApp<any, any>, unknown>();
  const names = new Set<string>();
  const own = given as readonly InstalledApp<any, any>[];
  for (const installed of own) {
    if (typeof installed?.name !== 'string' || !Array.isArray(installed.models))
      throw new TypeError(
        `volt({ apps }): ${String(installed)} is not an installed app; make one with defineApp()`,
      );
    if (names.has(installed.name))
      throw new Error(`volt({ apps }): two installed apps are named '${installed.name}'`);
    for (const required of installed.requires)
      if (!names.has(required))
        throw new Error(
          `volt({ apps }): '${installed.name}' requires '${required}', which must be installed before it`,
        );
    names.add(installed.name);
  }
  const env = readEnvironment({ envFile: appOptions.envFile ?? '.env' });
  const problems: SettingsProblem[] = [];
  for (const installed of own)
    if (installed.settings) probe.set(installed, readAppSettings(installed.settings, env, problems));
  if (problems.length > 0) throw new SettingsError(problems);

  // The app is built once its settings are known; security first, so its request hook is the first.
  const placeholder: InstalledApp<any, any>[] = [];
  const app = new App<ContextOf<Apps>>(appOptions, placeholder, probe);
  const security = securityApp(securityHeaders);
  placeholder.push(security, ...own);
  if (app.settings.docs) placeholder.push(docsApp);
  Object.freeze(placeholder);

  const needsDatabase = own.some((installed) => installed.database);
  const choice = database ?? needsDatabase;
  if (choice !== false) {
    if (isDatabase(choice)) {
      app.useDatabase({ open: async () => choice, close: () => {} });
    } else {
      const { url, ...connectOptions } =
        typeof choice === 'string'
          ? { url: choice }
          : choice === true
            ? { url: app.settings.databaseUrl }
            : (choice as { url: string } & ConnectOptions);
      // The settings, unless the database options say otherwise.
      const { timeZone, databasePoolSize, databaseStatementCacheSize } = app.settings;
      const options: ConnectOptions = { timeZone, max: databasePoolSize, ...connectOptions };
      if (databaseStatementCacheSize !== undefined) options.statementCacheSize ??= databaseStatementCacheSize;
      app.databaseConfig = { url, options };
      app.useDatabase({
        open: async () => {
          const { connect } = await import('./orm/database.ts');
          return connect(url, { logger: app.fastify.log, ...options });
        },
        close: (db) => db.close(),
      });
    }
  }
  for (const installed of placeholder) installed.setup?.(app);
  // Without auth, reading them says what is missing (their types already refuse them).
  for (const name of ['user', 'session'])
    if (!app.hasContextProperty(name))
      app.defineContextProperty(name, () => {
        throw new Error(`ctx.${name} needs auth() among the app's installed apps: volt({ apps: [auth()] })`);
      });
  return app;
}
