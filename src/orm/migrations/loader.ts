/**
 * The migration loader: imports every migration file under a migrations root.
 *
 * Layout: `<root>/<app>/<NNNN>_<name>.ts` (or `.js`), one folder per app, each file's default
 * export built by `migration()`. Files starting with `_` or `.` and `.d.ts` files are not
 * migrations and are skipped; any other `.ts`/`.js` file whose name does not fit is an error
 * (a typo would otherwise be silently left unapplied).
 *
 * Packaged apps (`options.packaged`, an app's installed apps' sources) are loaded with the root:
 * their migrations come from their package's folder, and a project root must not have a folder
 * of their own.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PackagedMigrationSource } from './sources.ts';
import type { LoadedMigration, MigrationDefinition, MigrationId } from './types.ts';

/** A migration file or folder that cannot be loaded. Stable code: `VOLT_MIGRATION_LOAD`. */
export class MigrationLoadError extends Error {
  override readonly name = 'MigrationLoadError';
  readonly code = 'VOLT_MIGRATION_LOAD';
}

/** An app folder's name: a lower-case app label, as in model labels (`library`). */
const APP = /^[a-z][a-z0-9_]*$/u;
/** A migration file's name without extension: four digits, `_`, lower-case words. */
const NAME = /^\d{4}_[a-z0-9_]+$/u;
const ID = /^[a-z][a-z0-9_]*\/\d{4}_[a-z0-9_]+$/u;
const EXTENSION = /\.(ts|js|mts|mjs)$/u;

function skipped(file: string): boolean {
  return file.startsWith('_') || file.startsWith('.') || /\.d\.(ts|mts)$/u.test(file);
}

function isDefinition(value: unknown): value is MigrationDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { operations?: unknown }).operations)
  );
}

function checkDefinition(definition: MigrationDefinition, id: string, file: string): void {
  const dependencies = definition.dependencies ?? [];
  if (!Array.isArray(dependencies))
    throw new MigrationLoadError(`${file}: dependencies must be a list of ids like 'library/0001_initial'`);
  for (const dependency of dependencies) {
    if (typeof dependency !== 'string' || !ID.test(dependency))
      throw new MigrationLoadError(
        `${file}: the dependency ${JSON.stringify(dependency)} is not a migration id; write '<app>/<NNNN>_<name>', like 'library/0001_initial'`,
      );
    if (dependency === id) throw new MigrationLoadError(`${file}: ${id} depends on itself`);
  }
  definition.operations.forEach((operation, index) => {
    if (
      typeof operation !== 'object' ||
      operation === null ||
      typeof operation.databaseForwards !== 'function' ||
      typeof operation.stateForwards !== 'function'
    )
      throw new MigrationLoadError(
        `${file}: operation ${index + 1} is not an operation; build operations with op, like op.addField(...)`,
      );
  });
}

/**
 * Imports one migration file. `app` and `name` come from its path.
 *
 * @example
 * ```ts
 * const m = await loadMigrationFile('migrations/library/0001_initial.ts', 'library', '0001_initial');
 * m.id; // 'library/0001_initial'
 * ```
 */
export async function loadMigrationFile(file: string, app: string, name: string): Promise<LoadedMigration> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new MigrationLoadError(`${file} could not be imported: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const definition = module.default;
  if (!isDefinition(definition)) {
    const found = definition === undefined ? 'it has no default export' : 'its default export is not one';
    throw new MigrationLoadError(
      `${file} does not export a migration (${found}); write \`export default migration({ dependencies: [...], operations: [...] })\``,
    );
  }
  const id = `${app}/${name}` as MigrationId;
  checkDefinition(definition, id, file);
  // The definition is frozen by migration(): extend a copy, keeping its own properties.
  return Object.freeze({ ...definition, id, app, name, file });
}

/** Loads the migrations of one app folder. */
async function loadApp(folder: string, app: string, loaded: LoadedMigration[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const entry of readdirSync(folder).sort()) {
    const file = join(folder, entry);
    if (skipped(entry) || !EXTENSION.test(entry) || !statSync(file).isFile()) continue;
    const name = entry.replace(EXTENSION, '');
    if (!NAME.test(name))
      throw new MigrationLoadError(
        `${file}: a migration file is named '<NNNN>_<name>.ts' (four digits, then lower-case words), like '0002_add_book_isbn.ts'`,
      );
    const other = seen.get(name);
    if (other) throw new MigrationLoadError(`${file} and ${other} are both the migration ${app}/${name}`);
    seen.set(name, file);
    loaded.push(await loadMigrationFile(file, app, name));
  }
}

/** Options of {@link loadMigrations}. */
export interface LoadMigrationsOptions {
  /** The packaged apps whose migrations load too (an app's installed apps: `app.migrationSources()`). */
  packaged?: readonly PackagedMigrationSource[];
}

/**
 * Loads every migration under `root`, and those of the packaged apps given (`packaged`), in no
 * particular order (see `orderMigrations()`). A missing
 * root means no project migrations yet. A project folder named like a packaged app is an
 * error: that app's migrations come with its package.
 *
 * @example
 * ```ts
 * const migrations = orderMigrations(await loadMigrations('migrations'));
 * ```
 */
export async function loadMigrations(
  root: string,
  options: LoadMigrationsOptions = {},
): Promise<LoadedMigration[]> {
  const packaged = options.packaged ?? [];
  const loaded: LoadedMigration[] = [];
  if (existsSync(root)) {
    if (!statSync(root).isDirectory())
      throw new MigrationLoadError(`The migrations root ${root} is a file; it should be a folder`);
    for (const app of readdirSync(root).sort()) {
      const folder = join(root, app);
      if (skipped(app) || !statSync(folder).isDirectory()) continue;
      if (!APP.test(app))
        throw new MigrationLoadError(
          `${folder}: '${app}' is not an app label; app folders are lower-case letters, digits and _, like 'library'`,
        );
      const source = packaged.find((s) => s.app === app);
      if (source) {
        if (resolve(source.folder) === resolve(root)) continue;
        throw new MigrationLoadError(
          `${folder}: the app '${app}' comes with its migrations (in ${join(source.folder, app)}); remove this folder`,
        );
      }
      await loadApp(folder, app, loaded);
    }
  }
  for (const source of packaged) {
    const folder = join(source.folder, source.app);
    if (!existsSync(folder) || !statSync(folder).isDirectory())
      throw new MigrationLoadError(`The packaged app '${source.app}' has no migrations folder ${folder}`);
    await loadApp(folder, source.app, loaded);
  }
  return loaded;
}
