/**
 * The two models of the REST resource benchmark, as a Volt user declares them: 100 categories,
 * 10,000 products, each product in one category. Volt's tables (`crud_category`,
 * `crud_product`) are what the Volt servers and fastify-raw read.
 */
import { f, model } from 'voltjs/orm';

export const Category = model('crud.Category', {
  name: f.string({ maxLength: 50 }),
});

export const Product = model('crud.Product', {
  name: f.string({ maxLength: 100 }),
  sku: f.string({ maxLength: 20, unique: true }),
  // As Django's db_index=True: on SQLite the index holds cast(price as real), the value the
  // filters and orderings compare.
  price: f.decimal({ digits: 10, places: 2, index: true }),
  stock: f.integer(),
  category: f.foreignKey(() => Category, { onDelete: 'protect', relatedName: 'products' }),
  created: f.datetime(),
});
