/**
 * The list page through Volt's resource layer (`voltjs/crud`): one declaration gives the
 * filter, the ordering, the expansion, the cursor pagination, validation and the response
 * schema. The same models as every other server (bench/crud/models.ts).
 *
 * Exports `app`; listens when run (VOLT_ENV=production, LOG_LEVEL=silent, a SECRET_KEY, from
 * bench/crud/run.ts).
 *
 * Usage: `DATABASE_URL=sqlite:/tmp/…/volt.db PORT=3000 node --conditions=volt-source bench/crud/servers/volt.ts`
 */
import { defineApp, volt } from 'voltjs';
import { resource } from 'voltjs/crud';
import { Category, Product } from '../models.ts';

export const app = volt({
  // DATABASE_URL.
  database: true,
  apps: [defineApp({ name: 'crud', models: [Category, Product] })],
});

app.include(
  resource('/api/products', Product, {
    filters: { price: ['gte'] },
    ordering: ['price'],
    expand: { category: Category },
    permissions: 'public',
    pageSize: 50,
  }),
);

if (import.meta.main) await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
