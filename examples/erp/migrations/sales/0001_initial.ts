import { f, migration, op } from 'voltjs/orm';

export default migration({
  dependencies: [],
  operations: [
    op.createModel(
      'sales.Product',
      {
        sku: f.slug({ unique: true, label: 'SKU' }),
        name: f.string({ maxLength: 100 }),
        price: f.decimal({ digits: 10, places: 2, min: 0 }),
        stock: f.integer({ min: 0, helpText: 'Units on the shelf; orders take from it' }),
      },
      { ordering: ['name'] },
    ),
    op.createModel(
      'sales.Customer',
      {
        name: f.string({ maxLength: 100 }),
        email: f.email({ unique: true }),
        country: f.string({ maxLength: 2, pattern: '^[A-Z]{2}$', helpText: 'ISO 3166 code, like FR' }),
      },
      { ordering: ['name'] },
    ),
    op.createModel(
      'sales.Order',
      {
        customer: f.foreignKey('sales.Customer', { onDelete: 'protect', relatedName: 'orders' }),
        placedAt: f.datetime({ default: () => new Date() }),
        total: f.decimal({ digits: 12, places: 2, min: 0 }),
      },
      { ordering: ['-placedAt'] },
    ),
    op.createModel('sales.OrderLine', {
      order: f.foreignKey('sales.Order', { onDelete: 'cascade', relatedName: 'lines' }),
      product: f.foreignKey('sales.Product', { onDelete: 'protect', relatedName: 'lines' }),
      quantity: f.integer({ min: 1 }),
      unitPrice: f.decimal({ digits: 10, places: 2, min: 0 }),
      amount: f.decimal({ digits: 12, places: 2, min: 0 }),
    }),
  ],
});
