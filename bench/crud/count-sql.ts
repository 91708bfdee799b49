/**
 * How many SQL statements a Volt server of the benchmark runs per request: its `app`, on its
 * own connection to the benchmark's file wrapped by `countQueries`, one GET of each path
 * through `testClient` after a warm-up GET. Prints `{ path: [SQL of each statement] }` as JSON.
 *
 * Usage: node --conditions=volt-source bench/crud/count-sql.ts bench/crud/servers/volt.ts /tmp/…/volt.db PATH…
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { VoltApp } from 'voltjs';
import { connect } from 'voltjs/orm';
import { countQueries, testClient } from 'voltjs/testing';

const [serverFile, dbFile, ...paths] = process.argv.slice(2);
if (!serverFile || !dbFile || paths.length === 0)
  throw new Error('usage: count-sql.ts SERVER.ts DB_FILE PATH…');

const db = await connect(`sqlite:${dbFile}`);
const counter = countQueries(db);
const { app } = (await import(pathToFileURL(resolve(serverFile)).href)) as { app: VoltApp };
const client = testClient(app, { database: counter.db });
const statements: Record<string, string[]> = {};
try {
  for (const path of paths) {
    await client.get(path);
    counter.reset();
    const response = await client.get(path);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.text}`);
    statements[path] = [...counter.sql];
  }
} finally {
  await client.close();
  await db.close();
}
console.log(JSON.stringify(statements));
