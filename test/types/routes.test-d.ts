/**
 * Compile-time checks of route typing, run by `tsc` (the tsconfig includes test/). Each
 * `@ts-expect-error` marks a program that must NOT compile: if it ever does, tsc fails with
 * "Unused '@ts-expect-error' directive".
 */
import { VoltApp } from '../../src/http/app.ts';
import type { Context } from '../../src/http/context.ts';
import { dependency } from '../../src/http/dependencies.ts';
import { HttpError } from '../../src/http/errors.ts';
import { type Html, html } from '../../src/http/html.ts';
import type { HandlerResult, PathParams } from '../../src/http/route.ts';
import { Router } from '../../src/http/router.ts';
import type { StreamBody } from '../../src/http/streaming.ts';
import { t } from '../../src/openapi/t.ts';

/** `true` when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectType<_Check extends true>(): void {}

const app = new VoltApp({ logger: false, envFile: false });

// --- params, query, headers, cookies and body are typed from their schemas -----------------------

const Item = t.Object({ name: t.String(), price: t.Number(), tags: t.Optional(t.Array(t.String())) });

app.post(
  '/shops/:shopId/items',
  {
    params: t.Object({ shopId: t.Integer() }),
    query: t.Object({ limit: t.Integer(), q: t.Optional(t.String()) }),
    headers: t.Object({ 'x-request-id': t.String() }),
    cookies: t.Object({ session: t.String() }),
    body: Item,
  },
  (ctx) => {
    expectType<Equal<typeof ctx.params, { shopId: number }>>();
    expectType<Equal<typeof ctx.query.limit, number>>();
    expectType<Equal<typeof ctx.query.q, string | undefined>>();
    expectType<Equal<typeof ctx.headers, { 'x-request-id': string }>>();
    expectType<Equal<typeof ctx.cookies, { session: string }>>();
    expectType<Equal<typeof ctx.body.tags, string[] | undefined>>();
    ctx.body.name.toUpperCase();
    ctx.params.shopId.toFixed();

    // @ts-expect-error a misspelt body property
    ctx.body.nam;
    // @ts-expect-error limit is an integer, not a string
    ctx.query.limit.toUpperCase();
    // @ts-expect-error the params schema has no `id`
    ctx.params.id;
    // @ts-expect-error an optional property may be undefined
    ctx.body.tags.length;
    // @ts-expect-error undeclared header
    ctx.headers['x-other'];
    return { ok: true };
  },
);

// --- without schemas, parts get loose types; path params come from the path string ----------------

app.get('/users/:userId/posts/:postId', (ctx) => {
  expectType<Equal<typeof ctx.params, { userId: string; postId: string }>>();
  expectType<Equal<typeof ctx.query, Record<string, string | string[] | undefined>>>();
  expectType<Equal<typeof ctx.body, unknown>>();
  // @ts-expect-error not a parameter of this path
  ctx.params.id;
  return ctx.params.userId.toUpperCase();
});

app.get('/users/:id/avatar', { summary: 'Options without a params schema' }, (ctx) => {
  expectType<Equal<typeof ctx.params, { id: string }>>();
  // @ts-expect-error `/avatar` is not a parameter
  ctx.params.avatar;
  return ctx.params.id;
});

app.get('/health', (ctx) => {
  expectType<Equal<typeof ctx.params, {}>>();
  // @ts-expect-error a path without parameters has none
  ctx.params.id;
  return 'ok';
});

expectType<Equal<PathParams<'/flights/:from-:to'>, { from: string; to: string }>>();
expectType<Equal<PathParams<'/files/:name.:ext'>, { name: string; ext: string }>>();
expectType<Equal<PathParams<'/n/:id(^\\d+)/x'>, { id: string }>>();
expectType<Equal<PathParams<'/archive/:year?'>, { year?: string }>>();
expectType<Equal<PathParams<'/static/*'>, { '*': string }>>();
expectType<Equal<PathParams<'/rpc/items::batch'>, {}>>();

// --- the handler's return value is checked against the success response schema -------------------

const Message = t.Object({ message: t.String() });

app.get('/message', { response: { 200: Message } }, () => ({ message: 'hi' }));
app.get('/message-async', { response: { 200: Message } }, async () => ({ message: 'hi' }));
app.post(
  '/created',
  { status: 201, response: { 201: Message, 409: t.Object({ reason: t.String() }) } },
  () => ({
    message: 'made',
  }),
);
app.get('/maybe', { response: { 200: Message } }, () => undefined);
app.get('/stream', { response: { 200: Message } }, (ctx) => ctx.stream(['x']));

// @ts-expect-error the 200 schema has no `wrong` and needs `message`
app.get('/wrong', { response: { 200: Message } }, () => ({ wrong: 1 }));
// @ts-expect-error message must be a string
app.get('/wrong-type', { response: { 200: Message } }, async () => ({ message: 42 }));

expectType<Equal<HandlerResult<{ 200: typeof Message }>, { message: string } | StreamBody | undefined>>();
expectType<Equal<HandlerResult<undefined>, unknown>>();
// A text response may be an html`…` template; a JSON one may not.
expectType<
  Equal<HandlerResult<{ 200: ReturnType<typeof t.String> }>, string | StreamBody | Html | undefined>
>();
app.get('/page', { contentType: 'text/html', response: { 200: t.String() } }, () => html`<p>${'x'}</p>`);
// @ts-expect-error the 200 schema is a JSON object, not HTML
app.get('/not-html', { response: { 200: Message } }, () => html`<p>x</p>`);
// Only error statuses declared: the handler may return anything.
expectType<Equal<HandlerResult<{ 404: typeof Message }>, unknown>>();

// --- dependencies ----------------------------------------------------------------------------------

const pagination = dependency(
  { query: t.Object({ limit: t.Integer({ default: 20 }), cursor: t.Optional(t.String()) }) },
  (ctx) => {
    expectType<Equal<typeof ctx.query.limit, number>>();
    // @ts-expect-error not in the dependency's query schema
    ctx.query.offset;
    return { limit: ctx.query.limit, cursor: ctx.query.cursor ?? null };
  },
);
const db = dependency(async function* () {
  yield { list: (limit: number) => Array.from({ length: limit }, (_, i) => i) };
});
const user = dependency(async () => ({ id: 1, name: 'Ada' }));
const greeting = dependency({ uses: { user, db } }, (_ctx, deps) => {
  expectType<Equal<typeof deps.user, { id: number; name: string }>>();
  // @ts-expect-error only `user` and `db` are used
  deps.page;
  return `hi ${deps.user.name}`;
});

app.get('/items', { deps: { page: pagination, db, greeting } }, (ctx) => {
  expectType<Equal<typeof ctx.deps.page, { limit: number; cursor: string | null }>>();
  expectType<Equal<typeof ctx.deps.greeting, string>>();
  // A generator dependency gives what it yields.
  const rows: number[] = ctx.deps.db.list(ctx.deps.page.limit);
  // @ts-expect-error not a declared dependency
  ctx.deps.missing;
  return rows;
});

// --- error mappers may answer an HttpError or nothing ---------------------------------------------

function logOnly(error: unknown): void {
  console.error(error);
}
app.onError(logOnly);
app.onError((error) => (error instanceof RangeError ? new HttpError(400, error.message) : undefined));
// @ts-expect-error a mapper answers an HttpError, not a plain object
app.onError(() => ({ status: 400 }));

// --- routers and the rest of the context -------------------------------------------------------------

const router = new Router({ prefix: '/r' });
router.get('/:slug', { query: t.Object({ n: t.Number() }) }, (ctx) => {
  expectType<Equal<typeof ctx.params, { slug: string }>>();
  expectType<Equal<typeof ctx.query, { n: number }>>();
  const signal: AbortSignal = ctx.signal;
  ctx.status(201).header('x-a', 'b');
  ctx.background(async () => {});
  ctx.onTeardown(() => {});
  return { signal: signal.aborted, id: ctx.id };
});
app.include(router);

// @ts-expect-error a route needs a handler
app.get('/no-handler', {});
// @ts-expect-error a params schema must be an object schema
app.get('/bad-params/:id', { params: t.String() }, () => 'x');

export type { Context };
