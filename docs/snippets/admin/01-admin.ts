import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { admin } from 'voltjs/admin';
import { auth, createUser, saveUserFields } from 'voltjs/auth';
import { createTables, f, model, query } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';

const Author = model('library.Author', { name: f.string({ maxLength: 100 }) }, { ordering: ['name'] });
const Book = model(
  'library.Book',
  {
    title: f.string({ maxLength: 200 }),
    author: f.foreignKey(() => Author, { onDelete: 'protect' }),
    status: f.enum({ draft: 'Draft', published: 'Published' }, { default: 'draft' }),
    publishedOn: f.date({ nullable: true }),
  },
  { ordering: ['title'] },
);

// The admin is an installed app, after auth(): users and groups are registered already.
const users = auth();
const site = admin();
site.register(Author, { search: ['name'] });
site.register(Book, {
  list: ['title', 'author', 'status', 'publishedOn'], // columns; `author` shows the author's name
  search: ['title', 'author__name'], // ?q= looks in both, across the relation
  filters: ['status', 'author', 'publishedOn'], // the sidebar: choices, a relation, dates
  autocomplete: ['author'], // a search box instead of a list of every author
});
const library = defineApp({ name: 'library', models: [Author, Book] });
const app = volt({ logger: false, database: 'sqlite::memory:', apps: [users, library, site] });

await app.ready();
await app.migrate(); // the auth and admin tables, and the permission rows
await createTables(app.db, [Author, Book]); // (an app's migrations would make them)
const ada = await query(app.db, Author).create({ name: 'Ada Lovelace' });
await query(app.db, Book).create({ title: 'Notes', authorId: ada.id, status: 'published' });
const staff = await createUser(app.db, users.userModel, {
  username: 'editor',
  password: 'a long passphrase',
});
await saveUserFields(app.db, users.userModel, staff.id, { isStaff: true, isSuperuser: true });

// Staff log in on the admin's own page (its CSRF token is a hidden field of the form).
const browser = testClient(app, { cookieJar: true, headers: { origin: 'http://localhost' } });
const csrf = (page: string) => /name="csrf_token" value="([^"]+)"/.exec(page)![1]!;
const login = await browser.get('/admin/login');
const loggedIn = await browser.post('/admin/login', {
  form: { csrf_token: csrf(login.text), username: 'editor', password: 'a long passphrase', next: '/admin/' },
});
assert.equal(loggedIn.status, 303);

// The change list: its state is in the URL; only declared filters are accepted.
const list = await browser.get('/admin/library/book', { query: { status__exact: 'published', q: 'ada' } });
assert.equal(list.status, 200);
assert.match(list.text, /<td class="field-author">Ada Lovelace<\/td>/);
assert.match(list.text, /1 book/);
assert.equal((await browser.get('/admin/library/book', { query: { price__gte: '1' } })).status, 400);

// A form post: validated by the model's fields, saved in one transaction, recorded in the history.
const form = await browser.get('/admin/library/book/add');
const saved = await browser.post('/admin/library/book/add', {
  form: { csrf_token: csrf(form.text), title: 'Sketch', author: ada.id, status: 'draft', _save: '1' },
});
assert.equal(saved.status, 303);
const history = await browser.get(
  `/admin/library/book/${(await query(app.db, Book).get({ title: 'Sketch' })).id}/history`,
);
assert.match(history.text, /Added/);
assert.match(history.text, /editor/);
await app.close();
