/**
 * An ERP's sales for the tests of dates, grouping and expressions: customers in countries,
 * products, orders placed at an instant, and their lines.
 */
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';

export function salesModels() {
  const registry = createRegistry();
  const Customer = model(
    'sales.Customer',
    {
      name: f.string({ maxLength: 50 }),
      country: f.string({ maxLength: 2, nullable: true }),
      credit: f.decimal({ digits: 10, places: 2, default: '0' }),
      since: f.date({ nullable: true }),
    },
    { registry },
  );
  const Product = model(
    'sales.Product',
    {
      name: f.string({ maxLength: 50 }),
      category: f.integer(),
      price: f.decimal({ digits: 10, places: 2 }),
      cost: f.decimal({ digits: 10, places: 3 }),
      stock: f.integer({ default: 0 }),
      reserved: f.integer({ default: 0 }),
      weight: f.float({ nullable: true }),
    },
    { registry },
  );
  const Order = model(
    'sales.Order',
    {
      customer: f.foreignKey(() => Customer, { onDelete: 'cascade', relatedName: 'orders' }),
      placedAt: f.datetime(),
      shippedOn: f.date({ nullable: true }),
      pickupAt: f.time({ nullable: true }),
      total: f.decimal({ digits: 10, places: 2 }),
      status: f.string({ maxLength: 10, default: 'paid' }),
    },
    { registry },
  );
  const Line = model(
    'sales.Line',
    {
      order: f.foreignKey(() => Order, { onDelete: 'cascade', relatedName: 'lines' }),
      product: f.foreignKey(() => Product, { onDelete: 'cascade', relatedName: 'lines' }),
      quantity: f.integer(),
      amount: f.decimal({ digits: 10, places: 2 }),
    },
    { registry },
  );
  return { registry, Customer, Product, Order, Line };
}

/** The tables, two customers, three products; orders and lines are the tests' own. */
export async function salesDatabase(db: Database) {
  const models = salesModels();
  const { Customer, Product, Order, Line } = models;
  await createTables(db, [Customer, Product, Order, Line]);
  const [ana, bo, cy] = await query(db, Customer).bulkCreate([
    { name: 'Ana', country: 'fr', credit: '100.50', since: '2020-02-29' },
    { name: 'Bo', country: 'us', credit: '0.25' },
    { name: 'Cy', country: null },
  ]);
  const [pen, ink, pad] = await query(db, Product).bulkCreate([
    { name: 'Pen', category: 1, price: '2.50', cost: '1.125', stock: 10, reserved: 12, weight: 0.02 },
    { name: 'Ink', category: 2, price: '12.00', cost: '4', stock: 5, reserved: 1 },
    { name: 'Pad', category: 1, price: '4.10', cost: '2.05', stock: 0, reserved: 0, weight: 0.3 },
  ]);
  return { ...models, ana: ana!, bo: bo!, cy: cy!, pen: pen!, ink: ink!, pad: pad! };
}
