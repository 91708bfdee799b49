/**
 * Docs can't rot: every snippet under docs/snippets runs (each asserts what it shows), and
 * every page that embeds a snippet embeds its current text.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const snippetDir = join(root, 'docs', 'snippets');

function listFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name))
    .sort();
}

function run(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=volt-source', ...(file.includes('/testing/') ? ['--test'] : []), file],
      {
        cwd: root,
        env: { ...process.env, VOLT_ENV: 'test', NODE_TEST_CONTEXT: undefined },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('docs snippets', () => {
  for (const file of listFiles(snippetDir, '.ts')) {
    test(`${relative(snippetDir, file)} runs and its assertions hold`, async () => {
      const { code, output } = await run(file);
      assert.equal(code, 0, output);
    });
  }
});

// Snippets are what users copy: they import Volt by its package name, never a file of src/.
const IMPORT =
  /^(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"\n]+)['"]|^import\s*['"]([^'"\n]+)['"]|\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/gm;

describe('docs snippets import Volt as users do', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const packages = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
  ]);
  const allowed = (file: string, specifier: string): boolean => {
    if (specifier === 'voltjs' || specifier.startsWith('voltjs/')) return true;
    if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return true;
    if (specifier.startsWith('.'))
      return !relative(snippetDir, resolve(dirname(file), specifier)).startsWith('..');
    const name = specifier.startsWith('@') ? specifier.split('/', 2).join('/') : specifier.split('/', 1)[0]!;
    return packages.has(name);
  };
  for (const file of listFiles(snippetDir, '.ts')) {
    test(`${relative(snippetDir, file)} imports only volt, its subpaths, packages and files beside it`, () => {
      const text = readFileSync(file, 'utf8');
      const wrong = [...text.matchAll(IMPORT)]
        .map((m) => (m[1] ?? m[2] ?? m[3])!)
        .filter((s) => !allowed(file, s));
      assert.deepEqual(wrong, [], `${relative(root, file)} imports private paths`);
    });
  }
});

// A page embeds a snippet as: <!-- snippet: dir/NN-name.ts --> followed by a ```ts block.
const EMBED = /<!-- snippet: (\S+) -->\s*```ts\n([\s\S]*?)```/g;

describe('docs pages embed the current snippets', () => {
  const pages = listFiles(join(root, 'docs'), '.md').concat(join(root, 'README.md'));
  for (const page of pages) {
    const text = readFileSync(page, 'utf8');
    const embeds = [...text.matchAll(EMBED)];
    if (embeds.length === 0) continue;
    test(`${relative(root, page)} matches its snippets`, () => {
      for (const [, name, code] of embeds) {
        const source = readFileSync(join(snippetDir, name!), 'utf8');
        assert.equal(code, source, `${relative(root, page)} embeds an outdated copy of ${name}`);
      }
    });
  }
});
