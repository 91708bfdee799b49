/**
 * A standard generator reads Volt's OpenAPI document: openapi-typescript writes the types of an
 * app's document (served at /openapi.json), a program calls the app through openapi-fetch with
 * them, `tsc` checks the program (including calls that must not compile), and the program runs
 * against the live app. The route for clients not written in TypeScript, or not in this repository.
 *
 * openapi-typescript builds its output with TypeScript's compiler API, which TypeScript 7 (this
 * repository's, a native compiler) no longer ships as JavaScript: its `typescript` import is
 * pointed here at the TypeScript that @ts-morph/common bundles (package.json's `overrides` lets
 * npm accept TypeScript 7 for its `^5` peer dependency).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { HttpError, t, volt } from 'voltjs';
import { resource } from 'voltjs/crud';
import { createTables, f, model } from 'voltjs/orm';

const root = join(import.meta.dirname, '..', '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const run = promisify(execFile);

registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/openapi-typescript/'))
      return next('@ts-morph/common/dist/typescript.js', context);
    return next(specifier, context);
  },
});

/** openapi-typescript's Node API, as much of it as the test uses. */
interface OpenapiTypescript {
  default: (schema: object) => Promise<unknown>;
  astToString: (ast: unknown) => string;
}

const Product = t.Object(
  { id: t.Integer(), name: t.String(), price: t.Number(), tags: t.Array(t.String()) },
  { $id: 'Product' },
);

/** A model served as a resource: its document is a generator's input too. */
const Note = model('gen.Note', { title: f.string({ maxLength: 100 }), done: f.boolean({ default: false }) });

const app = volt({
  logger: false,
  envFile: false,
  database: 'sqlite::memory:',
  info: { title: 'Shop', version: '1.0.0' },
});
app.include(
  resource('/notes', Note, { permissions: 'public', filters: { done: true }, ordering: ['title'] }),
);
const stock = new Map([[1, { id: 1, name: 'Tea', price: 4.5, tags: ['hot'] }]]);
app
  .get(
    '/products',
    {
      query: t.Object({
        limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
        tag: t.Optional(t.Array(t.String())),
      }),
      response: { 200: t.Array(Product) },
    },
    (ctx) =>
      [...stock.values()]
        .filter((p) => !ctx.query.tag || p.tags.some((tag) => ctx.query.tag?.includes(tag)))
        .slice(0, ctx.query.limit),
  )
  .get(
    '/products/:id',
    {
      params: t.Object({ id: t.Integer() }),
      query: t.Object({ expand: t.Optional(t.Union([t.Literal('tags'), t.Literal('none')])) }),
      response: { 200: Product },
      responseDescriptions: { 404: 'No such product' },
    },
    (ctx) => {
      const product = stock.get(ctx.params.id);
      if (!product) throw new HttpError(404, { detail: `No product ${ctx.params.id}` });
      return ctx.query.expand === 'none' ? { ...product, tags: [] } : product;
    },
  )
  .post(
    '/products',
    {
      body: t.Object({ name: t.String({ minLength: 1 }), price: t.Number({ minimum: 0 }) }),
      status: 201,
      response: { 201: Product },
    },
    (ctx) => {
      const product = { id: stock.size + 1, ...ctx.body, tags: [] };
      stock.set(product.id, product);
      return product;
    },
  )
  .delete('/products/:id', { params: t.Object({ id: t.Integer() }), status: 204 }, (ctx) => {
    stock.delete(ctx.params.id);
  });

/** The program a client author writes with the generated types. */
const PROGRAM = `
import createClient from 'openapi-fetch';
import type { components, paths } from './api.ts';

const client = createClient<paths>({ baseUrl: process.argv[2]! });

const made = await client.POST('/products', { body: { name: 'Coffee', price: 3 } });
if (!made.data) throw new Error('POST failed');
const product: components['schemas']['Product'] = made.data;

const one = await client.GET('/products/{id}', { params: { path: { id: product.id }, query: { expand: 'none' } } });
const name: string | undefined = one.data?.name;

const list = await client.GET('/products', { params: { query: { limit: 10, tag: ['hot'] } } });
const names: string[] = (list.data ?? []).map((p) => p.name);

const invalid = await client.POST('/products', { body: { name: '', price: -1 } });
const fields = invalid.error?.errors?.map((e) => e.loc.join('.')) ?? [];

const removed = await client.DELETE('/products/{id}', { params: { path: { id: product.id } } });
const missing = await client.GET('/products/{id}', { params: { path: { id: product.id } } });

const note = await client.POST('/notes', { body: { title: 'Buy tea' } });
if (!note.data) throw new Error('POST /notes failed');
await client.POST('/notes', { body: { title: 'Answer mail', done: true } });
const notes = await client.GET('/notes', { params: { query: { done: false, ordering: 'title', limit: 5 } } });
const noteTitles: string[] = (notes.data?.results ?? []).map((n) => n.title);
const next: string | null | undefined = notes.data?.next;
const patched = await client.PATCH('/notes/{id}', { params: { path: { id: note.data.id } }, body: { done: true } });
const done: boolean | undefined = patched.data?.done;
const badPage = await client.GET('/notes', { params: { query: { limit: 0 } } });

console.log(JSON.stringify({
  noteTitles,
  next,
  done,
  badPage: badPage.response.status,
  badPageField: badPage.error?.errors?.[0]?.loc.join('.'),
  made: made.response.status,
  name,
  names,
  invalid: invalid.response.status,
  code: invalid.error?.code,
  fields,
  removed: removed.response.status,
  missing: missing.response.status,
  missingTitle: missing.error?.title,
}));

async function wrong() {
  // @ts-expect-error the id is an integer
  await client.GET('/products/{id}', { params: { path: { id: 'one' } } });
  // @ts-expect-error the body needs a price
  await client.POST('/products', { body: { name: 'x' } });
  // @ts-expect-error no such path
  await client.GET('/product');
  // @ts-expect-error not a filter the notes resource declares
  await client.GET('/notes', { params: { query: { title: 'x' } } });
  // @ts-expect-error expand is one of two words
  await client.GET('/products/{id}', { params: { path: { id: 1 }, query: { expand: 'all' } } });
}
void wrong;
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'es2024',
    lib: ['es2024', 'dom'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    noEmit: true,
  },
  files: ['program.ts'],
};

let base = '';
let dir = '';
before(async () => {
  await app.listen({ host: '127.0.0.1', port: 0, signals: false });
  const address = app.fastify.server.address();
  assert.ok(address !== null && typeof address === 'object');
  base = `http://127.0.0.1:${address.port}`;
  await createTables(app.db, [Note]);
  dir = mkdtempSync(join(tmpdir(), 'volt-openapi-generator-'));
  // The program finds openapi-fetch (and the Node types) as a project would.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
});
after(async () => {
  await app.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("openapi-typescript's types of the served document type-check an openapi-fetch program that runs against the app", async () => {
  const document = (await (await fetch(`${base}/openapi.json`)).json()) as object;
  // A variable specifier: the package's types name TypeScript's API, which TypeScript 7 lacks.
  const generator = 'openapi-typescript';
  const { default: openapiTS, astToString } = (await import(generator)) as OpenapiTypescript;
  const types = astToString(await openapiTS(document));
  writeFileSync(join(dir, 'api.ts'), types);
  writeFileSync(join(dir, 'program.ts'), PROGRAM);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));

  const checked = await run(tsc, ['-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir }).then(
    () => '',
    (error: { stdout: string }) => error.stdout,
  );
  assert.equal(checked, '', `tsc rejected the program using the generated types:\n${checked}\n${types}`);

  const { stdout } = await run(process.execPath, [join(dir, 'program.ts'), base], { cwd: dir });
  assert.deepEqual(JSON.parse(stdout), {
    noteTitles: ['Buy tea'],
    next: null,
    done: true,
    badPage: 422,
    badPageField: 'query.limit',
    made: 201,
    name: 'Coffee',
    names: ['Tea'],
    invalid: 422,
    code: 'VOLT_HTTP_VALIDATION',
    fields: ['body.name', 'body.price'],
    removed: 204,
    missing: 404,
    missingTitle: 'Not Found',
  });
});
