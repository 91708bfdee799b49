/**
 * A shop for the resource tests: categories, products with tags, and orders owned by users
 * (a policy scopes them to their owner), served as resources on a fresh database, with users
 * holding different permissions and a bearer token each.
 */
import type { TestContext } from 'node:test';
import { volt } from 'voltjs';
import {
  auth,
  createPermissions,
  createToken,
  Group,
  Permission,
  type Policy,
  Session,
  saveUserFields,
  Token,
  User,
} from 'voltjs/auth';
import { type ResourceOptions, resource } from 'voltjs/crud';
import { type Database, f, model, query } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';
import { FAST } from '../auth/fixtures.ts';

export const Category = model(
  'shop.Category',
  { name: f.string({ maxLength: 50 }), slug: f.slug({ unique: true }) },
  { ordering: ['name'], verboseNamePlural: 'categories' },
);

export const Tag = model(
  'shop.Tag',
  { name: f.string({ maxLength: 30, unique: true }) },
  { ordering: ['name'] },
);

export const Product = model(
  'shop.Product',
  {
    name: f.string({ maxLength: 100 }),
    sku: f.string({ maxLength: 20, unique: true }),
    price: f.decimal({ digits: 10, places: 2, min: 0 }),
    stock: f.integer({ default: 0 }),
    category: f.foreignKey(() => Category, { onDelete: 'protect', relatedName: 'products' }),
    discontinued: f.date({ nullable: true }),
    tags: f.manyToMany(() => Tag, { relatedName: 'products' }),
    created: f.datetime({ autoNowAdd: true }),
  },
  { ordering: ['name'] },
);

export const Order = model(
  'shop.Order',
  {
    owner: f.foreignKey(() => User, { onDelete: 'cascade', relatedName: 'orders' }),
    product: f.foreignKey(() => Product, { onDelete: 'protect', relatedName: 'orders' }),
    quantity: f.integer({ min: 1 }),
    status: f.enum({ open: 'Open', cancelled: 'Cancelled' }, { default: 'open' }),
  },
  { ordering: ['id'] },
);

type OrderRow = { ownerId: number; status: string };

/** Orders: each user sees and changes their own (an open one); a superuser all. */
export const orderPolicy: Policy<OrderRow> = {
  scope: (user) => (user.isAuthenticated ? { ownerId: user.id } : false),
  canChange: (user, order) => user.isAuthenticated && order?.ownerId === user.id && order?.status === 'open',
  canAdd: (user) => user.isAuthenticated,
  canView: (user) => user.isAuthenticated,
  canDelete: (user, order) => user.isAuthenticated && order?.ownerId === user.id,
};

/** The product resource's options, shared with other tests. */
export const productOptions: ResourceOptions<typeof Product> = {
  filters: {
    category: true,
    category__slug: ['exact'],
    price: ['gte', 'lte', 'range'],
    name: ['icontains'],
    discontinued: ['isNull', 'gte'],
    created: ['year', 'gte'],
    tags__name: ['exact', 'in'],
  },
  search: ['name', 'sku', 'category__name'],
  ordering: ['price', 'name', 'stock', 'discontinued'],
  expand: { category: Category, tags: Tag },
};

/** Builds the shop on `db`: tables, permissions, users with tokens, the app and a client. */
export async function shop(
  t: TestContext,
  db: Database,
  options: { products?: ResourceOptions<typeof Product> } = {},
) {
  await createTables(db, [Permission, Group, User, Session, Token, Category, Tag, Product, Order]);
  await createPermissions(db, [Category, Tag, Product, Order]);
  const users = auth({ passwordParams: FAST, policies: new Map([[Order, orderPolicy]]) });
  const app = volt({ logger: false, envFile: false, database: db, apps: [users] });
  app.include(resource('/api/categories', Category, { lookup: 'slug', permissions: 'read-public' }));
  app.include(resource('/api/products', Product, { ...productOptions, ...options.products }));
  app.include(resource('/api/orders', Order, { expand: { product: Product } }));
  const permission = (codename: string) => query(db, Permission).get({ app: 'shop', codename });
  const addUser = async (username: string, perms: string[], extra: Record<string, unknown> = {}) => {
    let row = await query(db, User).create({ username } as never);
    if (Object.keys(extra).length > 0) {
      await saveUserFields(db, User, row.id, extra);
      row = await query(db, User).get({ id: row.id });
    }
    for (const codename of perms)
      await query(db, User)
        .related(row, 'userPermissions', Permission)
        .add(await permission(codename));
    const { token } = await createToken(db, row.id, { name: 'test' });
    return { row, headers: { authorization: `Bearer ${token}` } };
  };
  const admin = await addUser('admin', [], { isSuperuser: true });
  const clerk = await addUser('clerk', [
    'view_product',
    'add_product',
    'change_product',
    'delete_product',
    'add_order',
    'view_order',
    'change_order',
    'delete_order',
    'view_category',
    'add_category',
  ]);
  const viewer = await addUser('viewer', [
    'view_product',
    'view_order',
    'add_order',
    'change_order',
    'delete_order',
  ]);
  const api = testClient(app);
  t.after(() => api.close());
  return { app, api, users, admin, clerk, viewer };
}

/** Some categories, tags and products. */
export async function stock(db: Database, count = 30) {
  const tools = await query(db, Category).create({ name: 'Tools', slug: 'tools' });
  const lamps = await query(db, Category).create({ name: 'Lamps', slug: 'lamps' });
  const red = await query(db, Tag).create({ name: 'red' });
  const blue = await query(db, Tag).create({ name: 'blue' });
  const products = [];
  for (let i = 1; i <= count; i++) {
    const product = await query(db, Product).create({
      name: `${i % 2 ? 'Hammer' : 'Lamp'} ${String(i).padStart(3, '0')}`,
      sku: `SKU-${i}`,
      price: `${(i % 10) + 1}.50`,
      stock: i,
      categoryId: i % 2 ? tools.id : lamps.id,
      discontinued: i % 5 === 0 ? '2025-01-0' + ((i % 9) + 1) : null,
    } as never);
    await query(db, Product)
      .related(product, 'tags', Tag)
      .add(i % 3 ? red : blue);
    products.push(product);
  }
  return { tools, lamps, red, blue, products };
}
