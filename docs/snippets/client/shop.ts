import { HttpError, Router, t, volt } from 'voltjs';

const Product = t.Object({ id: t.Integer(), name: t.String(), price: t.Number() });
const stock = new Map([[1, { id: 1, name: 'Tea', price: 4.5 }]]);

// Declared as one chain: the chain's type carries every route, for the client.
const catalog = new Router({ prefix: '/products', tags: ['products'] })
  .get(
    '/',
    {
      query: t.Object({ max: t.Optional(t.Number()), limit: t.Integer({ minimum: 1, default: 20 }) }),
      response: { 200: t.Array(Product) },
    },
    (ctx) =>
      [...stock.values()].filter((p) => p.price <= (ctx.query.max ?? Infinity)).slice(0, ctx.query.limit),
  )
  .get('/:id', { params: t.Object({ id: t.Integer() }), response: { 200: Product } }, (ctx) => {
    const product = stock.get(ctx.params.id);
    if (!product) throw new HttpError(404, `No product ${ctx.params.id}`);
    return product;
  })
  .post(
    '/',
    {
      body: t.Object({ name: t.String({ minLength: 1 }), price: t.Number({ minimum: 0 }) }),
      status: 201,
      response: { 201: Product },
    },
    (ctx) => {
      const product = { id: stock.size + 1, ...ctx.body };
      stock.set(product.id, product);
      return product;
    },
  )
  .delete('/:id', { params: t.Object({ id: t.Integer() }), status: 204 }, (ctx) => {
    stock.delete(ctx.params.id);
  });

export const app = volt({ logger: false });

// What clients import, as a type: the app with its chained routes and the included router's.
export const api = app.get('/health', () => ({ ok: true })).include(catalog, { prefix: '/api' });
