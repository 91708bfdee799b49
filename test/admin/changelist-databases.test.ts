/**
 * The change list on both databases: the rows, filters, search and scope answered by the
 * database itself; on PostgreSQL, a list longer than a page shows the planner's estimate
 * ("about") with a link to count exactly, and a page holding the last row its exact total.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { query } from 'voltjs/orm';
import { forEachDialect } from 'voltjs/testing';
import { Author, Book, catalog, fill, Note, rowsOf } from './fixture.ts';

forEachDialect((dialect, open) => {
  async function setup(t: TestContext, pageSize: number) {
    const db = await open();
    t.after(() => db.close());
    const cat = await catalog(t, {
      db,
      register: (site) => {
        site.register(Book, {
          list: ['title', 'author', 'status'],
          search: ['title', 'author__name'],
          filters: ['status', 'author'],
          pageSize,
        });
      },
      options: new Map([[Book, undefined]]),
    });
    return { ...cat, data: await fill(cat, 12) };
  }

  test(`${dialect}: the list filters, searches across a relation and pages in the database`, async (t) => {
    const cat = await setup(t, 5);
    const root = await cat.as('root');
    const ada = await query(cat.db, Author).get({ name: 'Ada Lovelace' });
    const page = await root.get(`/admin/catalog/book?author__exact=${ada.id}&q=lovelace&o=title`);
    assert.equal(page.status, 200);
    assert.deepEqual(rowsOf(page.text), ['Book 001', 'Book 003', 'Book 005', 'Book 007', 'Book 009']);
    const last = await root.get(`/admin/catalog/book?author__exact=${ada.id}&q=lovelace&o=title&p=2`);
    assert.deepEqual(rowsOf(last.text), ['Book 011']);
    // The last page knows the total without counting: exact on both databases.
    assert.match(last.text, /<p class="result-count">6 books<\/p>/u);
  });

  test(`${dialect}: a list longer than a page is counted exactly on SQLite, estimated on PostgreSQL`, async (t) => {
    const cat = await setup(t, 5);
    const root = await cat.as('root');
    const page = await root.get('/admin/catalog/book?o=title');
    assert.equal(rowsOf(page.text).length, 5);
    if (dialect === 'sqlite') assert.match(page.text, /<p class="result-count">12 books<\/p>/u);
    else {
      assert.match(
        page.text,
        /<p class="result-count">about [\d,]+ books · <a href="\?o=title&amp;count=exact">Count exactly<\/a><\/p>/u,
      );
      const exact = await root.get('/admin/catalog/book?o=title&count=exact');
      assert.match(exact.text, /<p class="result-count">12 books<\/p>/u);
    }
  });

  test(`${dialect}: a policy's scope narrows the list in SQL`, async (t) => {
    const cat = await setup(t, 5);
    const viewer = await cat.as('viewer');
    const notes = await viewer.get('/admin/catalog/note');
    assert.equal(notes.status, 200);
    const own = await query(cat.db, Note).filter({ ownerId: cat.users.viewer.id }).count();
    assert.equal(rowsOf(notes.text).length, own);
    assert.ok(own < (await query(cat.db, Note).count()));
  });
});
