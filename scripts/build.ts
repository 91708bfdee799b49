/**
 * `npm run build`: the published `dist/`. `tsc` compiles `src/` (the `.js` files and the `.d.ts`
 * types), then esbuild bundles the `.js` files: one file per entry point and shared chunks, so
 * an app imports a few modules instead of one per source file (a faster start: see the cold
 * start in docs/benchmarks.md). Packages stay imports of their own; the `.d.ts` files stay as
 * `tsc` wrote them.
 *
 * Entry points keep their paths: the package's exports (`index`, `orm`, `auth`, `crud`, `testing`,
 * `client`), the CLI (`cli/main` and each command, which it imports when it runs) and the packaged
 * migrations, which the migration loader imports by path. Code that finds Volt's own files does so from the
 * package's entry (`src/http/own-files.ts`), never from its module's URL, which in a bundle is
 * its chunk's.
 *
 * Usage: `node scripts/build.ts [--out dist] [--no-bundle]`
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');

/** The compiled files the bundle starts from, relative to the output folder. */
export function entryPoints(files: readonly string[]): string[] {
  const entry =
    /^(index|orm\/index|auth\/index|admin\/index|crud\/index|testing\/index|client\/index|cli\/main|cli\/commands\/[^/]+|auth\/migrations\/.+|admin\/migrations\/.+)\.js$/;
  return files.filter((file) => entry.test(file));
}

/** Every file under `dir`, relative to it, with `/` separators. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

/** Compiles `src/` into `out` with tsc, and copies the data files the code reads. */
function compile(out: string, options: { declaration: boolean }): void {
  rmSync(out, { recursive: true, force: true });
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  const flags = ['-p', join(root, 'tsconfig.build.json'), '--outDir', out];
  if (!options.declaration) flags.push('--declaration', 'false', '--sourceMap', 'false');
  execFileSync(tsc, flags, { stdio: 'inherit' });
  cpSync(join(root, 'src', 'auth', 'common-passwords.txt'), join(out, 'auth', 'common-passwords.txt'));
}

/** The admin's stylesheet and script, copied as they are (after bundling, which removes `.js` files). */
function copyAdminAssets(out: string): void {
  for (const file of ['admin.css', 'admin.js'])
    cpSync(join(root, 'src', 'admin', 'static', file), join(out, 'admin', 'static', file));
}

/** Replaces the `.js` files tsc wrote in `out` with their bundle (entry points and chunks). */
export async function bundle(out: string): Promise<void> {
  const staging = `${out}.bundle`;
  rmSync(staging, { recursive: true, force: true });
  const files = filesUnder(out);
  await build({
    entryPoints: entryPoints(files).map((file) => join(out, file)),
    outbase: out,
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
  for (const file of files) if (file.endsWith('.js') || file.endsWith('.js.map')) rmSync(join(out, file));
  for (const file of filesUnder(staging)) {
    cpSync(join(staging, file), join(out, file));
  }
  rmSync(staging, { recursive: true, force: true });
}

/** Builds `out` as published: compiled by tsc (with types), then bundled unless `bundled` is false. */
export async function buildDist(out: string, options: { bundled?: boolean; declaration?: boolean } = {}) {
  compile(out, { declaration: options.declaration ?? true });
  if (options.bundled !== false) await bundle(out);
  copyAdminAssets(out);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: 'dist' }, 'no-bundle': { type: 'boolean', default: false } },
  });
  const out = join(root, values.out);
  await buildDist(out, { bundled: !values['no-bundle'] });
}
