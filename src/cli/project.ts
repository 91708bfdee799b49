/**
 * The project the migration commands work on, as its app module declares it: the installed
 * apps (their models, packaged migrations and post-migrate hooks), the migrations folder and the
 * database the app opens.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { InstalledApp } from '../apps/define-app.ts';
import { maskUrl, maskUrls } from '../http/mask-url.ts';
import { loadSettings } from '../http/settings.ts';
import { type ConnectOptions, connect, type Database, type DatabaseLogger } from '../orm/database.ts';
import { dialectForUrl } from '../orm/dialects/registry.ts';
import { DatabaseError, DatabaseUnavailableError } from '../orm/errors.ts';
import { orderMigrations } from '../orm/migrations/graph.ts';
import { loadMigrations } from '../orm/migrations/loader.ts';
import type { NamedPostMigrateHook } from '../orm/migrations/post-migrate.ts';
import type { PackagedMigrationSource } from '../orm/migrations/sources.ts';
import type { LoadedMigration } from '../orm/migrations/types.ts';
import type { AnyModel } from '../orm/model.ts';
import { allModels } from '../orm/registry.ts';
import type { App } from '../volt.ts';
import type { FlagSpec } from './command.ts';
import { CliError } from './errors.ts';
import { DEFAULT_APP_MODULE, importAppModule, isVoltApp, resolveAppPath, voltSetting } from './load-app.ts';

/** What the commands read of a composed app (`volt()` makes one; the CLI may be another copy of Volt). */
type ComposedApp = Pick<App, 'apps' | 'databaseConfig' | 'models' | 'migrationSources' | 'postMigrateHooks'>;

function isComposed(app: unknown): app is ComposedApp {
  return typeof (app as Partial<ComposedApp> | undefined)?.migrationSources === 'function';
}

/** Options of {@link loadProject}. */
export interface LoadProjectOptions {
  /** The directory the project lives in (relative paths resolve against it). */
  cwd: string;
  /** The app module (default: `"volt": { "app" }` in package.json, else `app.ts`). */
  app?: string | undefined;
  /** The migrations folder (default: `"volt": { "migrations" }` in package.json, else `migrations/` next to the app module). */
  migrations?: string | undefined;
  /** The database URL (default: the app's `database`, else `DATABASE_URL`, else `sqlite:./data/app.db`). */
  database?: string | undefined;
}

/** What {@link loadProject} finds. */
export interface Project {
  /** The installed apps' models, and every other model registered once the app module is imported. */
  models: AnyModel[];
  /** The apps the app module's app installs (`volt({ apps })`); none when it exports no app. */
  apps: readonly InstalledApp<any, any>[];
  /** The packaged migrations of the installed apps (auth's). */
  packaged: PackagedMigrationSource[];
  /** What runs after `migrate`: the installed apps' post-migrate hooks. */
  postMigrate: NamedPostMigrateHook[];
  /** Connect options the app gives its database. */
  connectOptions: ConnectOptions;
  /** The absolute path of the app module. */
  appPath: string;
  /** The absolute path of the migrations folder (it may not exist yet). */
  migrationsRoot: string;
  /** The database URL; a relative SQLite path is made absolute against `cwd`. */
  databaseUrl: string;
  /** The app's logger, when the module exports an app: the database logs through it. */
  logger?: DatabaseLogger;
}

/**
 * A database URL with a relative SQLite path made absolute against `cwd`, so a command run
 * from `cwd` and the app started there use the same file.
 *
 * @example
 * ```ts
 * absoluteDatabaseUrl('sqlite:./data/app.db', '/srv/app'); // 'sqlite:/srv/app/data/app.db'
 * ```
 */
export function absoluteDatabaseUrl(url: string, cwd: string): string {
  if (!url.startsWith('sqlite:')) return url;
  const rest = url.slice('sqlite:'.length);
  if (rest === '' || rest === ':memory:' || rest.startsWith('//')) return url;
  return isAbsolute(rest) ? url : `sqlite:${resolve(cwd, rest)}`;
}

/**
 * Imports the app module (which registers its models) and works out where the migrations
 * and the database are.
 *
 * @example
 * ```ts
 * const project = await loadProject({ cwd: process.cwd() });
 * project.models.map((m) => m.meta.label); // ['library.Author', 'library.Book']
 * ```
 */
export async function loadProject(options: LoadProjectOptions): Promise<Project> {
  const { cwd } = options;
  // "volt": { "migrations" } alone is a valid configuration: the app module then defaults to app.ts.
  const appPath = resolveAppPath(
    options.app ?? voltSetting(cwd, 'app', 'src/app.ts') ?? DEFAULT_APP_MODULE,
    cwd,
  );
  const module = await importAppModule(appPath, cwd);
  const app = [module.default, module.app].find(isVoltApp);
  const migrations = options.migrations ?? voltSetting(cwd, 'migrations', 'migrations');
  const migrationsRoot =
    migrations === undefined ? join(dirname(appPath), 'migrations') : resolve(cwd, migrations);
  const composed = isComposed(app) ? app : undefined;
  let databaseUrl = options.database;
  if (databaseUrl === undefined && composed?.databaseConfig) databaseUrl = composed.databaseConfig.url;
  if (databaseUrl === undefined) {
    const envFile = join(cwd, '.env');
    databaseUrl = loadSettings({ envFile: existsSync(envFile) ? envFile : false }).databaseUrl;
  } else if (!dialectForUrl(databaseUrl)) {
    throw new CliError(
      `The database URL must start with sqlite: or postgres:// (e.g. sqlite:./data/app.db), got "${maskUrl(databaseUrl)}"`,
    );
  }
  const project: Project = {
    models: [...new Set([...(composed?.models ?? []), ...allModels()])],
    apps: composed?.apps ?? [],
    packaged: composed?.migrationSources() ?? [],
    postMigrate: composed?.postMigrateHooks() ?? [],
    connectOptions: composed?.databaseConfig?.options ?? {},
    appPath,
    migrationsRoot,
    databaseUrl: absoluteDatabaseUrl(databaseUrl, cwd),
  };
  if (app) project.logger = app.fastify.log;
  return project;
}

/** The flags every migration command takes. */
export const PROJECT_FLAGS = {
  app: {
    type: 'string',
    valueName: 'FILE',
    description: 'The app module (default: "volt.app" in package.json, else app.ts)',
  },
  migrations: {
    type: 'string',
    valueName: 'DIR',
    description:
      'The migrations folder (default: "volt.migrations" in package.json, else migrations/ next to the app)',
  },
  database: {
    type: 'string',
    valueName: 'URL',
    description: 'The database URL (default: DATABASE_URL, else sqlite:./data/app.db)',
  },
} as const satisfies Record<string, FlagSpec>;

/** What a migration command works with: the project, its ordered migrations and an open database. */
export interface MigrationContext {
  project: Project;
  migrations: LoadedMigration[];
  db: Database;
}

/**
 * A failure of the migration machinery the user can act on (a bad migration file, a failing
 * migration, an unreachable database) as a `CliError`, printed without a stack trace; anything
 * else as it is.
 */
export function migrationFailure(error: unknown): unknown {
  if (error instanceof CliError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof DatabaseUnavailableError)
    return new CliError(`Cannot use the database: ${maskUrls(error.message)}`, { cause: error });
  if (error instanceof DatabaseError || (typeof code === 'string' && code.startsWith('VOLT_')))
    return new CliError(maskUrls((error as Error).message), { cause: error });
  // The server refused or is not there: a system error (ECONNREFUSED…) or the server's own
  // (a wrong password, a missing database), which pg reports with a severity.
  const system = typeof code === 'string' && /^E[A-Z]+$/u.test(code) && 'syscall' in (error as object);
  if (system || (error as { severity?: unknown } | null)?.severity !== undefined)
    return new CliError(`Cannot use the database: ${maskUrls((error as Error).message)}`, { cause: error });
  return error;
}

/**
 * Loads the project, runs `prepare` on it (what must be ready before a connection is opened),
 * opens the database, runs `fn`, and closes the database. Failures the user can act on become
 * a `CliError` ({@link migrationFailure}).
 *
 * @example
 * ```ts
 * await withProjectDatabase({ cwd }, (project) => project.models[0]!, async (model, db) => query(db, model).count());
 * ```
 */
export async function withProjectDatabase<P, T>(
  options: LoadProjectOptions,
  prepare: (project: Project) => P | Promise<P>,
  fn: (prepared: P, db: Database) => Promise<T>,
): Promise<T> {
  let db: Database | undefined;
  try {
    const project = await loadProject(options);
    const prepared = await prepare(project);
    db = await connect(project.databaseUrl, {
      ...project.connectOptions,
      ...(project.logger ? { logger: project.logger } : {}),
    });
    return await fn(prepared, db);
  } catch (error) {
    throw migrationFailure(error);
  } finally {
    await db?.close();
  }
}

/**
 * Loads the project and its migrations (ordered, checked), opens the database, runs `fn`, and
 * closes the database.
 *
 * @example
 * ```ts
 * await withMigrations({ cwd, ...flags }, async ({ db, migrations }) => plan(db, migrations));
 * ```
 */
export function withMigrations<T>(
  options: LoadProjectOptions,
  fn: (context: MigrationContext) => Promise<T>,
): Promise<T> {
  return withProjectDatabase(
    options,
    async (project) => ({
      project,
      migrations: orderMigrations(
        await loadMigrations(project.migrationsRoot, { packaged: project.packaged }),
      ),
    }),
    (loaded, db) => fn({ ...loaded, db }),
  );
}
