/**
 * The sales models: products with a stock, customers, and orders made of lines. An order
 * takes its products' stock in one atomic statement per line, so concurrent orders never
 * oversell and never refuse a buyer while stock remains.
 */
import { f, model } from 'voltjs/orm';

export const Product = model(
  'sales.Product',
  {
    sku: f.slug({ unique: true, label: 'SKU' }),
    name: f.string({ maxLength: 100 }),
    price: f.decimal({ digits: 10, places: 2, min: 0 }),
    stock: f.integer({ min: 0, helpText: 'Units on the shelf; orders take from it' }),
  },
  { ordering: ['name'] },
);

export const Customer = model(
  'sales.Customer',
  {
    name: f.string({ maxLength: 100 }),
    email: f.email({ unique: true }),
    country: f.string({ maxLength: 2, pattern: '^[A-Z]{2}$', helpText: 'ISO 3166 code, like FR' }),
  },
  { ordering: ['name'] },
);

export const Order = model(
  'sales.Order',
  {
    // A customer with orders cannot be deleted: the books must keep their sales.
    customer: f.foreignKey(() => Customer, { onDelete: 'protect', relatedName: 'orders' }),
    // Now by default; an order taken by phone may be entered later with its own time.
    placedAt: f.datetime({ default: () => new Date() }),
    total: f.decimal({ digits: 12, places: 2, min: 0 }),
  },
  { ordering: ['-placedAt'] },
);

export const OrderLine = model('sales.OrderLine', {
  order: f.foreignKey(() => Order, { onDelete: 'cascade', relatedName: 'lines' }),
  product: f.foreignKey(() => Product, { onDelete: 'protect', relatedName: 'lines' }),
  quantity: f.integer({ min: 1 }),
  // The price when ordered: a later price change does not rewrite past orders.
  unitPrice: f.decimal({ digits: 10, places: 2, min: 0 }),
  amount: f.decimal({ digits: 12, places: 2, min: 0 }),
});
