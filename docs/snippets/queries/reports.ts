import { count, createTables, type Database, f, model, query, sum, trunc } from 'voltjs/orm';

export const Customer = model('erp.Customer', {
  name: f.string({ maxLength: 100 }),
  country: f.string({ maxLength: 2 }),
});
export const Order = model('erp.Order', {
  customer: f.foreignKey(() => Customer, { onDelete: 'cascade', relatedName: 'orders' }),
  placedAt: f.datetime(),
  status: f.enum({ draft: 'Draft', paid: 'Paid' }, { default: 'paid' }),
  total: f.decimal({ digits: 10, places: 2 }),
});
export const Line = model('erp.Line', {
  order: f.foreignKey(() => Order, { onDelete: 'cascade', relatedName: 'lines' }),
  product: f.string({ maxLength: 50 }),
  amount: f.decimal({ digits: 10, places: 2 }),
});

/**
 * The monthly sales report: per month (in the database's time zone, the TIME_ZONE setting),
 * how many paid orders, their lines' revenue, and how many of them were of 100 or more.
 */
export function monthlySales(db: Database, since: Date) {
  return query(db, Order)
    .filter({ status: 'paid', placedAt__gte: since })
    .annotate({ month: trunc('placedAt', 'month') })
    .groupBy('month')
    .aggregate({
      orders: count(),
      revenue: sum('lines__amount'),
      big: count('id', { filter: { total__gte: '100' } }),
    });
}

/** The same, per country of the customer: grouped by a path across a foreign key. */
export function salesByCountry(db: Database, since: Date) {
  return query(db, Order)
    .filter({ status: 'paid', placedAt__gte: since })
    .annotate({ month: trunc('placedAt', 'month') })
    .groupBy('customer__country', 'month')
    .aggregate({ orders: count(), revenue: sum('lines__amount') });
}

/** Three paid orders and a draft; the first paid order is placed at 00:30 on 1 February in Paris. */
export async function seed(db: Database): Promise<void> {
  await createTables(db, [Customer, Order, Line]);
  const [ana, ben] = await query(db, Customer).bulkCreate([
    { name: 'Ana', country: 'fr' },
    { name: 'Ben', country: 'us' },
  ]);
  const [late, january, february, draft] = await query(db, Order).bulkCreate([
    { customerId: ana!.id, placedAt: new Date('2026-01-31T23:30:00Z'), total: '120.00' },
    { customerId: ben!.id, placedAt: new Date('2026-01-12T15:00:00Z'), total: '35.50' },
    { customerId: ana!.id, placedAt: new Date('2026-02-20T09:00:00Z'), total: '99.99' },
    { customerId: ben!.id, placedAt: new Date('2026-02-21T09:00:00Z'), total: '500.00', status: 'draft' },
  ]);
  await query(db, Line).bulkCreate([
    { orderId: late!.id, product: 'Desk', amount: '100.00' },
    { orderId: late!.id, product: 'Lamp', amount: '20.00' },
    { orderId: january!.id, product: 'Pens', amount: '35.50' },
    { orderId: february!.id, product: 'Chair', amount: '99.99' },
    { orderId: draft!.id, product: 'Sofa', amount: '500.00' },
  ]);
}
