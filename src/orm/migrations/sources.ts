/**
 * Packaged migrations: an app shipped inside a package (Volt's own `auth`, or a library's)
 * registers the folder that holds its migrations, and every command that loads the project's
 * migrations loads them too. `makemigrations` never writes into such an app: its migrations
 * come with its package.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationLoadError } from './loader.ts';

/** A registered migrations folder: `<folder>/<app>/<NNNN>_<name>.ts`. */
export interface PackagedMigrationSource {
  /** The app label (`auth`). */
  readonly app: string;
  /** The migrations root that holds the app's folder (its migrations are in `<folder>/<app>/`). */
  readonly folder: string;
}

const APP = /^[a-z][a-z0-9_]*$/u;
const sources = new Map<string, PackagedMigrationSource>();

/**
 * Registers the migrations of a packaged app: `folder` is a migrations root (a path or a
 * `file:` URL) whose `<app>/` folder holds them. Registering the same app and folder again does
 * nothing; the same app with another folder throws a `MigrationLoadError`.
 *
 * @example
 * ```ts
 * // in the package's models module, so importing the models brings their migrations
 * registerMigrationSource('auth', new URL('./migrations/', import.meta.url));
 * ```
 */
export function registerMigrationSource(app: string, folder: string | URL): PackagedMigrationSource {
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
  const known = sources.get(app);
  if (known) {
    if (known.folder === root) return known;
    throw new MigrationLoadError(
      `The app '${app}' already has its migrations in ${known.folder}; it cannot also have them in ${root}`,
    );
  }
  if (!existsSync(appFolder) || !statSync(appFolder).isDirectory())
    throw new MigrationLoadError(`The packaged app '${app}' has no migrations folder ${appFolder}`);
  const source = Object.freeze({ app, folder: root });
  sources.set(app, source);
  return source;
}

/** Every registered packaged app, in registration order. */
export function migrationSources(): readonly PackagedMigrationSource[] {
  return [...sources.values()];
}

/** `true` when `app`'s migrations come with a package (see {@link registerMigrationSource}). */
export function isPackagedApp(app: string): boolean {
  return sources.has(app);
}

/** Forgets a registration (for tests that register a source of their own). */
export function unregisterMigrationSource(app: string): boolean {
  return sources.delete(app);
}
