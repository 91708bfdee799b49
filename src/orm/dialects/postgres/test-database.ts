/** PostgreSQL test databases: a fresh schema, made the `search_path`, dropped on close. */
import { randomBytes } from 'node:crypto';
import { type ConnectOptions, connect, type Database } from '../../database.ts';
import { testPostgresUrl } from './dialect.ts';

/** A PostgreSQL database in a fresh schema of `url` (or `VOLT_TEST_POSTGRES`), dropped on close. */
export async function openTestSchema(
  url: string | undefined,
  connectOptions: ConnectOptions,
): Promise<Database> {
  const server = url ?? testPostgresUrl();
  if (!server)
    throw new Error(
      'PostgreSQL: VOLT_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test)',
    );
  const schema = `volt_test_${randomBytes(6).toString('hex')}`;
  const admin = await connect(server, { ...connectOptions, max: 1 });
  try {
    await admin.run(`create schema ${schema}`);
  } finally {
    await admin.close();
  }
  const db = await connect(server, { ...connectOptions, searchPath: schema });
  const close = db.close.bind(db);
  let closing: Promise<void> | undefined;
  db.close = () => {
    closing ??= (async () => {
      try {
        await db.run(`drop schema if exists ${schema} cascade`);
      } finally {
        await close();
      }
    })();
    return closing;
  };
  return db;
}
