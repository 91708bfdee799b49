/**
 * A small catalog for the admin tests: authors, books (a protected foreign key to the author,
 * tags, reviews that go with their book), and notes that belong to a user (a policy scopes
 * them to their owner) with tasks pointing at them; `admin()` installed after `auth()` with
 * every model registered, on a fresh database. Staff users log in through the admin's own
 * login form and post forms with their page's CSRF token, as a browser does.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { volt } from 'voltjs';
import { type AdminSite, admin, Change, ListSetting, type ModelAdminOptions } from 'voltjs/admin';
import {
  auth,
  createPermissions,
  createUser,
  Group,
  Permission,
  type Policy,
  Session,
  Token,
  User,
} from 'voltjs/auth';
import { type Database, f, model, query } from 'voltjs/orm';
import { type TestClient, type TestResponse, testClient, testDatabase } from 'voltjs/testing';
import { createTables } from '../../src/orm/ddl.ts';
import { FAST, PASSWORD } from '../auth/fixtures.ts';

export { PASSWORD };

/** The origin of the test client's requests (`Host: localhost:80`). */
export const ORIGIN = 'http://localhost';

export const Author = model(
  'catalog.Author',
  {
    name: f.string({ maxLength: 100 }),
    email: f.email({ nullable: true }),
    born: f.date({ nullable: true }),
    active: f.boolean({ default: true }),
  },
  { ordering: ['name'] },
);

export const Tag = model(
  'catalog.Tag',
  { name: f.string({ maxLength: 60, unique: true }) },
  { ordering: ['name'] },
);

export const Book = model(
  'catalog.Book',
  {
    title: f.string({ maxLength: 200 }),
    isbn: f.string({ maxLength: 20, unique: true }),
    author: f.foreignKey(() => Author, { onDelete: 'protect', relatedName: 'books' }),
    status: f.enum({ draft: 'Draft', published: 'Published' }, { default: 'draft' }),
    price: f.integer({ min: 0, default: 0 }),
    featured: f.boolean({ default: false }),
    publishedOn: f.date({ nullable: true }),
    tags: f.manyToMany(() => Tag, { relatedName: 'books' }),
  },
  { ordering: ['title'] },
);

export const Review = model(
  'catalog.Review',
  {
    book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'reviews' }),
    reviewer: f.string({ maxLength: 100 }),
    rating: f.integer({ min: 1, max: 5 }),
  },
  { ordering: ['id'] },
);

export const Note = model(
  'catalog.Note',
  {
    owner: f.foreignKey(() => User, { onDelete: 'cascade', relatedName: 'notes' }),
    text: f.string({ maxLength: 200 }),
  },
  { ordering: ['text'] },
);

export const Task = model(
  'catalog.Task',
  {
    note: f.foreignKey(() => Note, { onDelete: 'cascade', relatedName: 'tasks' }),
    title: f.string({ maxLength: 100 }),
  },
  { ordering: ['title'] },
);

/** Notes: each user sees their own; a superuser every one. */
export const notePolicy: Policy<{ ownerId: number }> = {
  scope: (user) => (user.isAuthenticated ? { ownerId: user.id } : false),
};

export const MODELS = [Author, Tag, Book, Review, Note, Task];

/** The options each model is registered with (a test may override some). */
export function registrations(): Map<(typeof MODELS)[number], ModelAdminOptions<any>> {
  return new Map<any, ModelAdminOptions<any>>([
    [
      Author,
      {
        list: ['name', 'email', 'born', 'active'],
        search: ['name', 'email'],
        filters: ['active', 'born'],
      },
    ],
    [Tag, { list: ['name'], search: ['name'] }],
    [
      Book,
      {
        list: ['title', 'author', 'status', 'price', 'publishedOn'],
        search: ['title', 'isbn', 'author__name'],
        filters: [
          'status',
          'featured',
          'author',
          'publishedOn',
          {
            parameter: 'band',
            title: 'Price band',
            choices: { cheap: 'Under 10', dear: '10 or more' },
            filter: (value) => (value === 'cheap' ? { price__lt: 10 } : { price__gte: 10 }),
          },
        ],
        fieldsets: [
          { fields: ['title', 'isbn', 'author', 'tags'] },
          { title: 'Sales', fields: ['status', 'price', 'featured', 'publishedOn'] },
        ],
        inlines: [{ model: Review, fields: ['reviewer', 'rating'], extra: 1 }],
        actions: {
          publish: {
            label: 'Publish the selected books',
            run: async ({ rows }) => {
              const count = await rows.update({ status: 'published' } as never);
              return `${count} book${count === 1 ? '' : 's'} published.`;
            },
          },
        },
      },
    ],
    [Review, { list: ['book', 'reviewer', 'rating'], search: ['reviewer'] }],
    [Note, { list: ['text', 'owner'], search: ['text'], display: (row) => String(row.text) }],
    [Task, { list: ['title', 'note'], search: ['title'], filters: ['note'], autocomplete: ['note'] }],
  ]);
}

/** The permissions of the staff users, by codename. */
export const VIEW_ALL = ['view_author', 'view_tag', 'view_book', 'view_review', 'view_note', 'view_task'];
export const EDITOR = [
  ...VIEW_ALL,
  'change_author',
  'add_author',
  'change_book',
  'add_book',
  'add_review',
  'change_review',
  'delete_review',
  'add_note',
  'change_note',
  'add_task',
  'change_task',
];

export interface Catalog {
  db: Database;
  app: ReturnType<typeof volt>;
  site: AdminSite;
  /** A cookie-keeping client (a browser) not logged in. */
  browser(): TestClient;
  /** Logs a new browser in as `username` through the admin's login form. */
  as(username: string): Promise<Staff>;
  /** Adds a user with a password, flags and permissions (codenames of the catalog app). */
  addUser(username: string, extra?: Record<string, unknown>, perms?: string[]): Promise<Record<string, any>>;
  users: Record<'root' | 'viewer' | 'editor' | 'outsider' | 'gone', Record<string, any>>;
}

/**
 * The catalog on a fresh database (SQLite unless `db` is given): tables, permissions, users,
 * and the app with the admin. `register` changes a model's options (`undefined` leaves it out).
 */
export async function catalog(
  t: TestContext,
  options: {
    db?: Database;
    register?: (site: AdminSite) => void;
    /** Adds routes to the app before it starts. */
    routes?: (app: ReturnType<typeof volt>) => void;
    options?: Map<unknown, ModelAdminOptions<any> | undefined>;
    /** The app's `TIME_ZONE` (UTC when not given). */
    timeZone?: string;
  } = {},
): Promise<Catalog> {
  const db = options.db ?? (await testDatabase());
  if (!options.db) t.after(() => db.close());
  await createTables(db, [Permission, Group, User, Session, Token, Change, ListSetting, ...MODELS]);
  await createPermissions(db, [User, Group, ...MODELS]);
  const users = auth({ passwordParams: FAST, policies: new Map([[Note, notePolicy]]) });
  const site = admin();
  const registered = registrations();
  for (const [model, override] of options.options ?? []) registered.set(model as never, override as never);
  for (const [model, registration] of registered) if (registration) site.register(model, registration);
  options.register?.(site);
  const app = volt({
    logger: false,
    envFile: false,
    database: db,
    apps: [users, site],
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  options.routes?.(app);
  const clients: TestClient[] = [];
  const browser = () => {
    const client = testClient(app, { cookieJar: true });
    clients.push(client);
    return client;
  };
  t.after(async () => {
    // One close closes the app; the clients share it.
    await clients[0]?.close();
  });
  const addUser = async (username: string, extra: Record<string, unknown> = {}, perms: string[] = []) => {
    const row = await createUser(db, User, { username, password: PASSWORD, ...extra } as never, FAST);
    for (const codename of perms)
      await query(db, User)
        .related(row as never, 'userPermissions', Permission)
        .add(await query(db, Permission).get({ codename }));
    return row as Record<string, any>;
  };
  const root = await addUser('root', { isStaff: true, isSuperuser: true });
  const viewer = await addUser('viewer', { isStaff: true }, VIEW_ALL);
  const editor = await addUser('editor', { isStaff: true }, EDITOR);
  const outsider = await addUser('outsider', {}, VIEW_ALL);
  const gone = await addUser('gone', { isStaff: true, isActive: false }, VIEW_ALL);
  const as = async (username: string) => {
    const client = browser();
    const res = await logIn(client, username);
    assert.equal(res.status, 303, `${username} could not log in: ${res.status} ${res.text.slice(0, 500)}`);
    return staff(client);
  };
  return {
    db,
    app,
    site,
    browser,
    as,
    addUser,
    users: { root, viewer, editor, outsider, gone },
  };
}

/** The value of the page's first CSRF token input. */
export function csrfOf(page: string): string {
  const found = /name="csrf_token" value="([^"]+)"/u.exec(page);
  assert.ok(found, `no CSRF token in the page: ${page.slice(0, 300)}`);
  return found[1]!;
}

/** Logs `client` in through the login form (GET it, then POST it with its token and our origin). */
export async function logIn(
  client: TestClient,
  username: string,
  password = PASSWORD,
  next?: string,
): Promise<TestResponse> {
  const page = await client.get(
    `/admin/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`,
  );
  assert.equal(page.status, 200, page.text);
  return client.post('/admin/login', {
    form: {
      csrf_token: csrfOf(page.text),
      username,
      password,
      ...(next === undefined ? {} : { next }),
    },
    headers: { origin: ORIGIN },
  });
}

/** A logged-in browser: `post()` sends a form with the CSRF token of the session's pages. */
export interface Staff {
  client: TestClient;
  get(path: string): Promise<TestResponse>;
  /** Posts `form` with the session's CSRF token and this site's origin. */
  post(path: string, form?: Record<string, string | number | Array<string | number>>): Promise<TestResponse>;
  /** The session's CSRF token (read once from the dashboard). */
  csrf(): Promise<string>;
}

export function staff(client: TestClient): Staff {
  let token: string | undefined;
  const csrf = async () => {
    token ??= csrfOf((await client.get('/admin/')).text);
    return token;
  };
  return {
    client,
    get: (path) => client.get(path),
    post: async (path, form = {}) =>
      client.post(path, { form: { csrf_token: await csrf(), ...form }, headers: { origin: ORIGIN } }),
    csrf,
  };
}

/** Some rows: two authors, three tags, books, reviews, and notes of the viewer and the editor. */
export async function fill(cat: Catalog, books = 6) {
  const { db } = cat;
  const ada = await query(db, Author).create({ name: 'Ada Lovelace', email: 'ada@example.com' } as never);
  const bob = await query(db, Author).create({ name: 'Bob Dylan', active: false } as never);
  const tags = [];
  for (const name of ['poetry', 'maths', 'music']) tags.push(await query(db, Tag).create({ name }));
  const list = [];
  for (let i = 1; i <= books; i++) {
    const book = await query(db, Book).create({
      title: `Book ${String(i).padStart(3, '0')}`,
      isbn: `ISBN-${i}`,
      authorId: i % 2 ? ada.id : bob.id,
      status: i % 3 === 0 ? 'published' : 'draft',
      price: i * 3,
      featured: i === 1,
      publishedOn: i % 3 === 0 ? `2024-0${(i % 9) + 1}-15` : null,
    } as never);
    await query(db, Book)
      .related(book as never, 'tags', Tag)
      .add(tags[i % 3]!);
    list.push(book as Record<string, any>);
  }
  const review = await query(db, Review).create({
    bookId: list[0]!.id,
    reviewer: 'Carol',
    rating: 4,
  } as never);
  const viewerNote = await query(db, Note).create({
    ownerId: cat.users.viewer.id,
    text: 'viewer secret',
  } as never);
  const editorNote = await query(db, Note).create({
    ownerId: cat.users.editor.id,
    text: 'editor plan',
  } as never);
  const rootNote = await query(db, Note).create({ ownerId: cat.users.root.id, text: 'root memo' } as never);
  const task = await query(db, Task).create({ noteId: editorNote.id, title: 'editor task' } as never);
  const hiddenTask = await query(db, Task).create({ noteId: rootNote.id, title: 'root task' } as never);
  return {
    ada,
    bob,
    tags,
    books: list,
    review,
    viewerNote,
    editorNote,
    rootNote,
    task,
    hiddenTask,
  } as Record<string, any>;
}

/** The text content of the page's messages (flashes). */
export function messagesOf(page: string): string[] {
  return [...page.matchAll(/<p class="message message--\w+">([^<]*)<\/p>/gu)].map((m) => m[1]!);
}

/** The row texts of a change list page (its linked first cells). */
export function rowsOf(page: string): string[] {
  return [...page.matchAll(/<th scope="row" class="[^"]*"><a href="[^"]+">([^<]*)<\/a><\/th>/gu)].map(
    (m) => m[1]!,
  );
}
