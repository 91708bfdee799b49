/**
 * The migration schema editor on both dialects: each change checked through the database's
 * own catalog, SQLite rebuilds keeping rows and foreign keys, and collect mode.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { f } from '../../../src/orm/fields/index.ts';
import {
  SchemaChangeError,
  type SchemaEditor,
  schemaEditor,
  schemaTransaction,
} from '../../../src/orm/migrations/schema-editor.ts';
import { type AnyModel, model } from '../../../src/orm/model.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';
import {
  checks,
  column,
  columnNames,
  foreignKeys,
  indexes,
  rows,
  tables,
  uniques,
} from './fixtures/catalog.ts';

/** Runs `change` the way a migration does: atomically, SQLite foreign keys off meanwhile. */
function apply(db: Database, change: (editor: SchemaEditor) => Promise<void>): Promise<void> {
  return schemaTransaction(db, async (tx) => change(await schemaEditor(tx)));
}

/** Author and Book (book → author, cascade) as a state would build them, in a registry of their own. */
function library(bookFields: Record<string, ReturnType<typeof f.string> | object> = {}, authorFields = {}) {
  const registry = createRegistry();
  const Author = model(
    'library.Author',
    { name: f.string({ maxLength: 50 }), ...authorFields },
    { registry },
  );
  const Book = model(
    'library.Book',
    {
      title: f.string({ maxLength: 100 }),
      author: f.foreignKey('library.Author', { onDelete: 'cascade' }),
      ...(bookFields as Record<string, never>),
    },
    { registry },
  );
  return { Author, Book, registry };
}

async function seed(db: Database, Author: AnyModel, Book: AnyModel): Promise<void> {
  await apply(db, async (editor) => {
    await editor.createModel(Author);
    await editor.createModel(Book);
  });
  await db.run(`insert into library_author (name) values ('Ada'), ('Bob')`);
  await db.run(`insert into library_book (title, author_id) values ('Dune', 1), ('Emma', 1), ('Ulysses', 2)`);
}

/** Adds `fields` to Book one by one, each with the model as it is after that addition. */
async function addEach(db: Database, fields: Record<string, object>): Promise<void> {
  const added: Record<string, object> = {};
  for (const [name, field] of Object.entries(fields)) {
    added[name] = field;
    const { Book } = library({ ...added });
    await apply(db, (editor) => editor.addField(Book, Book.meta.field(name)));
  }
}

forEachDialect((dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return db;
  }

  test('createModel creates the table, its indexes and its auto join tables; deleteModel drops them', async (t) => {
    const db = await setup(t);
    const registry = createRegistry();
    const Tag = model('blog.Tag', { name: f.string({ maxLength: 20, unique: true }) }, { registry });
    const Post = model(
      'blog.Post',
      { title: f.string({ maxLength: 50, index: true }), tags: f.manyToMany('blog.Tag') },
      { registry, indexes: [{ fields: ['-title'], name: 'post_title_desc' }] },
    );
    await apply(db, async (editor) => {
      await editor.createModel(Tag);
      await editor.createModel(Post);
    });
    assert.deepEqual(await tables(db), ['blog_post', 'blog_post_tags', 'blog_tag']);
    assert.deepEqual(await indexes(db, 'blog_post'), ['blog_post_title_idx', 'post_title_desc']);
    assert.deepEqual(await uniques(db, 'blog_tag'), [['name']]);
    assert.deepEqual(
      (await foreignKeys(db, 'blog_post_tags')).map((k) => [k.column, k.table, k.onDelete]),
      [
        ['post_id', 'blog_post', 'cascade'],
        ['tag_id', 'blog_tag', 'cascade'],
      ],
    );
    await apply(db, async (editor) => {
      await editor.deleteModel(Post);
      await editor.deleteModel(Tag);
    });
    assert.deepEqual(await tables(db), []);
  });

  test('alterTable renames the table, its join tables and the indexes named after it; rows stay', async (t) => {
    const db = await setup(t);
    const before = createRegistry();
    model('blog.Tag', { name: f.string({ maxLength: 20 }) }, { registry: before });
    const Post = model(
      'blog.Post',
      { title: f.string({ maxLength: 50 }), slug: f.slug({ index: true }), tags: f.manyToMany('blog.Tag') },
      { registry: before, indexes: [{ fields: ['title'] }] },
    );
    const after = createRegistry();
    model('blog.Tag', { name: f.string({ maxLength: 20 }) }, { registry: after });
    const Article = model(
      'blog.Article',
      { title: f.string({ maxLength: 50 }), slug: f.slug({ index: true }), tags: f.manyToMany('blog.Tag') },
      { registry: after, indexes: [{ fields: ['title'] }] },
    );
    await apply(db, async (editor) => {
      await editor.createModel(before.get('blog.Tag'));
      await editor.createModel(Post);
    });
    await db.run(`insert into blog_post (title, slug) values ('Hello', 'hello')`);
    await db.run(`insert into blog_tag (name) values ('news')`);
    await db.run('insert into blog_post_tags (post_id, tag_id) values (1, 1)');
    await apply(db, (editor) => editor.alterTable(Post, Article));
    assert.deepEqual(await tables(db), ['blog_article', 'blog_article_tags', 'blog_tag']);
    assert.deepEqual(await columnNames(db, 'blog_article_tags'), ['id', 'article_id', 'tag_id']);
    assert.deepEqual(await indexes(db, 'blog_article'), ['blog_article_slug_idx', 'blog_article_title_idx']);
    assert.deepEqual(await rows(db, 'blog_article'), [{ id: 1, title: 'Hello', slug: 'hello' }]);
    assert.deepEqual(await rows(db, 'blog_article_tags'), [{ id: 1, article_id: 1, tag_id: 1 }]);
  });

  test('addField adds a nullable column, and a not-null one filled with its default', async (t) => {
    const db = await setup(t);
    const { Author, Book } = library();
    await seed(db, Author, Book);
    await addEach(db, {
      subtitle: f.string({ maxLength: 100, nullable: true }),
      isbn: f.string({ maxLength: 13, default: 'unknown' }),
      pages: f.integer({ default: () => 7 }),
    });
    assert.deepEqual(await columnNames(db, 'library_book'), [
      'id',
      'title',
      'author_id',
      'subtitle',
      'isbn',
      'pages',
    ]);
    assert.equal((await column(db, 'library_book', 'subtitle')).notNull, false);
    assert.equal((await column(db, 'library_book', 'isbn')).notNull, true);
    assert.equal((await column(db, 'library_book', 'pages')).notNull, true);
    // The default function has no SQL form: it filled the rows, and the column has no default.
    assert.equal((await column(db, 'library_book', 'pages')).default, null);
    assert.deepEqual(
      (await rows(db, 'library_book')).map((r) => [r.title, r.subtitle, r.isbn, r.pages]),
      [
        ['Dune', null, 'unknown', 7],
        ['Emma', null, 'unknown', 7],
        ['Ulysses', null, 'unknown', 7],
      ],
    );
    // The foreign key to the author survived (on SQLite the table was rebuilt for `pages`).
    assert.deepEqual(await foreignKeys(db, 'library_book'), [
      { column: 'author_id', table: 'library_author', onDelete: 'cascade' },
    ]);
  });

  test('addField of a not-null column without a default fails on a table with rows', async (t) => {
    const db = await setup(t);
    const { Author, Book } = library();
    await seed(db, Author, Book);
    const next = library({ isbn: f.string({ maxLength: 13 }) });
    await assert.rejects(apply(db, (editor) => editor.addField(next.Book, next.Book.meta.field('isbn'))));
    assert.deepEqual(await columnNames(db, 'library_book'), ['id', 'title', 'author_id']);
    assert.equal((await rows(db, 'library_book')).length, 3);
  });

  test('addField adds a unique column, a foreign key with its reference, an indexed column and a join table', async (t) => {
    const db = await setup(t);
    const { Author, Book } = library();
    await seed(db, Author, Book);
    await addEach(db, {
      code: f.string({ maxLength: 10, unique: true, nullable: true }),
      editor: f.foreignKey('library.Author', { onDelete: 'setNull', nullable: true, relatedName: 'edited' }),
      shelf: f.integer({ nullable: true, index: true }),
      tags: f.manyToMany('library.Book'),
    });
    assert.deepEqual(await uniques(db, 'library_book'), [['code']]);
    assert.deepEqual(await foreignKeys(db, 'library_book'), [
      { column: 'author_id', table: 'library_author', onDelete: 'cascade' },
      { column: 'editor_id', table: 'library_author', onDelete: 'set null' },
    ]);
    // Foreign keys are indexed by default, as Django's `db_index=True`.
    assert.deepEqual(await indexes(db, 'library_book'), [
      'library_book_author_id_idx',
      'library_book_editor_id_idx',
      'library_book_shelf_idx',
    ]);
    assert.ok((await tables(db)).includes('library_book_tags'));
    assert.equal((await rows(db, 'library_book')).length, 3);
    await assert.rejects(db.run(`update library_book set editor_id = 99 where id = 1`));
  });

  test('removeField drops a plain column, a foreign key column, an indexed column and a join table; rows stay', async (t) => {
    const db = await setup(t);
    const full = library({
      shelf: f.integer({ nullable: true, index: true }),
      note: f.text({ nullable: true }),
      tags: f.manyToMany('library.Book'),
    });
    await seed(db, full.Author, full.Book);
    // Each removal sees the model as the previous one left it.
    const fields: Record<string, object> = {
      shelf: f.integer({ nullable: true, index: true }),
      note: f.text({ nullable: true }),
      tags: f.manyToMany('library.Book'),
    };
    let current: AnyModel = full.Book;
    for (const name of ['note', 'shelf', 'author', 'tags']) {
      delete fields[name];
      const registry = createRegistry();
      const next = model(
        'library.Book',
        {
          title: f.string({ maxLength: 100 }),
          ...(name === 'author' || !current.meta.hasField('author')
            ? {}
            : { author: f.foreignKey('library.Author', { onDelete: 'cascade' }) }),
          ...(fields as Record<string, never>),
        },
        { registry },
      );
      const from = current;
      await apply(db, (editor) => editor.removeField(from, from.meta.field(name)));
      current = next;
    }
    assert.deepEqual(await columnNames(db, 'library_book'), ['id', 'title']);
    assert.deepEqual(await foreignKeys(db, 'library_book'), []);
    assert.deepEqual(await indexes(db, 'library_book'), []);
    assert.ok(!(await tables(db)).includes('library_book_tags'));
    assert.deepEqual(
      (await rows(db, 'library_book')).map((r) => r.title),
      ['Dune', 'Emma', 'Ulysses'],
    );
  });

  test('alterField changes the type, nullability and default, keeping the rows', async (t) => {
    const db = await setup(t);
    const before = library({
      pages: f.integer({ nullable: true }),
      isbn: f.string({ maxLength: 10, default: 'x' }),
    });
    await seed(db, before.Author, before.Book);
    await db.run('update library_book set pages = 300 where id = 1');
    const middle = library({
      pages: f.bigint({ default: 0 }),
      isbn: f.string({ maxLength: 10, default: 'x' }),
    });
    const after = library({
      pages: f.bigint({ default: 0 }),
      isbn: f.string({ maxLength: 20, nullable: true }),
    });
    await apply(db, async (editor) => {
      await editor.alterField(
        before.Book,
        before.Book.meta.field('pages'),
        middle.Book,
        middle.Book.meta.field('pages'),
      );
      await editor.alterField(
        middle.Book,
        middle.Book.meta.field('isbn'),
        after.Book,
        after.Book.meta.field('isbn'),
      );
    });
    const pages = await column(db, 'library_book', 'pages');
    const isbn = await column(db, 'library_book', 'isbn');
    assert.equal(pages.type, dialect === 'sqlite' ? 'integer' : 'bigint');
    assert.equal(pages.notNull, true);
    assert.equal(pages.default, '0');
    assert.equal(isbn.type, dialect === 'sqlite' ? 'text' : 'character varying(20)');
    assert.equal(isbn.notNull, false);
    assert.equal(isbn.default, null);
    // The rows that were null got the new default.
    assert.deepEqual(
      (await rows(db, 'library_book')).map((r) => [r.title, r.pages, r.isbn]),
      [
        ['Dune', 300, 'x'],
        ['Emma', 0, 'x'],
        ['Ulysses', 0, 'x'],
      ],
    );
  });

  test('alterField adds and removes unique and index, and renames a column', async (t) => {
    const db = await setup(t);
    const before = library({
      code: f.string({ maxLength: 10, nullable: true }),
      shelf: f.integer({ nullable: true, index: true }),
    });
    await seed(db, before.Author, before.Book);
    await db.run(`update library_book set code = 'c' || id, shelf = id`);
    const after = library({
      code: f.string({ maxLength: 10, nullable: true, unique: true, index: true }),
      shelf: f.integer({ nullable: true, dbColumn: 'shelf_number', index: true }),
    });
    const middle = library({
      code: f.string({ maxLength: 10, nullable: true, unique: true, index: true }),
      shelf: f.integer({ nullable: true, index: true }),
    });
    await apply(db, async (editor) => {
      await editor.alterField(
        before.Book,
        before.Book.meta.field('code'),
        middle.Book,
        middle.Book.meta.field('code'),
      );
      await editor.alterField(
        middle.Book,
        middle.Book.meta.field('shelf'),
        after.Book,
        after.Book.meta.field('shelf'),
      );
    });
    assert.deepEqual(await uniques(db, 'library_book'), [['code']]);
    assert.deepEqual(await indexes(db, 'library_book'), [
      'library_book_author_id_idx',
      'library_book_shelf_number_idx',
    ]);
    assert.deepEqual(await columnNames(db, 'library_book'), [
      'id',
      'title',
      'author_id',
      'code',
      'shelf_number',
    ]);
    assert.deepEqual(
      (await rows(db, 'library_book')).map((r) => r.shelf_number),
      [1, 2, 3],
    );
    await assert.rejects(db.run(`update library_book set code = 'c1' where id = 2`));
    // And back: the unique goes, the index follows the column's old name.
    await apply(db, async (editor) => {
      await editor.alterField(
        after.Book,
        after.Book.meta.field('shelf'),
        middle.Book,
        middle.Book.meta.field('shelf'),
      );
      await editor.alterField(
        middle.Book,
        middle.Book.meta.field('code'),
        before.Book,
        before.Book.meta.field('code'),
      );
    });
    assert.deepEqual(await uniques(db, 'library_book'), []);
    assert.deepEqual(await indexes(db, 'library_book'), [
      'library_book_author_id_idx',
      'library_book_shelf_idx',
    ]);
    await db.run(`update library_book set code = 'c1' where id = 2`);
  });

  test('a unique constraint is found and dropped after its column was renamed', async (t) => {
    const db = await setup(t);
    const before = library({ code: f.string({ maxLength: 10, nullable: true, unique: true }) });
    await seed(db, before.Author, before.Book);
    const renamed = library({
      code: f.string({ maxLength: 10, nullable: true, unique: true, dbColumn: 'sku' }),
    });
    const plain = library({ code: f.string({ maxLength: 10, nullable: true, dbColumn: 'sku' }) });
    await apply(db, (editor) =>
      editor.alterField(
        before.Book,
        before.Book.meta.field('code'),
        renamed.Book,
        renamed.Book.meta.field('code'),
      ),
    );
    assert.deepEqual(await uniques(db, 'library_book'), [['sku']]);
    // PostgreSQL kept the constraint's first name (library_book_code_key): the catalog knows it.
    const preview = await schemaEditor(db, { collect: true });
    await preview.alterField(
      renamed.Book,
      renamed.Book.meta.field('code'),
      plain.Book,
      plain.Book.meta.field('code'),
    );
    if (dialect === 'postgres')
      assert.deepEqual(preview.statements, [
        'alter table "library_book" drop constraint "library_book_code_key"',
      ]);
    await apply(db, (editor) =>
      editor.alterField(
        renamed.Book,
        renamed.Book.meta.field('code'),
        plain.Book,
        plain.Book.meta.field('code'),
      ),
    );
    assert.deepEqual(await uniques(db, 'library_book'), []);
    assert.equal((await rows(db, 'library_book')).length, 3);
  });

  test('alterField changes a foreign key target and on delete', async (t) => {
    const db = await setup(t);
    const before = library();
    await seed(db, before.Author, before.Book);
    await apply(db, async (editor) => {
      const registry = createRegistry();
      await editor.createModel(
        model('library.Publisher', { name: f.string({ maxLength: 20 }) }, { registry }),
      );
    });
    await db.run(`insert into library_publisher (name) values ('P1'), ('P2')`);
    const after = library();
    model('library.Publisher', { name: f.string({ maxLength: 20 }) }, { registry: after.registry });
    const Book2 = model(
      'library.Novel',
      {
        title: f.string({ maxLength: 100 }),
        author: f.foreignKey('library.Publisher', { onDelete: 'restrict' }),
      },
      { registry: after.registry, table: 'library_book' },
    );
    await apply(db, (editor) =>
      editor.alterField(before.Book, before.Book.meta.field('author'), Book2, Book2.meta.field('author')),
    );
    assert.deepEqual(await foreignKeys(db, 'library_book'), [
      { column: 'author_id', table: 'library_publisher', onDelete: 'restrict' },
    ]);
    await assert.rejects(db.run('delete from library_publisher where id = 1'));
    await db.run('delete from library_author');
    assert.equal((await rows(db, 'library_book')).length, 3);
  });

  test('addIndex and removeIndex', async (t) => {
    const db = await setup(t);
    const { Author, Book } = library();
    await seed(db, Author, Book);
    const index = { name: 'book_title_author', fields: ['title', '-author'], unique: true };
    await apply(db, (editor) => editor.addIndex(Book, index));
    assert.deepEqual(await indexes(db, 'library_book'), ['book_title_author', 'library_book_author_id_idx']);
    await assert.rejects(db.run(`insert into library_book (title, author_id) values ('Dune', 1)`));
    await apply(db, (editor) => editor.removeIndex(Book, index));
    assert.deepEqual(await indexes(db, 'library_book'), ['library_book_author_id_idx']);
  });

  test('addCheck and removeCheck', async (t) => {
    const db = await setup(t);
    const before = library({ pages: f.integer({ default: 10 }) });
    await seed(db, before.Author, before.Book);
    const check = { name: 'pages_positive', where: { pages: { gt: 0 } } };
    const after = createRegistry();
    const Author = model('library.Author', { name: f.string({ maxLength: 50 }) }, { registry: after });
    const Book = model(
      'library.Book',
      {
        title: f.string({ maxLength: 100 }),
        author: f.foreignKey('library.Author', { onDelete: 'cascade' }),
        pages: f.integer({ default: 10 }),
      },
      { registry: after, checks: [check] },
    );
    await apply(db, (editor) => editor.addCheck(Book, check));
    assert.deepEqual(await checks(db, 'library_book'), ['pages_positive']);
    await assert.rejects(db.run('update library_book set pages = 0 where id = 1'));
    await apply(db, (editor) => editor.removeCheck(Book, check));
    assert.deepEqual(await checks(db, 'library_book'), []);
    await db.run('update library_book set pages = 0 where id = 1');
    assert.equal((await rows(db, 'library_book')).length, 3);
    assert.ok(Author);
  });

  test('alterUniqueTogether adds and removes sets', async (t) => {
    const db = await setup(t);
    const { Author, Book } = library();
    await seed(db, Author, Book);
    await apply(db, (editor) => editor.alterUniqueTogether(Book, [], [['title', 'author']]));
    assert.deepEqual(await uniques(db, 'library_book'), [['title', 'author_id']]);
    await assert.rejects(db.run(`insert into library_book (title, author_id) values ('Dune', 1)`));
    await db.run(`insert into library_book (title, author_id) values ('Dune', 2)`);
    await apply(db, (editor) => editor.alterUniqueTogether(Book, [['title', 'author']], []));
    assert.deepEqual(await uniques(db, 'library_book'), []);
    await db.run(`insert into library_book (title, author_id) values ('Dune', 1)`);
  });

  test('changing a parent keeps its children (no cascade fires) and the foreign keys both ways', async (t) => {
    const db = await setup(t);
    const before = library();
    await seed(db, before.Author, before.Book);
    // Author changes (a rebuild on SQLite); Book points in, with on delete cascade.
    const after = library({}, { born: f.integer({ nullable: true, unique: true }) });
    const widened = library({}, { born: f.integer({ nullable: true, unique: true }) });
    await apply(db, (editor) => editor.addField(after.Author, after.Author.meta.field('born')));
    await apply(db, (editor) =>
      editor.alterField(
        before.Author,
        before.Author.meta.field('name'),
        widened.Author,
        model(
          'library.Writer',
          { name: f.string({ maxLength: 200, default: 'anon' }) },
          { registry: createRegistry(), table: 'library_author' },
        ).meta.field('name'),
      ),
    );
    assert.deepEqual(
      (await rows(db, 'library_book')).map((r) => [r.title, r.author_id]),
      [
        ['Dune', 1],
        ['Emma', 1],
        ['Ulysses', 2],
      ],
    );
    assert.deepEqual(await foreignKeys(db, 'library_book'), [
      { column: 'author_id', table: 'library_author', onDelete: 'cascade' },
    ]);
    // The child's foreign key still points at the (rebuilt) parent, and still cascades.
    await assert.rejects(db.run(`insert into library_book (title, author_id) values ('Orphan', 99)`));
    await db.run('delete from library_author where id = 1');
    assert.deepEqual(
      (await rows(db, 'library_book')).map((r) => r.title),
      ['Ulysses'],
    );
    // Rebuilding the child keeps its foreign key out.
    const child = library({ isbn: f.string({ maxLength: 13, unique: true, nullable: true }) });
    await apply(db, (editor) => editor.addField(child.Book, child.Book.meta.field('isbn')));
    assert.deepEqual(await foreignKeys(db, 'library_book'), [
      { column: 'author_id', table: 'library_author', onDelete: 'cascade' },
    ]);
    await assert.rejects(db.run(`insert into library_book (title, author_id) values ('Orphan', 99)`));
  });

  test('collect mode records the statements and runs none', async (t) => {
    const db = await setup(t);
    const { Author, Book } = library();
    const editor = await schemaEditor(db, { collect: true });
    await editor.createModel(Author);
    await editor.createModel(Book);
    const next = library({}, { born: f.integer({ nullable: true }) });
    await editor.addField(next.Author, next.Author.meta.field('born'));
    assert.deepEqual(await tables(db), []);
    // Book's table, then its foreign key's index.
    assert.equal(editor.statements.length, 4);
    assert.match(editor.statements[0]!, /^create table "library_author"/);
    assert.match(editor.statements[2]!, /^create index "library_book_author_id_idx"/);
    assert.equal(
      editor.statements[3],
      `alter table "library_author" add column "born" ${dialect === 'sqlite' ? 'INTEGER' : 'integer'}`,
    );
  });

  test('impossible changes are refused with a message naming the field', async (t) => {
    const db = await setup(t);
    const { Author, Book } = library({ tags: f.manyToMany('library.Author') });
    const other = library({ tags: f.integer({ nullable: true }) });
    await assert.rejects(
      apply(db, (editor) =>
        editor.alterField(Book, Book.meta.field('tags'), other.Book, other.Book.meta.field('tags')),
      ),
      (error: Error) =>
        error instanceof SchemaChangeError &&
        /library\.Book\.tags: a many-to-many cannot become a column/.test(error.message),
    );
    assert.ok(Author);
  });
});
