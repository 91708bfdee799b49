/**
 * The ERP example: an order flow as an ERP needs it — stock taken atomically, exact money,
 * one transaction per order — on the database `DATABASE_URL` names (SQLite by default).
 *
 *   volt migrate --app examples/erp/app.ts
 *   volt createsuperuser --app examples/erp/app.ts
 *   volt start examples/erp/app.ts      then open /docs and log in with Authorize
 */
import { defineApp, HttpError, t, volt } from 'voltjs';
import { auth } from 'voltjs/auth';
import { count, decimal, extract, F, query, sum, trunc } from 'voltjs/orm';
import { Customer, Order, OrderLine, Product } from './models.ts';

/** Clerks log in; placing an order needs the `add_order` permission. */
export const users = auth();

/** The sales app's models; their migrations are in ./migrations/sales/. */
export const sales = defineApp({ name: 'sales', models: [Product, Customer, Order, OrderLine] });

export const app = volt({
  apps: [users, sales],
  info: {
    title: 'Volt ERP',
    version: '1.0.0',
    description: 'Orders that take stock atomically, in exact money.',
  },
  tagDescriptions: {
    orders: 'Placing orders.',
    reports: 'Sales figures, computed by the database.',
    auth: 'Logging in and out, and API tokens.',
  },
});

const OrderWithLines = Order.schema.readWith({ lines: [OrderLine] });

app.post(
  '/orders',
  {
    tags: ['orders'],
    summary: 'Place an order',
    description:
      'Takes each line from its product’s stock in one statement; when a product has too few units left the whole order is refused (409) and nothing is taken.',
    dependencies: [users.requirePerm(Order, 'add')],
    status: 201,
    body: t.Object({
      customerId: t.Integer({ minimum: 1 }),
      lines: t.Array(
        t.Object({
          productId: t.Integer({ minimum: 1 }),
          quantity: t.Integer({ minimum: 1, maximum: 1000 }),
        }),
        { minItems: 1, maxItems: 100 },
      ),
    }),
    response: { 201: OrderWithLines },
  },
  async (ctx) => {
    const { customerId, lines } = ctx.body;
    const ids = [...new Set(lines.map((line) => line.productId))];
    if (ids.length !== lines.length)
      throw new HttpError(422, {
        detail: 'Each product may appear on one line only.',
        errors: [{ loc: ['body', 'lines'], msg: 'A product is on two lines', type: 'duplicate_product' }],
      });
    return ctx.db.transaction(async (tx) => {
      const customer = await query(tx, Customer).filter({ id: customerId }).first();
      if (!customer)
        throw new HttpError(422, {
          detail: `Customer ${customerId} does not exist.`,
          errors: [{ loc: ['body', 'customerId'], msg: 'No such customer', type: 'foreign_key' }],
        });
      const products = new Map(
        (await query(tx, Product).filter({ id__in: ids }).all()).map((p) => [p.id, p]),
      );
      // In product order, so two orders for the same products take their rows in the same order.
      const sorted = [...lines].sort((a, b) => a.productId - b.productId);
      for (const { productId, quantity } of sorted) {
        const product = products.get(productId);
        if (!product)
          throw new HttpError(422, {
            detail: `Product ${productId} does not exist.`,
            errors: [{ loc: ['body', 'lines'], msg: `No product ${productId}`, type: 'foreign_key' }],
          });
        // One atomic statement: takes the units only while there are enough of them.
        const taken = await query(tx, Product)
          .filter({ id: productId, stock__gte: quantity })
          .update({ stock: F('stock').minus(quantity) });
        if (taken === 0)
          throw new HttpError(409, {
            code: 'SALES_OUT_OF_STOCK',
            detail: `Not enough ${product.name} in stock.`,
            extensions: { productId },
          });
      }
      const priced = lines.map(({ productId, quantity }) => {
        const unitPrice = products.get(productId)!.price;
        return { productId, quantity, unitPrice, amount: decimal.mul(unitPrice, quantity) };
      });
      const order = await query(tx, Order).create({
        customerId,
        total: decimal.sum(priced.map((line) => line.amount)),
      });
      const saved = await query(tx, OrderLine).bulkCreate(
        priced.map((line) => ({ ...line, orderId: order.id })),
      );
      ctx.header('location', `/orders/${order.id}`);
      return { ...order, lines: saved };
    });
  },
);

app.get(
  '/reports/monthly',
  {
    tags: ['reports'],
    summary: 'Monthly sales of a year',
    description:
      'Per month in the shop’s time zone (the TIME_ZONE setting): the orders placed, their lines, their revenue, and how many orders were of 100 or more. An order placed at 23:30 UTC on 31 January is February’s in Paris.',
    dependencies: [users.requirePerm(Order, 'view')],
    query: t.Object({ year: t.Integer({ minimum: 1, maximum: 9999 }) }),
    response: {
      200: t.Array(
        t.Object({
          month: t.String({
            format: 'date-time',
            description: 'When the month starts, in the shop’s time zone',
          }),
          orders: t.Integer(),
          lineCount: t.Integer(),
          revenue: t.String({ description: 'The sum of the orders’ totals, exact' }),
          big: t.Integer({ description: 'Orders of 100 or more' }),
        }),
      ),
    },
  },
  async (ctx) => {
    const months = await query(ctx.db, Order)
      .annotate({ year: extract('placedAt', 'year'), month: trunc('placedAt', 'month') })
      .filter({ year: ctx.query.year })
      .groupBy('month')
      .aggregate({
        orders: count(),
        lineCount: count('lines'),
        revenue: sum('total'),
        big: count('id', { filter: { total__gte: '100' } }),
      });
    return months.map((row) => ({ ...row, month: row.month.toISOString(), revenue: row.revenue ?? '0.00' }));
  },
);
