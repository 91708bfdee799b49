/**
 * The delete confirmation of one row: what the cascade takes with it, the protected rows that
 * block it, and the delete itself, with the permission and the scope it needs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { query } from 'voltjs/orm';
import { Author, Book, catalog, fill, messagesOf, Note, Review } from './fixture.ts';

test('the confirmation names the row and lists the rows deleted with it', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const res = await root.get(`/admin/catalog/book/${data.books[0].id}/delete`);
  assert.equal(res.status, 200);
  assert.match(res.text, /<h1>Are you sure\?<\/h1>/u);
  assert.match(res.text, /Are you sure you want to delete the book “Book 001”\?/u);
  assert.match(
    res.text,
    /<h2>Also deleted with them<\/h2><ul class="deleted-objects"><li>1 review<\/li><\/ul>/u,
  );
  assert.match(res.text, /Yes, I’m sure/u);
  assert.equal(await query(cat.db, Book).count(), 6);
});

test('a protected related row blocks the delete: the page says so and a post deletes nothing', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const path = `/admin/catalog/author/${data.ada.id}/delete`;
  const page = await root.get(path);
  assert.equal(page.status, 200);
  assert.match(page.text, /<h1>Cannot delete author<\/h1>/u);
  assert.match(page.text, /protected related objects/u);
  assert.match(page.text, /<li>3 [^<]*book[^<]*<\/li>/iu);
  assert.doesNotMatch(page.text, /Yes, I’m sure/u);
  const res = await root.post(path);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, path);
  assert.match(messagesOf((await root.get(path)).text)[0]!, /^Nothing was deleted/u);
  assert.equal(await query(cat.db, Author).filter({ id: data.ada.id }).count(), 1);
  assert.equal(await query(cat.db, Book).count(), 6);
});

test('confirming deletes the row and its cascade, then shows the list', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const root = await cat.as('root');
  const res = await root.post(`/admin/catalog/book/${data.books[0].id}/delete`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/admin/catalog/book');
  assert.deepEqual(messagesOf((await root.get('/admin/catalog/book')).text), [
    'The book “Book 001” was deleted successfully.',
  ]);
  assert.equal(await query(cat.db, Book).filter({ id: data.books[0].id }).count(), 0);
  assert.equal(await query(cat.db, Review).count(), 0);
});

test('a user without the delete permission gets 403 on the page and on the post', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  const editor = await cat.as('editor');
  const path = `/admin/catalog/book/${data.books[0].id}/delete`;
  const form = await editor.get(`/admin/catalog/book/${data.books[0].id}/change`);
  assert.doesNotMatch(form.text, /submit-row__delete/u);
  assert.equal((await editor.get(path)).status, 403);
  assert.equal((await editor.post(path)).status, 403);
  assert.equal(await query(cat.db, Book).count(), 6);
});

test('a row outside the user’s scope cannot be deleted: a 404', async (t) => {
  const cat = await catalog(t);
  const data = await fill(cat);
  await cat.addUser('cleaner', { isStaff: true }, ['view_note', 'delete_note']);
  const cleaner = await cat.as('cleaner');
  const path = `/admin/catalog/note/${data.viewerNote.id}/delete`;
  assert.equal((await cleaner.get(path)).status, 404);
  assert.equal((await cleaner.post(path)).status, 404);
  assert.equal(await query(cat.db, Note).count(), 3);
});
