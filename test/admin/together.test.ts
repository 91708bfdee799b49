/**
 * The admin with the rest of an app: two staff users doing the same thing at once, an
 * app-wide async hook that reads the database before every handler, and a PostgreSQL
 * database that refuses connections for a moment (an admin page with 503, nothing written,
 * then back to normal).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Change } from 'voltjs/admin';
import { connect, query } from 'voltjs/orm';
import { testPostgresUrl } from 'voltjs/testing';
import { faultDatabase } from '../orm/support.ts';
import { Book, catalog, fill, messagesOf, Review } from './fixture.ts';

test('two staff users deleting the same row at once: one deletes it, the other is told it is gone', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const [root, editor] = [await cat.as('root'), await cat.as('root')];
  const book = data.books[1]!;
  await Promise.all([root.csrf(), editor.csrf()]);
  const answers = await Promise.all([
    root.post(`/admin/catalog/book/${book.id}/delete`),
    editor.post(`/admin/catalog/book/${book.id}/delete`),
  ]);
  assert.deepEqual(answers.map((a) => a.status).sort(), [303, 404]);
  assert.equal(await query(cat.db, Book).filter({ id: book.id }).count(), 0);
  const deletes = await query(cat.db, Change)
    .filter({ model: 'catalog.Book', objectKey: String(book.id), action: 'delete' })
    .count();
  assert.equal(deletes, 1);
});

test('two saves of the same row at once both land, each recorded once, the last one kept', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const [a, b] = [await cat.as('root'), await cat.as('editor')];
  const book = data.books[0]!;
  const form = (title: string) => ({
    title,
    isbn: book.isbn,
    author: String(book.authorId),
    status: 'draft',
    price: '3',
    featured: 'on',
    publishedOn: '',
    tags: String(data.tags[1]!.id),
    'review_set-TOTAL': '0',
  });
  await Promise.all([a.csrf(), b.csrf()]);
  const answers = await Promise.all([
    a.post(`/admin/catalog/book/${book.id}/change`, form('From A')),
    b.post(`/admin/catalog/book/${book.id}/change`, form('From B')),
  ]);
  assert.deepEqual(
    answers.map((r) => r.status),
    [303, 303],
  );
  const title = (await query(cat.db, Book).get({ id: book.id })).title;
  assert.ok(title === 'From A' || title === 'From B');
  const updates = await query(cat.db, Change)
    .filter({ model: 'catalog.Book', objectKey: String(book.id), action: 'update' })
    .all();
  assert.deepEqual(updates.map((u) => u.userName).sort(), ['editor', 'root']);
});

test('behind an app-wide async hook that reads the database, the admin works and records its user', async (t) => {
  let seen = 0;
  const cat = await catalog(t, {
    routes: (app) =>
      app.on('beforeHandler', async (ctx) => {
        seen += await query(ctx.db, Review).count();
      }),
  });
  const data = await fill(cat);
  const root = await cat.as('root');
  const res = await root.post(`/admin/catalog/review/${data.review.id}/delete`);
  assert.equal(res.status, 303);
  assert.ok(seen > 0);
  const entry = await query(cat.db, Change).filter({ model: 'catalog.Review', action: 'delete' }).get();
  assert.equal(entry.userName, 'root');
  assert.equal(entry.source, 'admin');
});

test('PostgreSQL gone for a moment: the admin answers a 503 page, writes nothing, then works again', async (t) => {
  const server = testPostgresUrl();
  if (!server) {
    if (process.env.CI === 'true') assert.fail('VOLT_TEST_POSTGRES is not set; CI must run this test');
    return t.skip('PostgreSQL: VOLT_TEST_POSTGRES is not set');
  }
  const fault = await faultDatabase(server);
  t.after(() => fault.drop());
  const db = await connect(fault.url, { logger: { error: () => {} } });
  t.after(() => db.close());
  const cat = await catalog(t, { db });
  const data = await fill(cat);
  const root = await cat.as('root');
  await root.csrf();
  await fault.refuse();
  const list = await root.get('/admin/catalog/book');
  assert.equal(list.status, 503);
  assert.match(String(list.headers['content-type']), /^text\/html/u);
  assert.doesNotMatch(list.text, /at \w+ \(|node:internal/u);
  const save = await root.post(`/admin/catalog/book/${data.books[0]!.id}/delete`);
  assert.equal(save.status, 503);
  await fault.accept();
  const again = await root.get('/admin/catalog/book');
  assert.equal(again.status, 200);
  assert.equal(await query(db, Book).filter({ id: data.books[0]!.id }).count(), 1);
  assert.deepEqual(messagesOf(again.text), []);
});
