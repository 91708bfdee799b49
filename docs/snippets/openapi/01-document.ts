import assert from 'node:assert/strict';
import { dependency, HttpError, Router, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const app = volt({
  info: { title: 'Shop', version: '1.0.0', description: 'Products and their stock.' },
  securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
  security: [{ bearerAuth: [] }], // every operation, unless a route says otherwise
});

// A schema with an `$id` becomes a named component, described once and referenced.
const Product = t.Object({ id: t.Integer(), name: t.String({ maxLength: 120 }) }, { $id: 'Product' });

// A dependency's own query parameters are documented on every route that uses it.
const page = dependency(
  {
    query: t.Object({
      limit: t.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size' }),
    }),
  },
  (ctx) => ctx.query.limit,
);

const products = new Router({ prefix: '/products', tags: ['products'] });
products.get(
  '/',
  { summary: 'List products', deps: { page }, response: { 200: t.Array(Product) } },
  () => [],
);
products.get(
  '/:id',
  {
    summary: 'Get a product',
    params: t.Object({ id: t.Integer({ minimum: 1 }) }),
    response: { 200: Product },
    responseDescriptions: { 404: 'No such product' },
  },
  (ctx) => {
    if (ctx.params.id !== 1) throw new HttpError(404);
    return { id: 1, name: 'Pen' };
  },
);
app.include(products);
app.get('/health', { summary: 'Health check', security: [] }, () => ({ ok: true }));
// A response that is not JSON says its media type: sent as the Content-Type and documented.
app.get('/products.csv', { summary: 'Export products', contentType: 'text/csv' }, (ctx) =>
  ctx.stream(['id,name\n', '1,Pen\n']),
);
// A stream of Server-Sent Events, each event's data typed.
app.get(
  '/stock',
  { summary: 'Stock changes', events: t.Object({ id: t.Integer(), stock: t.Integer() }) },
  (ctx) =>
    ctx.sse(
      (async function* () {
        yield { id: 1, stock: 3 };
      })(),
    ),
);
app.get('/internal/metrics', { hidden: true }, () => ({ requests: 0 }));

// --- what /openapi.json says ---
const client = testClient(app);
const doc = (await client.get<Record<string, any>>('/openapi.json')).json();
assert.deepEqual(Object.keys(doc.paths), [
  '/products',
  '/products/{id}',
  '/health',
  '/products.csv',
  '/stock',
]);
assert.deepEqual(doc.servers, [{ url: '/' }]); // SITE_URL when set, or `volt({ servers })`

const getProduct = doc.paths['/products/{id}'].get;
assert.equal(getProduct.operationId, 'getProductsById'); // derived from the method and path
assert.deepEqual(getProduct.tags, ['products']);
assert.deepEqual(getProduct.parameters, [
  { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
]);
assert.deepEqual(getProduct.responses['200'].content['application/json'].schema, {
  $ref: '#/components/schemas/Product',
});
// Every route that validates input documents its 422 problem; every operation the error
// responses any request can get (400, 408, 417, 431, 500, 503; 403 on unsafe methods; 413/415 with a body; 414 with path parameters),
// each described once under `components.responses`.
assert.deepEqual(getProduct.responses['422'], { $ref: '#/components/responses/ValidationError' });
assert.deepEqual(getProduct.responses['414'], { $ref: '#/components/responses/UriTooLong' });
assert.deepEqual(getProduct.responses['500'], { $ref: '#/components/responses/InternalServerError' });
assert.equal(
  doc.components.responses.ValidationError.content['application/problem+json'].schema.$ref,
  '#/components/schemas/ValidationProblem',
);
// An error status with only a description is documented as problem details.
assert.equal(getProduct.responses['404'].description, 'No such product');
assert.deepEqual(getProduct.security, [{ bearerAuth: [] }]);

assert.deepEqual(doc.paths['/products'].get.parameters, [
  {
    name: 'limit',
    in: 'query',
    required: false,
    description: 'Page size',
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  },
]);
assert.deepEqual(doc.paths['/health'].get.security, []);
assert.deepEqual(doc.paths['/products.csv'].get.responses['200'].content, {
  'text/csv': { schema: { type: 'string' } },
});
const events = doc.paths['/stock'].get.responses['200'].content['text/event-stream'].schema;
assert.equal(events.items.properties.data.contentMediaType, 'application/json');

// --- and the pages that render it ---
const docs = await client.get('/docs');
assert.equal(docs.status, 200);
assert.match(String(docs.headers['content-security-policy']), /script-src 'self'/);
assert.equal((await client.get('/redoc')).status, 200);
await client.close();
