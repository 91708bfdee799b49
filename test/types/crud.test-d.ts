/**
 * Compile-time checks of a resource's routes in the typed client: the paths, the declared
 * filters, the row's fields, nested and expandable relations, the bodies. Each
 * `@ts-expect-error` marks a call that must NOT compile.
 */
import { createClient } from '../../src/client/index.ts';
import { resource } from '../../src/crud/index.ts';
import type { RoutesOf } from '../../src/http/route-types.ts';
import { t } from '../../src/openapi/t.ts';
import { f } from '../../src/orm/fields/index.ts';
import { model } from '../../src/orm/model.ts';
import { volt } from '../../src/volt.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_Check extends true>(): void {}

const Category = model('shop.Category', {
  name: f.string({ maxLength: 50 }),
  slug: f.slug({ unique: true }),
});
const Tag = model('shop.Tag', { name: f.string({ maxLength: 30 }) });
const Product = model('shop.Product', {
  name: f.string({ maxLength: 100 }),
  price: f.decimal({ digits: 10, places: 2 }),
  stock: f.integer({ default: 0 }),
  category: f.foreignKey(() => Category, { onDelete: 'protect', relatedName: 'products' }),
  tags: f.manyToMany(() => Tag, { relatedName: 'products' }),
  created: f.datetime({ autoNowAdd: true }),
});

const app = volt({ logger: false, envFile: false });
export const api = app
  .include(
    resource('/api/products', Product, {
      permissions: 'public',
      filters: { category: true, price: ['gte', 'lte'], name: ['icontains'] },
      ordering: ['price'],
      expand: { category: Category, tags: Tag },
      readOnly: ['stock'],
      actions: {
        restock: {
          body: t.Object({ count: t.Integer() }),
          response: { 200: t.Object({ stock: t.Integer() }) },
          handler: () => ({ stock: 1 }),
        },
      },
    }),
  )
  .include(
    resource('/api/categories', Category, {
      permissions: 'public',
      lookup: 'slug',
      operations: ['list', 'retrieve'],
    }),
  );

expectType<
  Equal<
    keyof RoutesOf<typeof api>,
    | '/api/products'
    | '/api/products/:id'
    | '/api/products/:id/restock'
    | '/api/categories'
    | '/api/categories/:slug'
  >
>();

const client = createClient<typeof api>('http://127.0.0.1:3000');

async function calls() {
  const page = await client.get('/api/products', {
    query: { price__gte: '10', category__in: '1,2', ordering: '-price', expand: 'category' },
  });
  if (page.ok) {
    const row = page.data.results[0]!;
    expectType<Equal<typeof row.name, string>>();
    expectType<Equal<typeof row.categoryId, number>>();
    expectType<Equal<typeof row.category, { id: number; name: string; slug: string } | null | undefined>>();
    expectType<Equal<typeof row.tags, { id: number; name: string }[] | undefined>>();
    expectType<Equal<typeof page.data.next, string | null>>();
    // A datetime arrives as its ISO text, not a Date.
    expectType<Equal<typeof row.created, string>>();
  }
  const one = await client.get('/api/products/:id', { params: { id: 3 } });
  if (one.ok && one.status === 200) one.data.price.toUpperCase();
  await client.post('/api/products', { body: { name: 'Lamp', price: '9.90', categoryId: 1 } });
  await client.patch('/api/products/:id', { params: { id: 1 }, body: { price: '8.00' } });
  const restocked = await client.post('/api/products/:id/restock', { params: { id: 1 }, body: { count: 3 } });
  if (restocked.ok) expectType<Equal<typeof restocked.data, { stock: number }>>();
  await client.get('/api/categories/:slug', { params: { slug: 'lamps' } });

  // @ts-expect-error not a declared filter
  await client.get('/api/products', { query: { stock__gte: 1 } });
  // @ts-expect-error `price` allows gte and lte, not exact
  await client.get('/api/products', { query: { price: '10' } });
  // @ts-expect-error no such resource path
  await client.get('/api/product');
  // @ts-expect-error the categories resource has no create
  await client.post('/api/categories', { body: { name: 'x', slug: 'x' } });
  // @ts-expect-error `stock` is read-only
  await client.post('/api/products', { body: { name: 'Lamp', price: '9.90', categoryId: 1, stock: 3 } });
  // @ts-expect-error a misspelt field
  await client.patch('/api/products/:id', { params: { id: 1 }, body: { prise: '8.00' } });
  // @ts-expect-error the lookup of categories is the slug
  await client.get('/api/categories/:slug', { params: { id: 1 } });
}
void calls;
