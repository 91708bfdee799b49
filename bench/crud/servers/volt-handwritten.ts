/**
 * The list page as a plain Volt route, written by hand: typed query parameters (a 422 for a
 * bad one), `query(ctx.db, Product).filter(…).orderBy(…).selectRelated('category').limit(n + 1)`,
 * a cursor of the last row's price and id, and the page serialized through its response
 * schema. What the resource layer (servers/volt.ts) adds is the difference between the two.
 *
 * Exports `app`; listens when run (VOLT_ENV=production, LOG_LEVEL=silent, a SECRET_KEY, from
 * bench/crud/run.ts).
 *
 * Usage: `DATABASE_URL=sqlite:/tmp/…/volt.db PORT=3002 node --conditions=volt-source bench/crud/servers/volt-handwritten.ts`
 */
import { defineApp, RequestValidationError, t, volt } from 'voltjs';
import { or, query } from 'voltjs/orm';
import { Category, Product } from '../models.ts';

export const app = volt({
  // DATABASE_URL.
  database: true,
  apps: [defineApp({ name: 'crud', models: [Category, Product] })],
});

const Page = t.Object({
  next: t.Union([t.String(), t.Null()]),
  previous: t.Null(),
  // A product, with its category when expand=category. (The category's schema is spelled out:
  // Category.schema.read inside t.Optional stays a required property in the handler's type.)
  results: t.Array(
    t.Object({
      ...Product.schema.read.properties,
      category: t.Optional(t.Object({ id: t.Integer(), name: t.String({ maxLength: 50 }) })),
    }),
  ),
});

const Query = t.Object({
  price__gte: t.Optional(Product.schema.create.properties.price),
  ordering: t.Optional(t.Union([t.Literal('price'), t.Literal('-price')])),
  expand: t.Optional(t.Literal('category')),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100 })),
  cursor: t.Optional(t.String({ maxLength: 100 })),
});

const DECIMAL = /^\d{1,8}(?:\.\d{1,2})?$/;

/** The price and id of the last row of the previous page, or a 422. */
function readCursor(text: string): [string, number] {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && DECIMAL.test(value[0]) && Number.isSafeInteger(value[1]))
      return value as [string, number];
  } catch {}
  throw new RequestValidationError([
    { loc: ['query', 'cursor'], msg: 'Not a cursor of this list', type: 'cursor' },
  ]);
}

app.get('/api/products', { query: Query, response: { 200: Page } }, async (ctx) => {
  const { price__gte: min, expand, cursor } = ctx.query;
  const ordering = ctx.query.ordering ?? '-price';
  const limit = ctx.query.limit ?? 50;
  const desc = ordering === '-price';
  // The id breaks ties, ascending either way (as the resource does).
  let products = query(ctx.db, Product).orderBy(ordering, 'id');
  if (min !== undefined) products = products.filter({ price__gte: min });
  if (cursor !== undefined) {
    const [price, id] = readCursor(cursor);
    products = products.filter(
      desc
        ? or({ price__lt: price }, { price, id__gt: id })
        : or({ price__gt: price }, { price, id__gt: id }),
    );
  }
  if (expand) products = products.selectRelated('category');
  const rows = await products.limit(limit + 1).all();
  let next: string | null = null;
  if (rows.length > limit) {
    rows.pop();
    const last = rows[rows.length - 1]!;
    const token = Buffer.from(JSON.stringify([last.price, last.id])).toString('base64url');
    next =
      `http://${ctx.headers.host}/api/products?cursor=${token}` +
      (min !== undefined ? `&price__gte=${min}` : '') +
      `&ordering=${ordering}${expand ? '&expand=category' : ''}&limit=${limit}`;
  }
  return { next, previous: null, results: rows };
});

if (import.meta.main) await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3002) });
