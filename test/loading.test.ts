/**
 * An app loads a part only when it uses it: `import { volt } from 'voltjs'` and one route load
 * no ORM, auth, CLI or docs-page code and none of kysely, pg or TypeBox; the docs pages load
 * on their first request, TypeBox on the first use of `t`, the ORM when the app opens a
 * database. Each case runs in a fresh `node` that records every module it loads.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const root = join(import.meta.dirname, '..');

/**
 * Runs `body` (an async function body, given `volt` and `t` from 'voltjs', and `mark(name)`,
 * which notes the modules loaded so far) in a fresh process and returns the modules it loaded,
 * relative to the repository root (packages as `node_modules/<name>/…`), and those of each mark.
 */
async function loadedBy(body: string): Promise<string[] & { marks: Record<string, string[]> }> {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = new Set();
    registerHooks({
      load(url, context, nextLoad) {
        loaded.add(url);
        return nextLoad(url, context);
      },
    });
    const marks = {};
    const mark = (name) => { marks[name] = [...loaded]; };
    const { volt, t } = await import('voltjs');
    await (async () => { ${body} })();
    process.stdout.write(JSON.stringify({ all: [...loaded], marks }));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=volt-source', '--input-type=module', '--eval', script],
    { cwd: root, env: { ...process.env, VOLT_ENV: 'test', NODE_OPTIONS: '' } },
  );
  const prefix = `file://${root}/`;
  const files = (urls: string[]) =>
    urls
      .filter((url) => !url.startsWith('node:'))
      .map((url) => url.replace(/^.*\/node_modules\//, 'node_modules/').replace(prefix, ''));
  const { all, marks } = JSON.parse(stdout) as { all: string[]; marks: Record<string, string[]> };
  return Object.assign(files(all), {
    marks: Object.fromEntries(Object.entries(marks).map(([name, urls]) => [name, files(urls)])),
  });
}

const ONE_ROUTE = `
  const app = volt({ logger: false, envFile: false });
  app.get('/', {}, () => ({ ok: true }));
  await app.ready();
  const res = await app.fastify.inject({ method: 'GET', url: '/' });
  if (res.statusCode !== 200) throw new Error('answered ' + res.statusCode);
`;

/** The parts an app with one route and no database must not load. */
const NOT_FOR_ONE_ROUTE =
  /^(src\/(orm|auth|cli|testing)\/|src\/openapi\/docs-pages\.ts$|node_modules\/(kysely|pg|pg-[^/]+|typebox|nodemailer|swagger-ui-dist|@scalar)\/)/;

test('an app with one route and no database loads no ORM, auth, CLI or docs-page code, nor kysely, pg or TypeBox', async () => {
  const loaded = await loadedBy(ONE_ROUTE);
  assert.ok(loaded.includes('src/http/app.ts'), 'the hook sees the modules loaded');
  assert.deepEqual(
    loaded.filter((file) => NOT_FOR_ONE_ROUTE.test(file)),
    [],
  );
});

test('the docs pages load on the first request to one of them, and then serve', async () => {
  const loaded = await loadedBy(`
    ${ONE_ROUTE}
    mark('started');
    const page = await app.fastify.inject({ method: 'GET', url: '/docs' });
    if (page.statusCode !== 200 || !page.body.includes('swagger-ui')) throw new Error('/docs answered ' + page.statusCode);
  `);
  assert.ok(!loaded.marks.started!.includes('src/openapi/docs-pages.ts'));
  assert.ok(loaded.includes('src/openapi/docs-pages.ts'));
});

test('TypeBox loads on the first use of t, and its schemas validate as before', async () => {
  const loaded = await loadedBy(`
    const app = volt({ logger: false, envFile: false });
    mark('built');
    app.get('/n/:n', { params: t.Object({ n: t.Integer({ minimum: 1 }) }) }, (ctx) => ({ n: ctx.params.n }));
    const ok = await app.fastify.inject({ method: 'GET', url: '/n/3' });
    const bad = await app.fastify.inject({ method: 'GET', url: '/n/0' });
    if (ok.body !== '{"n":3}' || bad.statusCode !== 422) throw new Error(ok.body + ' ' + bad.statusCode);
  `);
  assert.ok(!loaded.marks.built!.some((file) => file.startsWith('node_modules/typebox/')));
  assert.ok(loaded.some((file) => file.startsWith('node_modules/typebox/')));
});

test('an app with a database loads the ORM when it starts, not when it is built', async () => {
  const loaded = await loadedBy(`
    const app = volt({ logger: false, envFile: false, database: 'sqlite::memory:' });
    mark('built');
    app.onStartup(async () => { await app.db.get('select 1'); });
    await app.ready();
    await app.close();
  `);
  assert.ok(!loaded.marks.built!.some((file) => file.startsWith('src/orm/')));
  assert.ok(loaded.includes('src/orm/database.ts'));
  assert.ok(loaded.some((file) => file.startsWith('node_modules/kysely/')));
});

test('the volt command loads only the command it runs', async () => {
  const loaded = await loadedBy(`
    const { run } = await import('./src/cli/main.ts');
    const out = [];
    if (await run(['--version'], { stdout: (s) => out.push(s) }) !== 0) throw new Error(out.join(''));
    await import('./src/cli/commands/start.ts');
  `);
  const commands = loaded.filter((file) => file.startsWith('src/cli/commands/'));
  assert.deepEqual(commands, ['src/cli/commands/start.ts']);
  assert.deepEqual(
    loaded.filter((file) => /^src\/(orm|auth)\//.test(file)),
    [],
  );
});
