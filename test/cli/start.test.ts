/**
 * `volt start` and `volt dev`: serve a request, stop cleanly on SIGTERM, explain a busy port.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { helloApp, root, STACK_LINE, startServer, volt } from './support.ts';

test('volt start --port 0 serves the app and exits 0 on SIGTERM', async () => {
  const server = await startServer(['start', helloApp, '--port', '0']);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(`${server.url}/json`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { message: 'Hello, World!' });
  server.child.kill('SIGTERM');
  const { code, signal, stdout, stderr } = await server.result;
  assert.equal(signal, null);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, `Volt listening on ${server.url}\nAPI docs: ${server.url}/docs\n`);
});

test('volt start takes the port from PORT and leaves out the docs line when DOCS is off', async () => {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  const server = await startServer(['start', helloApp], { env: { PORT: String(port), DOCS: 'false' } });
  assert.equal(server.url, `http://127.0.0.1:${port}`);
  server.child.kill('SIGINT');
  const { code, stdout } = await server.result;
  assert.equal(code, 0);
  assert.equal(stdout, `Volt listening on ${server.url}\n`);
});

test('a port in use exits 1 with a message naming it', async () => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const { port } = blocker.address() as { port: number };
  try {
    const { code, stdout, stderr } = await volt(['start', helloApp, '--port', String(port)]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
    assert.doesNotMatch(stderr, STACK_LINE);
  } finally {
    blocker.close();
  }
});

test('volt dev runs in development and restarts when the app module changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'volt-dev-'));
  const file = join(dir, 'app.ts');
  const fixture = readFileSync(join(import.meta.dirname, 'fixtures', 'reloading-app.ts'), 'utf8');
  const source = fixture.replace(
    '../../../src/http/app.ts',
    pathToFileURL(join(root, 'src/http/app.ts')).href,
  );
  writeFileSync(file, source);
  const server = await startServer(['dev', file, '--port', '0'], {
    env: { VOLT_ENV: undefined, LOG_LEVEL: 'warn' },
  });
  try {
    assert.deepEqual(await (await fetch(`${server.url}/about`)).json(), { env: 'development', version: 1 });
    writeFileSync(file, source.replace('const VERSION = 1;', 'const VERSION = 2;'));
    // Another restart (any watched file changing) may come first: wait for the edited version.
    let about: unknown;
    for (let restart = 0; restart < 3; restart++) {
      const url = await server.nextListen(10_000);
      about = await (await fetch(`${url}/about`)).json();
      if ((about as { version: number }).version === 2) break;
    }
    assert.deepEqual(about, { env: 'development', version: 2 });
    server.child.kill('SIGTERM');
    const { code, stderr } = await server.result;
    assert.equal(code, 0, stderr);
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
