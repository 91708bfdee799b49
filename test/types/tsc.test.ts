/**
 * Runs the TypeScript compiler on programs that must not compile (test/types/.fixtures) and
 * checks it reports exactly the errors marked `// error: TSxxxx`, and that typing routes stays
 * cheap for the compiler.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, '.fixtures');
const tsc = join(root, 'node_modules', '.bin', 'tsc');

/** `file:line TScode` for every `// error: TSxxxx` marker in the fixtures. */
function expectedErrors(): string[] {
  const expected: string[] = [];
  for (const name of readdirSync(fixtures).filter((n) => n.endsWith('.ts'))) {
    const lines = readFileSync(join(fixtures, name), 'utf8').split('\n');
    lines.forEach((line, index) => {
      for (const match of line.matchAll(/\/\/ error: (TS\d+)/g))
        expected.push(`${name}:${index + 1} ${match[1]}`);
    });
  }
  return expected.sort();
}

test('tsc rejects the wrong programs with exactly the marked errors, and stays cheap', async () => {
  const result = await promisify(execFile)(
    tsc,
    ['-p', join(fixtures, 'tsconfig.json'), '--pretty', 'false', '--extendedDiagnostics'],
    { cwd: root },
  ).then(
    () => ({ failed: false, stdout: '' }),
    (error: { stdout: string }) => ({ failed: true, stdout: error.stdout }),
  );
  assert.ok(result.failed, 'tsc accepted programs that must not compile');

  const reported = [...result.stdout.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+):/gm)]
    .map(([, file, line, code]) => `${relative(fixtures, join(root, file!))}:${line} ${code}`)
    .sort();
  assert.deepEqual(reported, expectedErrors(), result.stdout);
  assert.ok(
    !reported.some((r) => r.startsWith('valid.ts')),
    'valid.ts must compile: the fixture setup is broken',
  );

  // Before the handler's context was marked NoInfer, each route cost about a million type
  // instantiations (an editor stalls on an app of a hundred routes). These fixtures now take
  // about 250 000, most of them for the framework's own sources.
  const instantiations = Number(/^Instantiations:\s+(\d+)/m.exec(result.stdout)?.[1]);
  assert.ok(instantiations < 1_000_000, `typing the fixtures took ${instantiations} instantiations`);
});
