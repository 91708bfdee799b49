/**
 * Finds and imports the user's app module: the path given on the command line, else
 * `"volt": { "app": "…" }` in `package.json`, else `app.ts` in the working directory.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { VoltApp } from '../http/app.ts';
import { ownFile } from '../http/own-files.ts';
import { CliError } from './errors.ts';

/** The module file a Volt app is looked for in when nothing says otherwise. */
export const DEFAULT_APP_MODULE = 'app.ts';

/** Help text describing where the app comes from, shared by the commands' `--help`. */
export const APP_ARGUMENT_HELP =
  'The module exporting the app (default: "volt": { "app" } in package.json, else app.ts)';

/** A path as messages show it: relative to `cwd` when inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * `"volt": { key }` of the project's package.json, checked to be a non-empty string;
 * `undefined` when there is no package.json, no `"volt"` or no such key.
 */
export function voltSetting(cwd: string, key: 'app' | 'migrations', example: string): string | undefined {
  const file = join(cwd, 'package.json');
  if (!existsSync(file)) return undefined;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`Cannot read ${displayPath(file, cwd)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const value = (manifest as { volt?: Record<string, unknown> } | null)?.volt?.[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw new CliError(`"volt.${key}" in ${displayPath(file, cwd)} must be a path, e.g. "${example}"`);
  return value;
}

function configuredApp(cwd: string): string | undefined {
  return voltSetting(cwd, 'app', 'src/app.ts');
}

/**
 * The absolute path of the app module. A directory stands for its `app.ts`. Throws a
 * {@link CliError} naming where it looked when the file does not exist.
 */
export function resolveAppPath(arg: string | undefined, cwd: string): string {
  const configured = arg === undefined ? configuredApp(cwd) : undefined;
  const given = arg ?? configured ?? DEFAULT_APP_MODULE;
  let path = resolve(cwd, given);
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, DEFAULT_APP_MODULE);
  if (existsSync(path)) return path;
  const where =
    arg !== undefined
      ? ''
      : configured !== undefined
        ? ' (from "volt.app" in package.json)'
        : `; pass the app module's path (e.g. volt start src/app.ts) or set "volt": { "app": "src/app.ts" } in package.json`;
  throw new CliError(`Cannot find the app module ${displayPath(path, cwd)}${where}`);
}

/** Tells whether a value is a Volt app, also one built by another copy of Volt than the CLI's. */
export function isVoltApp(value: unknown): value is VoltApp {
  if (value instanceof VoltApp) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof VoltApp, unknown>>;
  return (
    typeof candidate.fastify === 'object' &&
    candidate.fastify !== null &&
    Array.isArray(candidate.routes) &&
    typeof candidate.listen === 'function'
  );
}

/**
 * Imports the app module at `path` (absolute). A Node that cannot run TypeScript is a
 * {@link CliError} saying so; errors thrown while the module runs propagate as is.
 */
export async function importAppModule(path: string, cwd: string): Promise<Record<string, unknown>> {
  try {
    return await import(pathToFileURL(path).href);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new CliError(
        `Node ${process.version} cannot import ${displayPath(path, cwd)}: TypeScript needs Node 22.18+ (or 22.13+ with --experimental-strip-types)`,
        { cause: error },
      );
    }
    // A mistake Volt names (a field's options, a setting): its message and where in the
    // project it was made, rather than a stack trace through Volt's own files.
    if (isVoltError(error) && error.name !== 'SettingsError') {
      const at = projectFrame(error.stack ?? '', cwd);
      throw new CliError(
        `${displayPath(path, cwd)} failed to load: ${error.message}${at ? `\n  at ${at}` : ''}`,
        { cause: error },
      );
    }
    throw error;
  }
}

function isVoltError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('VOLT_');
}

// Volt's own files (src/ in a clone, dist/ installed): frames in them are not the project's.
const ownFiles = () => ownFile('./').href;

/** The first frame of `stack` in the project's own files (`models.ts:20:12`), if any. */
function projectFrame(stack: string, cwd: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const match = /(file:\/\/[^\s)]+):(\d+):(\d+)/u.exec(line);
    if (!match || match[1]!.startsWith(ownFiles()) || match[1]!.includes('/node_modules/')) continue;
    return `${displayPath(fileURLToPath(match[1]!), cwd)}:${match[2]}:${match[3]}`;
  }
  return undefined;
}

/** An imported app and the file it came from. */
export interface LoadedApp {
  app: VoltApp;
  /** The absolute path of the module. */
  path: string;
}

/**
 * Imports the app module and returns its `default` export, or its `app` export, which must
 * be a Volt app. Errors thrown while the module runs (invalid settings, say) propagate as is.
 *
 * @example
 * ```ts
 * const { app } = await loadApp('examples/hello/app.ts', process.cwd());
 * ```
 */
export async function loadApp(arg: string | undefined, cwd: string): Promise<LoadedApp> {
  const path = resolveAppPath(arg, cwd);
  const module = await importAppModule(path, cwd);
  for (const name of ['default', 'app']) {
    if (isVoltApp(module[name])) return { app: module[name], path };
  }
  const names = Object.keys(module);
  const found = names.length > 0 ? `it exports ${names.join(', ')}` : 'it has no exports';
  throw new CliError(
    `${displayPath(path, cwd)} exports no Volt app (${found}); add \`export default app\` or \`export const app = volt()\``,
  );
}
