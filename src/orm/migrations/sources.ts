/**
 * Packaged migrations: an app shipped inside a package (Volt's own `auth`, or a library's)
 * keeps its migrations in its own folder, and every command that loads the project's
 * migrations loads them too — for the apps installed on the app (`volt({ apps })`), which hands
 * their sources to the loader. `makemigrations` never writes into such an app: its migrations
 * come with its package. There is no process-wide registry: each app lists its own.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationLoadError } from './loader.ts';

/** A packaged app's migrations folder: `<folder>/<app>/<NNNN>_<name>.ts`. */
export interface PackagedMigrationSource {
  /** The app label (`auth`). */
  readonly app: string;
  /** The migrations root that holds the app's folder (its migrations are in `<folder>/<app>/`). */
  readonly folder: string;
}

const APP = /^[a-z][a-z0-9_]*$/u;

/**
 * Checks a packaged app's migrations folder: `folder` is a migrations root (a path or a `file:`
 * URL) whose `<app>/` folder holds them. Throws a `MigrationLoadError` naming what is wrong.
 *
 * @example
 * ```ts
 * const source = migrationSource('auth', new URL('./migrations/', import.meta.url));
 * await loadMigrations('migrations', { packaged: [source] });
 * ```
 */
export function migrationSource(app: string, folder: string | URL): PackagedMigrationSource {
  if (!APP.test(app))
    throw new MigrationLoadError(
      `'${app}' is not an app label; app labels are lower-case letters, digits and _, like 'auth'`,
    );
  const path = folder instanceof URL || folder.startsWith('file:') ? fileURLToPath(folder) : folder;
  if (!isAbsolute(path))
    throw new MigrationLoadError(
      `The migrations folder of '${app}' must be absolute (got ${path}); resolve it from import.meta.url`,
    );
  const root = resolve(path);
  const appFolder = resolve(root, app);
  if (!existsSync(appFolder) || !statSync(appFolder).isDirectory())
    throw new MigrationLoadError(`The packaged app '${app}' has no migrations folder ${appFolder}`);
  return Object.freeze({ app, folder: root });
}

/**
 * The sources of several packaged apps, checked: one app named twice with two folders throws
 * a `MigrationLoadError`; the same app and folder twice counts once.
 */
export function migrationSources(
  sources: ReadonlyArray<{ app: string; folder: string | URL }>,
): PackagedMigrationSource[] {
  const byApp = new Map<string, PackagedMigrationSource>();
  for (const given of sources) {
    const source = migrationSource(given.app, given.folder);
    const known = byApp.get(source.app);
    if (known && known.folder !== source.folder)
      throw new MigrationLoadError(
        `The app '${source.app}' has its migrations in ${known.folder}; it cannot also have them in ${source.folder}`,
      );
    byApp.set(source.app, source);
  }
  return [...byApp.values()];
}
