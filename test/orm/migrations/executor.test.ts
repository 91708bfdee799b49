/**
 * The executor on both dialects: forward, back to a migration, back to zero, fake, the
 * irreversible refusal, atomic failures, the recorder's rows, plans and sqlFor.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { MigrationError, migrate, plan, planSteps, sqlFor } from '../../../src/orm/migrations/executor.ts';
import { op } from '../../../src/orm/migrations/operations/index.ts';
import { appliedMigrations } from '../../../src/orm/migrations/recorder.ts';
import { forEachDialect } from '../support.ts';
import { columnNames, foreignKeys, rows, snapshot, tables } from './fixtures/catalog.ts';
import { libraryHistory, loaded } from './fixtures/library.ts';

const ids = (steps: readonly { migration: { id: string }; direction: string }[]) =>
  steps.map((s) => `${s.direction === 'forward' ? '+' : '-'}${s.migration.id}`);

async function applied(db: Database): Promise<string[]> {
  return (await appliedMigrations(db)).map((m) => m.id);
}

forEachDialect((dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return db;
  }

  test('migrate applies every migration in order, records each, and then has nothing to do', async (t) => {
    const db = await setup(t);
    let printed = '';
    const steps = await migrate(db, libraryHistory(), { log: (text) => (printed += text) });
    assert.deepEqual(ids(steps), [
      '+library/0001_initial',
      '+library/0002_add_book_isbn',
      '+library/0003_rename_title',
    ]);
    assert.equal(
      printed,
      'Applying library/0001_initial... OK\nApplying library/0002_add_book_isbn... OK\nApplying library/0003_rename_title... OK\n',
    );
    assert.deepEqual(await tables(db), ['library_author', 'library_book', 'volt_migrations']);
    assert.deepEqual(await columnNames(db, 'library_book'), ['id', 'name', 'author_id', 'isbn']);
    const records = await appliedMigrations(db);
    assert.deepEqual(
      records.map((r) => [r.app, r.name]),
      [
        ['library', '0001_initial'],
        ['library', '0002_add_book_isbn'],
        ['library', '0003_rename_title'],
      ],
    );
    for (const record of records) assert.ok(Math.abs(Date.now() - record.appliedAt.getTime()) < 60_000);
    assert.deepEqual(await migrate(db, libraryHistory()), []);
  });

  test('migrate goes back to a migration, then to zero, keeping the data it can', async (t) => {
    const db = await setup(t);
    await migrate(db, libraryHistory());
    await db.run(`insert into library_author (name) values ('Ada')`);
    await db.run(`insert into library_book (name, author_id, isbn) values ('Dune', 1, '123')`);
    const back = await migrate(db, libraryHistory(), { target: 'library/0001_initial' });
    assert.deepEqual(ids(back), ['-library/0003_rename_title', '-library/0002_add_book_isbn']);
    assert.deepEqual(await columnNames(db, 'library_book'), ['id', 'title', 'author_id']);
    assert.deepEqual(await rows(db, 'library_book'), [{ id: 1, title: 'Dune', author_id: 1 }]);
    assert.deepEqual(await applied(db), ['library/0001_initial']);
    // Forward again to a named migration (a unique prefix will do).
    assert.deepEqual(ids(await migrate(db, libraryHistory(), { target: 'library/0002' })), [
      '+library/0002_add_book_isbn',
    ]);
    const zero = await migrate(db, libraryHistory(), { target: 'library/zero' });
    assert.deepEqual(ids(zero), ['-library/0002_add_book_isbn', '-library/0001_initial']);
    assert.deepEqual(await tables(db), ['volt_migrations']);
    assert.deepEqual(await applied(db), []);
  });

  test('unapplying refuses before changing anything when an operation on the way is irreversible', async (t) => {
    const db = await setup(t);
    const history = [
      ...libraryHistory(),
      loaded('library/0004_backfill', {
        dependencies: ['library/0003_rename_title'],
        operations: [op.runSql({ forward: "update library_book set isbn = 'none' where isbn = ''" })],
      }),
    ];
    await migrate(db, history);
    await db.run(`insert into library_author (name) values ('Ada')`);
    const before = await snapshot(db);
    await assert.rejects(migrate(db, history, { target: 'library/0001_initial' }), (error: Error) => {
      assert.ok(error instanceof MigrationError);
      assert.equal(error.migration, 'library/0004_backfill');
      assert.match(
        error.message,
        /^Cannot unapply library\/0004_backfill: its operation 1 \(Run SQL: update library_book set isbn = 'none' where isbn = ''\) is irreversible\. Nothing was changed\.$/,
      );
      return true;
    });
    assert.deepEqual(await snapshot(db), before);
    // Faking past it is allowed: only the records change.
    await migrate(db, history, { target: 'library/0003_rename_title', fake: true });
    assert.deepEqual(await applied(db), [
      'library/0001_initial',
      'library/0002_add_book_isbn',
      'library/0003_rename_title',
    ]);
  });

  test('a failing migration leaves the schema, the data and the records as they were', async (t) => {
    const db = await setup(t);
    const history = [
      ...libraryHistory(),
      loaded('library/0004_broken', {
        dependencies: ['library/0003_rename_title'],
        operations: [
          op.addField('library.Author', 'born', f.integer({ nullable: true })),
          // Not null without a default, on a table with rows: the database refuses.
          op.addField('library.Book', 'pages', f.integer()),
          op.removeField('library.Book', 'isbn'),
        ],
      }),
    ];
    await migrate(db, history, { target: 'library/0003_rename_title' });
    await db.run(`insert into library_author (name) values ('Ada'), ('Bob')`);
    await db.run(
      `insert into library_book (name, author_id, isbn) values ('Dune', 1, '1'), ('Emma', 2, '2')`,
    );
    const before = await snapshot(db);
    let printed = '';
    await assert.rejects(migrate(db, history, { log: (text) => (printed += text) }), (error: Error) => {
      assert.ok(error instanceof MigrationError);
      assert.equal(error.migration, 'library/0004_broken');
      assert.equal(error.operation, 2);
      assert.match(
        error.message,
        /^Applying library\/0004_broken failed at operation 2 \(Add field pages to library\.Book\): /,
      );
      return true;
    });
    assert.equal(printed, 'Applying library/0004_broken... FAILED\n');
    assert.deepEqual(await snapshot(db), before);
    assert.deepEqual(await applied(db), [
      'library/0001_initial',
      'library/0002_add_book_isbn',
      'library/0003_rename_title',
    ]);
  });

  test('the migrations before a failing one stay applied', async (t) => {
    const db = await setup(t);
    const history = [
      ...libraryHistory(),
      loaded('library/0004_broken', {
        dependencies: ['library/0003_rename_title'],
        operations: [op.runSql({ forward: 'select * from no_such_table', backward: [] })],
      }),
    ];
    await assert.rejects(migrate(db, history), /library\/0004_broken failed at operation 1/);
    assert.deepEqual(await applied(db), [
      'library/0001_initial',
      'library/0002_add_book_isbn',
      'library/0003_rename_title',
    ]);
  });

  test('atomic: false runs without a transaction on PostgreSQL only', async (t) => {
    const db = await setup(t);
    const history = [
      ...libraryHistory(),
      loaded('library/0004_loose', {
        dependencies: ['library/0003_rename_title'],
        atomic: false,
        operations: [
          op.addField('library.Author', 'born', f.integer({ nullable: true })),
          op.runSql({ forward: 'select * from no_such_table', backward: [] }),
        ],
      }),
    ];
    await assert.rejects(migrate(db, history), /library\/0004_loose failed at operation 2/);
    // PostgreSQL kept the first operation's column; SQLite ran the migration in a transaction.
    assert.equal((await columnNames(db, 'library_author')).includes('born'), dialect === 'postgres');
    assert.ok(!(await applied(db)).includes('library/0004_loose'));
  });

  test('fake records and forgets migrations without touching the schema', async (t) => {
    const db = await setup(t);
    let printed = '';
    await migrate(db, libraryHistory(), {
      fake: true,
      target: 'library/0001_initial',
      log: (text) => (printed += text),
    });
    assert.equal(printed, 'Applying library/0001_initial... FAKED\n');
    assert.deepEqual(await tables(db), ['volt_migrations']);
    assert.deepEqual(await applied(db), ['library/0001_initial']);
    await migrate(db, libraryHistory(), { fake: true, target: 'library/zero' });
    assert.deepEqual(await applied(db), []);
  });

  test('a SQLite table rebuild inside a migration keeps the children of the rebuilt table', async (t) => {
    const db = await setup(t);
    const history = [
      ...libraryHistory(),
      loaded('library/0004_author_name', {
        dependencies: ['library/0003_rename_title'],
        operations: [op.alterField('library.Author', 'name', f.string({ maxLength: 200, unique: true }))],
      }),
    ];
    await migrate(db, history, { target: 'library/0003_rename_title' });
    await db.run(`insert into library_author (name) values ('Ada'), ('Bob')`);
    await db.run(`insert into library_book (name, author_id) values ('Dune', 1), ('Emma', 2)`);
    await migrate(db, history);
    assert.deepEqual(
      (await rows(db, 'library_book')).map((r) => r.name),
      ['Dune', 'Emma'],
    );
    assert.deepEqual(await foreignKeys(db, 'library_book'), [
      { column: 'author_id', table: 'library_author', onDelete: 'cascade' },
    ]);
    await migrate(db, history, { target: 'library/0003_rename_title' });
    assert.equal((await rows(db, 'library_book')).length, 2);
    if (dialect === 'sqlite') {
      const row = await db.get<{ foreign_keys: number }>('pragma foreign_keys');
      assert.equal(row?.foreign_keys, 1, 'foreign keys are back on after the migration');
    }
  });

  test('plan lists the steps without running them; an unknown target names the choices', async (t) => {
    const db = await setup(t);
    const steps = await plan(db, libraryHistory(), { target: 'library/0002_add_book_isbn' });
    assert.deepEqual(ids(steps), ['+library/0001_initial', '+library/0002_add_book_isbn']);
    assert.deepEqual(await tables(db), []);
    await assert.rejects(
      plan(db, libraryHistory(), { target: 'library/0009_nope' }),
      /library has no migration '0009_nope' \(its migrations: 0001_initial, 0002_add_book_isbn, 0003_rename_title, or zero\)/,
    );
    await assert.rejects(
      plan(db, libraryHistory(), { target: 'shop' }),
      /No app 'shop' has migrations \(apps with migrations: library\)/,
    );
  });

  test('sqlFor shows each operation and its SQL, forward and backward, running nothing', async (t) => {
    const db = await setup(t);
    const forward = await sqlFor(db, libraryHistory(), 'library/0002_add_book_isbn', 'forward');
    const isbn = `alter table "library_book" add column "isbn" ${dialect === 'sqlite' ? 'TEXT' : 'varchar(13)'} not null default '';`;
    assert.deepEqual(
      forward,
      dialect === 'sqlite'
        ? [
            'PRAGMA foreign_keys = OFF;',
            'BEGIN;',
            '-- Add field isbn to library.Book',
            isbn,
            'PRAGMA foreign_key_check;',
            'COMMIT;',
            'PRAGMA foreign_keys = ON;',
          ]
        : ['BEGIN;', '-- Add field isbn to library.Book', isbn, 'COMMIT;'],
    );
    const backward = await sqlFor(db, libraryHistory(), 'library/0002', 'backward');
    assert.ok(backward.includes('-- Undo: Add field isbn to library.Book'));
    assert.ok(backward.includes('alter table "library_book" drop column "isbn";'));
    assert.deepEqual(await tables(db), []);
    await assert.rejects(
      sqlFor(db, libraryHistory(), 'library/0009_x', 'forward'),
      /library has no migration '0009_x'/,
    );
    // Code has no SQL; its place is shown.
    const history = [
      ...libraryHistory(),
      loaded('library/0004_code', {
        dependencies: ['library/0003_rename_title'],
        operations: [op.runCode({ forward: async () => {} })],
      }),
    ];
    const code = await sqlFor(db, history, 'library/0004_code', 'forward');
    assert.ok(code.includes('-- (code, not SQL: it runs only with volt migrate)'));
    await assert.rejects(
      sqlFor(db, history, 'library/0004_code', 'backward'),
      /Cannot unapply library\/0004_code/,
    );
  });

  test('a one-off default (preserveDefault: false) fills the existing rows and stays out of the table', async (t) => {
    const db = await setup(t);
    const history = [
      ...libraryHistory(),
      loaded('library/0004_add_author_country', {
        dependencies: ['library/0003_rename_title'],
        operations: [
          op.addField('library.Author', 'country', f.string({ maxLength: 2, default: 'GB' }), {
            preserveDefault: false,
          }),
        ],
      }),
    ];
    await migrate(db, history, { target: 'library/0003_rename_title' });
    await db.run(`insert into library_author (name) values ('Ada')`);
    await migrate(db, history);
    assert.deepEqual(
      (await rows(db, 'library_author')).map((r) => [r.name, r.country]),
      [['Ada', 'GB']],
    );
    // Like the model, the column has no default: a row without a country is refused.
    await assert.rejects(db.run(`insert into library_author (name) values ('Bob')`), {
      name: 'NotNullViolationError',
    });
  });

  test('runCode gets the transaction and the historical models', async (t) => {
    const db = await setup(t);
    let seen: string[] = [];
    const history = [
      ...libraryHistory(),
      loaded('library/0004_seed', {
        dependencies: ['library/0003_rename_title'],
        operations: [
          op.runCode({
            forward: async ({ db: tx, models }) => {
              seen = models.model('library.Book').meta.fieldNames as string[];
              await tx.run(`insert into library_author (name) values ('Seeded')`);
            },
            backward: async ({ db: tx }) => {
              await tx.run(`delete from library_author where name = 'Seeded'`);
            },
          }),
        ],
      }),
    ];
    await migrate(db, history);
    assert.deepEqual(seen, ['id', 'name', 'author', 'isbn']);
    assert.deepEqual(
      (await rows(db, 'library_author')).map((r) => r.name),
      ['Seeded'],
    );
    await migrate(db, history, { target: 'library/0003_rename_title' });
    assert.deepEqual(await rows(db, 'library_author'), []);
  });
});

test('planSteps refuses an inconsistent history', () => {
  assert.throws(
    () => planSteps(libraryHistory(), new Set(['library/0002_add_book_isbn'])),
    /Inconsistent migration history: library\/0002_add_book_isbn is applied but its dependency library\/0001_initial is not/,
  );
});

test('planSteps back to a migration unapplies the dependents in other apps first', () => {
  const history = [
    ...libraryHistory(),
    loaded('shop/0001_initial', { dependencies: ['library/0002_add_book_isbn'], operations: [] }),
  ];
  const all = new Set(history.map((m) => m.id));
  assert.deepEqual(ids(planSteps(history, all, 'library/0001_initial')), [
    '-shop/0001_initial',
    '-library/0003_rename_title',
    '-library/0002_add_book_isbn',
  ]);
  assert.deepEqual(ids(planSteps(history, new Set(), 'shop')), [
    '+library/0001_initial',
    '+library/0002_add_book_isbn',
    '+shop/0001_initial',
  ]);
});
