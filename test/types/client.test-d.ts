/**
 * Compile-time checks of the typed client (`voltjs/client`): the routes a chain of declarations
 * carries, and the calls they allow. Each `@ts-expect-error` marks a call that must NOT compile.
 */
import { createClient } from '../../src/client/index.ts';
import type { ProblemDetails } from '../../src/http/errors.ts';
import type { RoutesOf } from '../../src/http/route-types.ts';
import { Router } from '../../src/http/router.ts';
import { t } from '../../src/openapi/t.ts';
import { volt } from '../../src/volt.ts';

/** `true` when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectType<_Check extends true>(): void {}

const Product = t.Object({ id: t.Integer(), name: t.String(), tags: t.Array(t.String()) });
type Product = { id: number; name: string; tags: string[] };

const items = new Router({ prefix: '/items' })
  .get('/:id', { params: t.Object({ id: t.Integer() }), response: { 200: Product } }, (ctx) => ({
    id: ctx.params.id,
    name: 'x',
    tags: [],
  }))
  .put('/:id', { body: t.Object({ name: t.String() }) }, () => undefined);

const app = volt({ logger: false, envFile: false });
export const api = app
  .get(
    '/products/:id',
    {
      params: t.Object({ id: t.Integer() }),
      query: t.Object({ expand: t.Optional(t.Union([t.Literal('category'), t.Literal('stock')])) }),
      response: { 200: Product, 404: t.Object({ title: t.String() }) },
    },
    (ctx) => ({ id: ctx.params.id, name: 'x', tags: [] }),
  )
  .post(
    '/products',
    {
      body: t.Object({ name: t.String(), tags: t.Optional(t.Array(t.String())) }),
      status: 201,
      response: { 201: Product },
    },
    (ctx) => ({ id: 1, name: ctx.body.name, tags: ctx.body.tags ?? [] }),
  )
  .delete('/products/:id', { params: t.Object({ id: t.Integer() }), status: 204 }, () => undefined)
  .get(
    '/search',
    {
      query: t.Object({
        q: t.String(),
        limit: t.Integer({ default: 20 }),
        tags: t.Optional(t.Array(t.String())),
      }),
    },
    () => [1, 2],
  )
  .get('/users/:userId/files/:name.:ext', (ctx) => `${ctx.params.userId}/${ctx.params.name}`)
  .include(items, { prefix: '/api/' });

// A statement on its own is not in the chain's type.
app.get('/not-chained', () => 'x');

const client = createClient<typeof api>('http://127.0.0.1:3000');

// --- the routes the chain carries, with the prefixes of the router and of include() -------------

expectType<
  Equal<
    keyof RoutesOf<typeof api>,
    '/products/:id' | '/products' | '/search' | '/users/:userId/files/:name.:ext' | '/api/items/:id'
  >
>();
expectType<Equal<keyof RoutesOf<typeof items>, '/items/:id'>>();

// --- data is typed by the route's success response ---------------------------------------------

async function calls() {
  const one = await client.get('/products/:id', { params: { id: 3 }, query: { expand: 'category' } });
  if (one.ok) {
    expectType<Equal<typeof one.data, Product>>();
    expectType<Equal<typeof one.status, 200>>();
  } else {
    expectType<Equal<typeof one.problem, ProblemDetails>>();
    one.problem.errors?.[0]?.loc;
  }
  // Before narrowing: the data or undefined, the problem or undefined.
  expectType<Equal<typeof one.data, Product | undefined>>();

  const made = await client.post('/products', { body: { name: 'Tea' } });
  if (made.ok) expectType<Equal<typeof made.data, Product>>();
  if (made.ok) expectType<Equal<typeof made.status, 201>>();

  const gone = await client.delete('/products/:id', { params: { id: 3 } });
  if (gone.ok) expectType<Equal<typeof gone.data, undefined>>();

  // No response schema: the handler's data, unknown; 204 when it returns nothing.
  const found = await client.get('/search', { query: { q: 'tea', tags: ['a', 'b'] } });
  if (found.ok && found.status === 200) expectType<Equal<typeof found.data, unknown>>();
  if (found.ok && found.status === 204) expectType<Equal<typeof found.data, undefined>>();

  // Path parameters without a schema are text (a number is written as text).
  await client.get('/users/:userId/files/:name.:ext', { params: { userId: 7, name: 'a', ext: 'txt' } });

  // The routes of an included router, under both prefixes.
  const item = await client.get('/api/items/:id', { params: { id: 1 } });
  if (item.ok) expectType<Equal<typeof item.data, Product>>();
  await client.put('/api/items/:id', { params: { id: 1 }, body: { name: 'x' } });
  await client.request('PUT', '/api/items/:id', { params: { id: 1 }, body: { name: 'x' } });
  await client.get('/search', {
    query: { q: 'x' },
    headers: { 'x-trace': '1' },
    signal: AbortSignal.timeout(1000),
  });

  // --- what does not compile ---------------------------------------------------------------------

  // @ts-expect-error no such path
  await client.get('/product/:id', { params: { id: 3 } });
  // @ts-expect-error the route is a GET, not a POST
  await client.post('/products/:id', { params: { id: 3 } });
  // @ts-expect-error the path's params are required
  await client.get('/products/:id');
  // @ts-expect-error the params object misses `id`
  await client.get('/products/:id', { params: {} });
  // @ts-expect-error `id` is an integer
  await client.get('/products/:id', { params: { id: 'three' } });
  // @ts-expect-error a misspelt body field
  await client.post('/products', { body: { nam: 'Tea' } });
  // @ts-expect-error the body is required
  await client.post('/products', {});
  // @ts-expect-error a tag is a string
  await client.post('/products', { body: { name: 'Tea', tags: [1] } });
  // @ts-expect-error an unknown query key
  await client.get('/products/:id', { params: { id: 3 }, query: { expnd: 'category' } });
  // @ts-expect-error `expand` is one of two words
  await client.get('/products/:id', { params: { id: 3 }, query: { expand: 'price' } });
  // @ts-expect-error `limit` is a number
  await client.get('/search', { query: { limit: 'ten' } });
  // @ts-expect-error the router's path without include()'s prefix
  await client.get('/items/:id', { params: { id: 1 } });
  // @ts-expect-error a route declared by a statement apart from the chain
  await client.get('/not-chained');
  // @ts-expect-error a misspelt path parameter of a path without schema
  await client.get('/users/:userId/files/:name.:ext', { params: { user: 7, name: 'a', ext: 'txt' } });
  // @ts-expect-error DELETE is not declared on /search
  await client.request('DELETE', '/search', {});
}

// --- a router typed with an explicit context type gives its prefix as the second type argument -----

const typed = new Router<{ tenant: string }, '/t'>({ prefix: '/t' }).get('/x', (ctx) => ctx.tenant);
expectType<Equal<keyof RoutesOf<typeof typed>, '/t/x'>>();

// --- without the app's type, any path, untyped data ---------------------------------------------

async function untyped() {
  const loose = createClient('http://127.0.0.1:3000', { headers: () => ({ 'x-csrf-token': 'token' }) });
  const res = await loose.post('/auth/login', { body: { username: 'ada', password: 'secret' } });
  if (res.ok) expectType<Equal<typeof res.data, unknown>>();
}

export { calls, untyped };
