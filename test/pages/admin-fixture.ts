/**
 * The app the admin's page tests (and `scripts/admin-screenshots.ts`) drive: a small library —
 * authors, tags, books (a foreign key, a many-to-many, choices, a date, a decimal), reviews
 * edited inline on their book, and notes whose policy scope shows each user only their own —
 * registered on the admin with search, filters, an action, an inline and an autocomplete, on a
 * fresh in-memory SQLite database, listening on 127.0.0.1. Its users (one password for all):
 *
 * - `admin`: a superuser;
 * - `viewer`: staff who may only view books and authors;
 * - `outsider`: active, not staff;
 * - `ada` and `bob`: staff who may view, add and change notes, each seeing only their own.
 */
import { defineApp, type VoltApp, volt } from 'voltjs';
import { admin } from 'voltjs/admin';
import { auth, createUser, Permission, saveUserFields } from 'voltjs/auth';
import { createTables, f, model, query } from 'voltjs/orm';

/** Fast password hashing: the tests log in many times. */
const PASSWORD_PARAMS = { N: 1024, r: 8, p: 1 };

/** Every user's password. */
export const PASSWORD = 'a long passphrase 1843';

export const Author = model(
  'shelf.Author',
  { name: f.string({ maxLength: 100 }), born: f.date({ nullable: true }) },
  { ordering: ['name'] },
);

export const Tag = model(
  'shelf.Tag',
  { name: f.string({ maxLength: 50, unique: true }) },
  { ordering: ['name'] },
);

export const Book = model(
  'shelf.Book',
  {
    title: f.string({ maxLength: 200 }),
    author: f.foreignKey(() => Author, { onDelete: 'protect', relatedName: 'books' }),
    tags: f.manyToMany(() => Tag, { relatedName: 'books' }),
    status: f.enum(
      { draft: 'Draft', published: 'Published', outOfPrint: 'Out of print' },
      { default: 'draft' },
    ),
    publishedOn: f.date({ nullable: true, label: 'Published on' }),
    price: f.decimal({ digits: 8, places: 2, min: 0 }),
    summary: f.text({ default: '', helpText: 'A few lines for the catalogue' }),
  },
  { ordering: ['title'] },
);

export const Review = model('shelf.Review', {
  book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'reviews' }),
  reviewer: f.string({ maxLength: 100 }),
  rating: f.integer({ min: 1, max: 5 }),
  body: f.text({ default: '' }),
});

export const Note = model(
  'shelf.Note',
  {
    ownerId: f.integer({ label: 'Owner' }),
    title: f.string({ maxLength: 200 }),
    body: f.text({ default: '' }),
  },
  { ordering: ['title'] },
);

/** The app, its address and its users' keys. */
export interface AdminFixture {
  app: VoltApp;
  origin: string;
  users: Record<'admin' | 'viewer' | 'outsider' | 'ada' | 'bob', number>;
  close(): Promise<void>;
}

/** Starts the app on 127.0.0.1 with its users and no rows. */
export async function startAdmin(): Promise<AdminFixture> {
  const users = auth({ passwordParams: PASSWORD_PARAMS });
  users.definePolicy(Note, { scope: (user) => ({ ownerId: Number(user.id) }) });
  const site = admin({ title: 'Shelf administration' });
  site.register(Author, {
    list: ['name', 'born'],
    search: ['name'],
    filters: ['born'],
    inlines: [{ model: Book, fields: ['title', 'status', 'price'], style: 'stacked', extra: 1 }],
  });
  site.register(Tag, { list: ['name'], search: ['name'] });
  site.register(Book, {
    list: ['title', 'author', 'status', 'price', 'publishedOn'],
    search: ['title', 'author__name'],
    filters: ['status', 'author', 'publishedOn', 'tags'],
    autocomplete: ['author'],
    fieldsets: [
      { fields: ['title', 'author', 'tags', 'summary'] },
      { title: 'Sales', fields: ['status', 'price', 'publishedOn'] },
    ],
    inlines: [{ model: Review, fields: ['reviewer', 'rating', 'body'], extra: 1 }],
    actions: {
      publish: {
        label: 'Publish the selected books',
        run: async ({ rows }) => {
          const count = await rows.update({ status: 'published' });
          return `${count} book${count === 1 ? '' : 's'} published.`;
        },
      },
    },
  });
  site.register(Review, { list: ['book', 'reviewer', 'rating'], search: ['reviewer', 'body'] });
  site.register(Note, { list: ['title', 'ownerId'], search: ['title', 'body'] });
  const shelf = defineApp({ name: 'shelf', models: [Author, Tag, Book, Review, Note] });
  const app = volt({
    logger: false,
    envFile: false,
    database: 'sqlite::memory:',
    apps: [users, shelf, site],
  });
  await app.ready();
  await app.migrate();
  await createTables(app.db, [Author, Tag, Book, Review, Note]);

  const make = async (username: string, flags: Record<string, boolean>, perms: string[] = []) => {
    const row = await createUser(
      app.db,
      users.userModel,
      { username, password: PASSWORD, email: `${username}@example.com` },
      PASSWORD_PARAMS,
    );
    await saveUserFields(app.db, users.userModel, row.id, flags);
    for (const codename of perms) {
      const perm = await query(app.db, Permission).get({ app: 'shelf', codename });
      await query(app.db, users.userModel).related(row, 'userPermissions', Permission).add(perm);
    }
    return row.id as number;
  };
  const notePerms = ['view_note', 'add_note', 'change_note'];
  const ids = {
    admin: await make('admin', { isStaff: true, isSuperuser: true }),
    viewer: await make('viewer', { isStaff: true }, ['view_book', 'view_author', 'view_tag']),
    outsider: await make('outsider', {}),
    ada: await make('ada', { isStaff: true }, notePerms),
    bob: await make('bob', { isStaff: true }, notePerms),
  };
  const origin = new URL(await app.listen({ host: '127.0.0.1', port: 0, signals: false })).origin;
  return { app, origin, users: ids, close: () => app.close() };
}
