/**
 * Field-level history, on SQLite and PostgreSQL: who changed what (old and new values) from
 * the admin, from another request (the REST API) and from a script; passwords recorded as
 * changed, never with their hash; reverting one field (with the change permission, recorded in
 * turn); and the row's history page.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Change } from 'voltjs/admin';
import { createToken, User } from 'voltjs/auth';
import { resource } from 'voltjs/crud';
import { query } from 'voltjs/orm';
import { forEachDialect, testClient } from 'voltjs/testing';
import { Book, catalog, fill, messagesOf, Tag } from './fixture.ts';

/** The recorded changes of one row, oldest first. */
async function changesOf(db: import('voltjs/orm').Database, model: string, key: unknown) {
  return (
    await query(db, Change)
      .filter({ model, objectKey: String(key) })
      .orderBy('id')
      .all()
  ).map((c) => ({ ...c, changes: c.changes as Record<string, unknown> }));
}

forEachDialect((dialect, open) => {
  async function setup(t: TestContext) {
    const db = await open();
    t.after(() => db.close());
    const cat = await catalog(t, {
      db,
      routes: (app) => app.include(resource('/api/books', Book)),
    });
    const data = await fill(cat);
    return { ...cat, data };
  }

  /** The form of book 1 with `title`. */
  const bookForm = (data: Record<string, any>, title: string) => ({
    title,
    isbn: 'ISBN-1',
    author: String(data.ada.id),
    status: 'draft',
    price: '3',
    featured: 'on',
    publishedOn: '',
    tags: String(data.tags[1].id),
    'review_set-TOTAL': '0',
  });

  test(`${dialect}: an edit in the admin records its user and each changed field's old and new value`, async (t) => {
    const { db, data, users, as } = await setup(t);
    const root = await as('root');
    const book = data.books[0];
    const res = await root.post(`/admin/catalog/book/${book.id}/change`, {
      ...bookForm(data, 'Book One'),
      price: '30',
    });
    assert.equal(res.status, 303, res.text.slice(0, 1000));
    const [entry, ...more] = (await changesOf(db, 'catalog.Book', book.id)).filter(
      (c) => c.action === 'update',
    );
    assert.equal(more.length, 0);
    assert.equal(entry!.userId, String(users.root.id));
    assert.equal(entry!.userName, 'root');
    assert.equal(entry!.source, 'admin');
    assert.equal(entry!.objectText, 'Book One');
    assert.deepEqual(entry!.changes, {
      title: { old: 'Book 001', new: 'Book One' },
      price: { old: 3, new: 30 },
    });
  });

  test(`${dialect}: adding a row with links records one entry holding its fields and links; relations show by name`, async (t) => {
    const { db, data, as } = await setup(t);
    const root = await as('root');
    const res = await root.post('/admin/catalog/book/add', {
      ...bookForm(data, 'Fresh'),
      isbn: 'ISBN-NEW',
      tags: [String(data.tags[0].id), String(data.tags[2].id)],
    });
    assert.equal(res.status, 303, res.text.slice(0, 1000));
    const book = await query(db, Book).get({ isbn: 'ISBN-NEW' });
    const entries = await changesOf(db, 'catalog.Book', book.id);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['create'],
    );
    assert.deepEqual(entries[0]!.changes.tags, {
      new: [data.tags[0].id, data.tags[2].id].sort((a, b) => a - b),
    });
    assert.deepEqual(entries[0]!.changes.author, { new: data.ada.id });
    const page = await root.get(`/admin/catalog/book/${book.id}/history`);
    assert.match(page.text, /<dt>Author<\/dt><dd><ins class="new">Ada Lovelace<\/ins>/u);
    assert.match(
      page.text,
      new RegExp(`<dt>Tags</dt><dd><ins class="new">${data.tags[0].name}, ${data.tags[2].name}</ins>`, 'u'),
    );
  });

  test(`${dialect}: a write through the REST API records the request's user, from a request`, async (t) => {
    const { db, data, users, app } = await setup(t);
    const { token } = await createToken(db, users.editor.id, { name: 'test' });
    const api = testClient(app);
    const book = data.books[1];
    const res = await api.patch(`/api/books/${book.id}`, {
      json: { title: 'Through the API' },
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200, res.text);
    const entries = (await changesOf(db, 'catalog.Book', book.id)).filter((c) => c.action === 'update');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.userId, String(users.editor.id));
    assert.equal(entries[0]!.userName, 'editor');
    assert.equal(entries[0]!.source, 'request');
    assert.deepEqual(entries[0]!.changes, { title: { old: 'Book 002', new: 'Through the API' } });
  });

  test(`${dialect}: an ORM write outside any request is recorded as a script's, with no user`, async (t) => {
    const { db, data, app } = await setup(t);
    await app.ready();
    const book = data.books[2];
    await query(db, Book).filter({ id: book.id }).update({ price: 99 });
    const entries = (await changesOf(db, 'catalog.Book', book.id)).filter((c) => c.action === 'update');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.source, 'script');
    assert.equal(entries[0]!.userId, null);
    assert.equal(entries[0]!.userName, '');
    assert.deepEqual(entries[0]!.changes, { price: { old: 9, new: 99 } });
  });

  test(`${dialect}: links changed through related() outside the admin are recorded, from either side`, async (t) => {
    const { db, data, app, as } = await setup(t);
    await app.ready();
    const book = data.books[3];
    const before = (await query(db, Book).related(book, 'tags', Tag).all()).map((tag) => tag.id);
    await query(db, Book).related(book, 'tags', Tag).add(data.tags[2]);
    await query(db, Tag).related(data.tags[0], 'books', Book).add(book);
    const entries = (await changesOf(db, 'catalog.Book', book.id)).filter((c) => c.action === 'update');
    assert.equal(entries.length, 2);
    assert.equal(entries[0]!.source, 'script');
    const sorted = (keys: number[]) => [...new Set(keys)].sort((a, b) => a - b);
    assert.deepEqual(entries[0]!.changes, {
      tags: { old: sorted(before), new: sorted([...before, data.tags[2].id]) },
    });
    assert.deepEqual(entries[1]!.changes, {
      tags: {
        old: sorted([...before, data.tags[2].id]),
        new: sorted([...before, data.tags[2].id, data.tags[0].id]),
      },
    });
    const page = await (await as('root')).get(`/admin/catalog/book/${book.id}/history`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`<dt>Tags</dt><dd>.*${data.tags[2].name}`, 'u'));
  });

  test(`${dialect}: a password set in the admin is recorded as changed, its hash nowhere`, async (t) => {
    const { db, users, as } = await setup(t);
    const root = await as('root');
    const id = users.viewer.id;
    const res = await root.post(`/admin/auth/user/${id}/password`, {
      password1: 'a new long secret',
      password2: 'a new long secret',
    });
    assert.equal(res.status, 303);
    const hash = String((await query(db, User).get({ id })).password);
    const entries = await changesOf(db, 'auth.User', id);
    const updates = entries.filter((c) => c.action === 'update');
    assert.equal(updates.length, 1, JSON.stringify(entries));
    assert.deepEqual(updates[0]!.changes, { password: { masked: true } });
    assert.equal(updates[0]!.userName, 'root');
    const all = JSON.stringify(await query(db, Change).all());
    assert.ok(!all.includes(hash));
    const page = await root.get(`/admin/auth/user/${id}/history`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<span class="masked">changed \(hidden\)<\/span>/u);
    assert.ok(!page.text.includes(hash));
  });

  test(`${dialect}: changing one's own password is recorded as changed, its hash nowhere`, async (t) => {
    const { db, users, as } = await setup(t);
    const viewer = await as('viewer');
    const res = await viewer.post('/admin/password_change', {
      oldPassword: 'correct horse battery staple',
      newPassword1: 'a brand new secret',
      newPassword2: 'a brand new secret',
    });
    assert.equal(res.status, 303);
    const hash = String((await query(db, User).get({ id: users.viewer.id })).password);
    const updates = (await changesOf(db, 'auth.User', users.viewer.id)).filter((c) => c.action === 'update');
    assert.equal(updates.length, 1);
    assert.deepEqual(updates[0]!.changes, { password: { masked: true } });
    assert.ok(!JSON.stringify(await query(db, Change).all()).includes(hash));
  });

  test(`${dialect}: reverting a field restores its old value and is recorded in turn`, async (t) => {
    const { db, data, as } = await setup(t);
    // Not a superuser: the revert asks the editor's permissions.
    const editor = await as('editor');
    const book = data.books[0];
    await editor.post(`/admin/catalog/book/${book.id}/change`, bookForm(data, 'Renamed'));
    const page = await editor.get(`/admin/catalog/book/${book.id}/history`);
    const action = /<form class="revert-form inline-form" method="post" action="([^"]+)">/u.exec(
      page.text,
    )?.[1];
    assert.ok(action, 'a revert button');
    const res = await editor.post(action, { field: 'title' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/admin/catalog/book/${book.id}/history`);
    assert.deepEqual(messagesOf((await editor.get(String(res.headers.location))).text), [
      'Title is back to its old value.',
    ]);
    assert.equal((await query(db, Book).get({ id: book.id })).title, 'Book 001');
    const updates = (await changesOf(db, 'catalog.Book', book.id)).filter((c) => c.action === 'update');
    assert.deepEqual(
      updates.map((c) => c.changes),
      [{ title: { old: 'Book 001', new: 'Renamed' } }, { title: { old: 'Renamed', new: 'Book 001' } }],
    );
    assert.equal(updates[1]!.source, 'admin');
    assert.equal(updates[1]!.userName, 'editor');
  });

  test(`${dialect}: a user who may only view the row cannot revert: no button, and a post is 403`, async (t) => {
    const { db, data, as } = await setup(t);
    const book = data.books[0];
    const root = await as('root');
    await root.post(`/admin/catalog/book/${book.id}/change`, bookForm(data, 'Renamed'));
    const [entry] = (await changesOf(db, 'catalog.Book', book.id)).filter((c) => c.action === 'update');
    const viewer = await as('viewer');
    const page = await viewer.get(`/admin/catalog/book/${book.id}/history`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /revert-form/u);
    const res = await viewer.post(`/admin/catalog/book/${book.id}/history/${entry!.id}/revert`, {
      field: 'title',
    });
    assert.equal(res.status, 403);
    assert.equal((await query(db, Book).get({ id: book.id })).title, 'Renamed');
  });

  test(`${dialect}: the history page lists the row's changes, newest first, with who and from where`, async (t) => {
    const { db, data, app, as } = await setup(t);
    const book = data.books[0];
    await app.ready();
    await query(db, Book).filter({ id: book.id }).update({ price: 42 });
    const root = await as('root');
    await root.post(`/admin/catalog/book/${book.id}/change`, { ...bookForm(data, 'Book One'), price: '42' });
    const page = await root.get(`/admin/catalog/book/${book.id}/history`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Change history: Book One<\/h1>/u);
    const rows = [
      ...page.text.matchAll(
        /<tr><td><time[^>]*>[^<]*<\/time><\/td><td class="history-who">(.*?)<\/td><td><span class="badge [^"]+">(\w+)<\/span><\/td>/gu,
      ),
    ].map((m) => [m[1]!.replace(/<[^>]+>/gu, ''), m[2]]);
    assert.deepEqual(rows, [
      ['root · via admin', 'Changed'],
      ['script', 'Changed'],
    ]);
    assert.match(page.text, /<dt>Title<\/dt><dd><del class="old">Book 001<\/del>/u);
    assert.match(page.text, /<ins class="new">Book One<\/ins>/u);
    assert.match(page.text, /<dt>Price<\/dt><dd><del class="old">3<\/del>/u);
  });
});
