/**
 * Where Volt's own files are: the folder of the package's entry module, `src/` when run from
 * this repository's source (the `volt-source` condition), `dist/` installed. Code that reads a
 * file shipped with Volt (auth's packaged migrations and common-password list, the CLI's project
 * template) finds it from there, never from its own module's URL: in the published build,
 * bundled, a module's URL is that of the chunk it landed in.
 */
import { extname } from 'node:path';

let entry: string | undefined;

/** The URL of Volt's entry module, resolved on first use (the package refers to itself by name). */
function entryUrl(): string {
  entry ??= import.meta.resolve('voltjs');
  return entry;
}

/**
 * The URL of `path`, relative to the folder of Volt's entry module: `ownFile('auth/migrations/')`,
 * `ownFile('../package.json')`.
 */
export function ownFile(path: string): URL {
  return new URL(path, entryUrl());
}

/** The URL of one of Volt's modules, by its path without extension: `ownModule('cli/main')`. */
export function ownModule(path: string): URL {
  return ownFile(`${path}${extname(new URL(entryUrl()).pathname)}`);
}
