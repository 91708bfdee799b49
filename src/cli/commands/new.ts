/**
 * `volt new <dir>`: writes a new project that depends on Volt as a package, from the files in
 * `templates/project/` (next to `src/` and `dist/`, shipped in the npm package).
 *
 * A template file is copied with every `{{key}}` replaced by its value; a leading `_` in a file
 * name becomes a `.` (`_gitignore` → `.gitignore`: npm never packs a `.gitignore`). Values go
 * into JSON files JSON-escaped. The package name Volt is installed and imported under comes
 * from Volt's own package.json, so the templates follow it if the package is renamed.
 *
 * Runs on Node 20 as well (it is what `npx … new` meets on a machine without Node 24): it uses
 * nothing newer than `fs` and `path`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownFile } from '../../http/own-files.ts';
import type { Command, FlagSpec, Write } from '../command.ts';
import { CliError, UsageError } from '../errors.ts';

/** The folder the project template lives in (the package's `templates/`). */
function templateDir(): string {
  return fileURLToPath(ownFile('../templates/project/'));
}

/** The databases a new project can be made for. */
const DATABASES = ['sqlite', 'postgres'] as const;
export type NewDatabase = (typeof DATABASES)[number];

/** What Volt's package.json says that a new project copies. */
interface VoltManifest {
  name: string;
  version: string;
  devDependencies?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

/** Volt's package.json (the one next to `src/` or `dist/`). */
function voltManifest(): VoltManifest {
  return JSON.parse(readFileSync(ownFile('../package.json'), 'utf8')) as VoltManifest;
}

/**
 * Why `name` cannot be an npm package name (npm's rules for new packages), or `undefined` when
 * it can.
 *
 * @example
 * ```ts
 * packageNameProblem('my-app'); // undefined
 * packageNameProblem('My App'); // 'it has capital letters'
 * ```
 */
export function packageNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > 214) return 'it is longer than 214 characters';
  if (name.trim() !== name) return 'it starts or ends with a space';
  if (name.startsWith('.') || name.startsWith('_')) return `it starts with '${name[0]}'`;
  if (name !== name.toLowerCase()) return 'it has capital letters';
  if (/[~'!()*\s]/u.test(name) || encodeURIComponent(name) !== name)
    return 'it has characters other than lower-case letters, digits, -, . and _';
  if (name === 'node_modules' || name === 'favicon.ico') return `'${name}' is reserved`;
  if (builtinModules.includes(name)) return `'${name}' is a Node.js built-in module`;
  return undefined;
}

/** Options of {@link createProject}. */
export interface CreateProjectOptions {
  /** The folder to write into (created when missing); its name is the package name. */
  dir: string;
  database?: NewDatabase;
  /** The dependency spec of Volt in the new package.json (default `^<Volt's version>`). */
  voltSpec?: string;
  /** Write into a folder that is not empty (files of the template's names are replaced, but not `.env`). */
  force?: boolean;
  /** Messages show `dir` relative to it (default: the process's working directory). */
  cwd?: string;
}

/** What {@link createProject} wrote. */
export interface CreatedProject {
  dir: string;
  name: string;
  /** The files written, relative to `dir`, `/`-separated, sorted. */
  files: string[];
}

/** The PostgreSQL database a project is given: its name with `_` for what an identifier may not hold. */
function databaseName(project: string): string {
  return project.replace(/[^a-z0-9_]/gu, '_');
}

function databaseValues(database: NewDatabase, name: string): Record<string, string> {
  if (database === 'sqlite')
    return {
      dialect: 'sqlite',
      databaseUrl: 'sqlite:./data/app.db',
      databaseDescription: 'SQLite, in data/app.db',
      databaseSetup: '',
      testDatabaseEnv: '',
      testDatabaseNote: ', each on a fresh SQLite database in memory',
    };
  const url = `postgres://postgres@127.0.0.1:5432/${databaseName(name)}`;
  return {
    dialect: 'postgres',
    databaseUrl: url,
    databaseDescription: 'PostgreSQL, DATABASE_URL in .env',
    databaseSetup:
      `\nThe database must exist first: \`createdb ${databaseName(name)}\`, or set \`DATABASE_URL\` in \`.env\` to\n` +
      'another (`postgres://user:password@host:5432/name`).\n',
    testDatabaseEnv: `# The server npm test makes its throwaway schemas on (one per test).\nVOLT_TEST_POSTGRES=${url}\n`,
    testDatabaseNote: ', each in a throwaway schema on `VOLT_TEST_POSTGRES` (set in `.env`)',
  };
}

/** `^24.21.0` → `>=24.21.0`: the engines range of a project whose `node` devDependency is `range`. */
function engineOf(range: string): string {
  const version = /\d+(\.\d+){0,2}/u.exec(range)?.[0];
  return version === undefined ? range : `>=${version}`;
}

/**
 * A dependency spec as npm should read it from the new folder: a path that exists from `cwd`
 * (a tarball, a checkout) becomes `file:<absolute path>`; anything else (a range, a tag, a URL)
 * stays as it is.
 */
function resolveSpec(spec: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:/iu.test(spec) && !/^[a-z]:[\\/]/iu.test(spec)) return spec;
  const path = resolve(cwd, spec);
  return existsSync(path) ? `file:${path}` : spec;
}

function render(text: string, values: Record<string, string>, file: string, json: boolean): string {
  return text.replace(/\{\{(\w+)\}\}/gu, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${file}: unknown template key {{${key}}}`);
    return json ? JSON.stringify(value).slice(1, -1) : value;
  });
}

function templateFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...templateFiles(join(dir, entry.name), path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** A template path as written: a leading `_` in each part becomes `.`. */
function outputPath(path: string): string {
  return path
    .split('/')
    .map((part) => (part.startsWith('_') ? `.${part.slice(1)}` : part))
    .join('/');
}

/** The entries of `dir` that make it "not empty" (a bare `.git` does not). */
function contents(dir: string): string[] {
  return readdirSync(dir).filter((name) => name !== '.git');
}

/**
 * The project's package.json with the install scripts Volt's own dependencies bring denied as
 * Volt denies them (`allowScripts`), so npm does not ask about them.
 */
function withDeniedScripts(text: string, volt: VoltManifest): string {
  const denied = Object.entries(volt.allowScripts ?? {}).filter(([, allowed]) => !allowed);
  if (denied.length === 0) return text;
  const pkg = JSON.parse(text) as { allowScripts?: Record<string, boolean> };
  pkg.allowScripts = { ...pkg.allowScripts, ...Object.fromEntries(denied) };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * Writes a new project into `options.dir`; throws a `CliError` when the folder is not empty
 * (without `force`) or its name is not a valid package name.
 *
 * @example
 * ```ts
 * const { files } = createProject({ dir: 'my-app', database: 'postgres' });
 * ```
 */
export function createProject(options: CreateProjectOptions): CreatedProject {
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, options.dir);
  const shown = relative(cwd, dir) || '.';
  const name = basename(dir);
  const problem = packageNameProblem(name);
  if (problem !== undefined)
    throw new CliError(
      `'${name}' cannot be the project's name (the folder's name, used as the npm package name): ${problem}. ` +
        `Use lower-case letters, digits and -, e.g. 'my-app'`,
    );
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new CliError(`${shown} exists and is not a folder`);
    if (!options.force && contents(dir).length > 0)
      throw new CliError(
        `The folder ${shown} is not empty. Pick a new folder, or add --force to write the ` +
          `project into it (its files with the template's names are replaced)`,
      );
  }
  const volt = voltManifest();
  const dev = volt.devDependencies ?? {};
  const nodeRange = dev.node ?? '^24.0.0';
  const values: Record<string, string> = {
    name,
    volt: volt.name,
    voltSpec: options.voltSpec ?? `^${volt.version}`,
    nodeRange,
    nodeEngine: engineOf(nodeRange),
    typescriptRange: dev.typescript ?? 'latest',
    typesNodeRange: dev['@types/node'] ?? 'latest',
    ...databaseValues(options.database ?? 'sqlite', name),
  };
  const written: string[] = [];
  for (const file of templateFiles(templateDir())) {
    const target = outputPath(file);
    let text = render(readFileSync(join(templateDir(), file), 'utf8'), values, file, file.endsWith('.json'));
    if (target === 'package.json') text = withDeniedScripts(text, volt);
    const path = join(dir, ...target.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(target);
  }
  // The settings the app starts with, ready to edit: .env is git-ignored, .env.example is not.
  // An existing .env (--force into a project) is the user's: it is kept.
  if (!existsSync(join(dir, '.env'))) {
    writeFileSync(join(dir, '.env'), readFileSync(join(dir, '.env.example')));
    written.push('.env');
  }
  return { dir, name, files: written.sort() };
}

const FLAGS = {
  database: {
    type: 'string',
    valueName: 'DB',
    description: 'sqlite (default: a file in data/) or postgres (DATABASE_URL in .env)',
  },
  'volt-spec': {
    type: 'string',
    valueName: 'SPEC',
    description:
      "Volt's version in package.json (default ^<this version>; a tarball or folder path works too)",
  },
  force: { type: 'boolean', description: 'Write into a folder that is not empty' },
} as const satisfies Record<string, FlagSpec>;

function parseDatabase(value: string | undefined): NewDatabase {
  if (value === undefined) return 'sqlite';
  if ((DATABASES as readonly string[]).includes(value)) return value as NewDatabase;
  throw new UsageError(`--database must be one of ${DATABASES.join(', ')}, got '${value}'`);
}

function printNext(
  project: CreatedProject,
  target: string,
  cwd: string,
  database: NewDatabase,
  stdout: Write,
) {
  const folder = target.includes(' ') ? JSON.stringify(target) : target;
  const db = database === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  stdout(`Created ${project.name} (${db}) in ${target}: ${project.files.length} files.\n\nNext:\n`);
  if (project.dir !== resolve(cwd)) stdout(`  cd ${folder}\n`);
  stdout('  npm install\n');
  if (database === 'postgres')
    stdout(`  createdb ${databaseName(project.name)}   # or set DATABASE_URL in .env\n`);
  stdout('  npm start      # then open http://127.0.0.1:8000/docs\n');
}

/** `volt new`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt new <dir> [options]',
  description:
    'Writes a new Volt project into <dir> (created when missing; its name is the package name): ' +
    'package.json (Node 24 as a devDependency, scripts start, dev, test, migrate, makemigrations, ' +
    'createsuperuser), tsconfig.json, app.ts, models.ts with its first migration, a test, .env and ' +
    '.env.example, .gitignore and a README. Then: cd <dir> && npm install && npm start. Refuses a ' +
    'folder that is not empty unless --force.',
  args: [{ name: 'dir', description: 'The folder of the new project, e.g. my-app' }],
  flags: FLAGS,
  examples: ['volt new my-app', 'volt new my-app --database postgres', 'volt new . --force'],
  async run({ args, flags, cwd, stdout }) {
    const target = args[0];
    if (target === undefined) throw new UsageError("Name the project's folder, e.g. 'volt new my-app'");
    const database = parseDatabase(flags.database);
    const spec = flags['volt-spec'];
    if (spec !== undefined && spec.trim() === '') throw new UsageError('--volt-spec must not be empty');
    const project = createProject({
      dir: target,
      cwd,
      database,
      ...(spec === undefined ? {} : { voltSpec: resolveSpec(spec, cwd) }),
      force: flags.force === true,
    });
    printNext(project, target, cwd, database, stdout);
    return 0;
  },
};
