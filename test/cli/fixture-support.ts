/**
 * For the `volt dumpdata` and `volt loaddata` tests: databases a CLI process can open by URL
 * (a SQLite file; a PostgreSQL database of its own on `VOLT_TEST_POSTGRES`), migrated for the
 * library example, and its rows made in this process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Author, Book, Review, Tag } from '../../examples/library/models.ts';
import { Group, Permission, User } from '../../src/auth/models.ts';
import { connect, type Database, type DialectName } from '../../src/orm/database.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { testPostgresUrl } from '../../src/testing/database.ts';
import { finished, type RunResult, root, spawnVolt } from './support.ts';

/** The library example's app module, which every run names with `--app`. */
export const libraryApp = join(root, 'examples', 'library', 'app.ts');

/** A database a CLI process reaches by URL. */
export interface CliDatabase {
  readonly url: string;
  /** A folder for the test's files, removed after the test file. */
  readonly dir: string;
  /** `volt <args> --app <library> --database <url>`, `input` written to its standard input. */
  run(args: string[], input?: string): Promise<RunResult>;
  /** Opens it in this process (closed after the test file). */
  open(): Promise<Database>;
}

const base = mkdtempSync(join(tmpdir(), 'volt-fixtures-'));
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(base, { recursive: true, force: true });
});
let made = 0;

async function makeDatabase(dialect: DialectName): Promise<CliDatabase> {
  let url = `sqlite:${join(base, `db${++made}.sqlite`)}`;
  if (dialect === 'postgres') {
    const server = testPostgresUrl()!;
    const name = `volt_fixtures_${randomBytes(6).toString('hex')}`;
    const onServer = async (statement: string) => {
      const admin = await connect(server, { max: 1 });
      try {
        await admin.run(statement);
      } finally {
        await admin.close();
      }
    };
    await onServer(`create database ${name}`);
    const address = new URL(server);
    address.pathname = `/${name}`;
    url = address.href;
    cleanups.push(() => onServer(`drop database if exists ${name} with (force)`));
  }
  const opened: Database[] = [];
  cleanups.push(async () => {
    for (const db of opened) await db.close();
  });
  return {
    url,
    dir: base,
    run: (args, input = '') => {
      const child = spawnVolt([...args, '--app', libraryApp, '--database', url]);
      child.stdin.end(input);
      return finished(child);
    },
    open: async () => {
      // Closed before the database is dropped; an idle client the drop still reaches is no news.
      const db = await connect(url, { logger: { error() {} } });
      opened.unshift(db);
      return db;
    },
  };
}

/** A database with the library example's tables (its migrations and auth's applied). */
export async function migrated(dialect: DialectName): Promise<CliDatabase> {
  const database = await makeDatabase(dialect);
  const { code, stderr } = await database.run(['migrate']);
  assert.equal(code, 0, stderr);
  return database;
}

/** A migrated database with rows in every library model and in auth's. */
export async function stocked(dialect: DialectName): Promise<CliDatabase> {
  const database = await migrated(dialect);
  const db = await database.open();
  const [ada, ursula] = await query(db, Author).bulkCreate([
    { name: 'Ada Lovelace', email: 'ada@example.com', born: '1815-12-10' },
    { name: 'Ursula K. Le Guin', email: 'ursula@example.com', bio: 'Earthsea.' },
  ]);
  const [sf, classic] = await query(db, Tag).bulkCreate([
    { slug: 'sf', name: 'Science fiction' },
    { slug: 'classic', name: 'Classic' },
  ]);
  const engine = await query(db, Book).create({
    title: 'The Engine',
    isbn: '9780000000001',
    authorId: ada!.id,
    price: '12.5',
    status: 'published',
    publishedOn: '1843-09-01',
  });
  const earthsea = await query(db, Book).create({
    title: 'A Wizard of Earthsea',
    isbn: '9780000000002',
    authorId: ursula!.id,
    price: '8',
  });
  await query(db, Book).related(engine, 'tags', Tag).set([classic!.id, sf!.id]);
  await query(db, Book).related(earthsea, 'tags', Tag).set([sf!.id]);
  const editors = await query(db, Group).create({ name: 'editors' });
  const change = await query(db, Permission).get({ app: 'library', codename: 'change_book' });
  await query(db, Group).related(editors, 'permissions', Permission).set([change.id]);
  const bob = await query(db, User).create({ username: 'bob', email: 'bob@example.com' });
  await query(db, User).related(bob, 'groups', Group).set([editors.id]);
  await query(db, Review).create({
    bookId: engine.id,
    reviewer: 'bob',
    userId: bob.id,
    rating: 5,
    body: 'Ahead of its time.',
  });
  return database;
}

/** A suite once per database: SQLite, and PostgreSQL when `VOLT_TEST_POSTGRES` is set. */
export function forEachCliDatabase(body: (dialect: DialectName) => void): void {
  describe('sqlite', () => body('sqlite'));
  if (testPostgresUrl()) describe('postgres', () => body('postgres'));
  else if (process.env.CI === 'true')
    test('postgres', () => {
      throw new Error('PostgreSQL: VOLT_TEST_POSTGRES is not set; CI must run the PostgreSQL tests');
    });
  else test('postgres', (t) => t.skip('PostgreSQL: VOLT_TEST_POSTGRES is not set'));
}

/** A fixture's objects as `volt dumpdata` printed them. */
export function parsed(
  stdout: string,
): Array<{ model: string; pk: unknown; fields: Record<string, unknown> }> {
  return JSON.parse(stdout);
}
