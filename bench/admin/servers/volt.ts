/**
 * The products change list through Volt's admin (`voltjs/admin`), as a user writes it: `auth()`,
 * an app holding bench/crud's models (crud.Category, crud.Product), and `admin()` with Product
 * registered (the columns, the category filter, the search on the name and SKU, ordered by the
 * price descending) and Category (its rows' text is their name). Nothing tuned for the benchmark.
 *
 * It reads bench/crud's Volt file, to which bench/admin/setup.ts adds auth's and the admin's
 * tables and a superuser; the runner logs in through the admin's own login form and sends the
 * `volt_session` cookie. VOLT_ENV=production, LOG_LEVEL=silent, a fixed SECRET_KEY (the
 * runner's), ALLOWED_HOSTS the default (127.0.0.1 among them).
 *
 * `ADMIN_PER_PAGE` sets the page size (100). `ADMIN_COUNT_SQL=1` (the runner's statement count,
 * never under load) runs the app on a counting view of the same database (`countQueries`,
 * `app.overrideDatabase`) and answers each request's statements in `x-sql-statements` (their SQL
 * in `x-sql-text`, base64url JSON).
 *
 * Usage: `DATABASE_URL=sqlite:/tmp/…/volt.db SECRET_KEY=… VOLT_ENV=production PORT=3000 node --conditions=volt-source bench/admin/servers/volt.ts`
 */
import { defineApp, volt } from 'voltjs';
import { admin } from 'voltjs/admin';
import { auth } from 'voltjs/auth';
import { Category, Product } from '../../crud/models.ts';

export const users = auth();
export const site = admin();
site.register(Product, {
  list: ['name', 'sku', 'price', 'stock', 'category'],
  filters: ['category'],
  search: ['name', 'sku'],
  ordering: ['-price'],
  pageSize: Number(process.env.ADMIN_PER_PAGE ?? 100),
});
site.register(Category, { list: ['name'], search: ['name'], display: (row) => row.name });

export const app = volt({
  // DATABASE_URL.
  database: true,
  logger: false,
  apps: [users, defineApp({ name: 'crud', models: [Category, Product] }), site],
});

if (process.env.ADMIN_COUNT_SQL === '1') {
  // The statement count of the runner: the app's database seen through a counter, reset when a
  // request arrives and read before its response leaves (the runner sends one at a time).
  const { connect } = await import('voltjs/orm');
  const { countQueries } = await import('voltjs/testing');
  const counter = countQueries(await connect(process.env.DATABASE_URL ?? ''));
  app.overrideDatabase(counter.db);
  app.on('request', () => counter.reset());
  app.on('response', (ctx) => {
    ctx.header('x-sql-statements', String(counter.count));
    ctx.header('x-sql-text', Buffer.from(JSON.stringify(counter.sql)).toString('base64url'));
  });
}

if (import.meta.main) await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
