/**
 * The import rules of docs/architecture.md, checked on every source file.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const src = join(import.meta.dirname, '..', 'src');

/** The part a source file belongs to: its first folder under src/, or the file name. */
function partOf(file: string): string {
  const rel = relative(src, file);
  return rel.includes('/') ? rel.split('/')[0]! : rel;
}

/** Which parts each part may import (itself always allowed). */
const ALLOWED: Record<string, string[]> = {
  'codes.ts': [],
  http: [],
  openapi: ['http'],
  orm: ['openapi'],
  security: ['http', 'openapi'],
  apps: ['http', 'openapi', 'orm'],
  auth: ['http', 'openapi', 'orm', 'security', 'apps'],
  crud: ['http', 'openapi', 'orm', 'security', 'apps', 'auth'],
  admin: ['http', 'openapi', 'orm', 'security', 'apps', 'auth', 'crud'],
  testing: ['http', 'orm'],
  client: [],
  'volt.ts': ['http', 'openapi', 'orm', 'security', 'apps'],
  'index.ts': ['http', 'openapi', 'security', 'apps', 'volt.ts', 'codes.ts'],
  cli: [
    'http',
    'openapi',
    'orm',
    'security',
    'auth',
    'crud',
    'admin',
    'apps',
    'testing',
    'volt.ts',
    'index.ts',
  ],
};

/**
 * Type-only imports a part may make besides: erased when the code runs, so they load nothing.
 * The HTTP layer names the ORM's `Database` as the type of `ctx.db` and `app.db`. The client
 * (`voltjs/client`, run in browsers) reads the routes' types and `ProblemDetails`, and loads
 * nothing of Volt.
 */
const TYPE_ONLY: Record<string, string[]> = {
  http: ['orm'],
  client: ['http'],
};

const IMPORT =
  /(?:^|\n)\s*((?:import|export)\s[^'"]*?)from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(): string[] {
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(src, name));
}

test('every part imports only the parts below it', () => {
  const violations: string[] = [];
  for (const file of sourceFiles()) {
    const from = partOf(file);
    const allowed = ALLOWED[from];
    assert.ok(
      allowed,
      `src/${relative(src, file)} is in a part the rules do not know (${from}); add it to ALLOWED`,
    );
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[2] ?? match[3]!;
      const typeOnly = /^(?:import|export)\s+type\s/.test(match[1] ?? '');
      if (specifier === 'volt' || specifier.startsWith('volt/')) {
        violations.push(`src/${relative(src, file)} imports "${specifier}"; inside src use relative imports`);
        continue;
      }
      if (!specifier.startsWith('.')) continue;
      const target = partOf(resolve(dirname(file), specifier));
      if (typeOnly && TYPE_ONLY[from]?.includes(target)) continue;
      if (target !== from && !allowed.includes(target)) {
        violations.push(`src/${relative(src, file)} (${from}) imports ${specifier} (${target})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('src/index.ts only re-exports', () => {
  const code = readFileSync(join(src, 'index.ts'), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  const statements = code
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const statement of statements)
    assert.match(statement, /^export\s/, `not a re-export: ${statement.slice(0, 80)}`);
});

test('the client (voltjs/client) loads no module: it runs in browsers', () => {
  for (const file of sourceFiles().filter((f) => partOf(f) === 'client')) {
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[2] ?? match[3]!;
      const typeOnly = /^(?:import|export)\s+type\s/.test(match[1] ?? '');
      const local = specifier.startsWith('.') && partOf(resolve(dirname(file), specifier)) === 'client';
      assert.ok(
        local || typeOnly,
        `src/${relative(src, file)} imports ${specifier} at run time; the client may import only types`,
      );
    }
  }
});
