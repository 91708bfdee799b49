/** SQLite as `connect()` and `voltjs/testing` see it: `sqlite:` URLs, `:memory:` test databases. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ConnectOptions } from '../../database.ts';
import type { DialectDescriptor } from '../dialect.ts';
import { sqliteOps } from './ops.ts';

/** The file path of a `sqlite:` URL. */
function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length);
  if (rest === ':memory:' || rest === '') return ':memory:';
  // sqlite:///abs/path.db and sqlite://./rel.db are common spellings too.
  if (rest.startsWith('//')) return rest.slice(2) || ':memory:';
  return rest;
}

/** Opens `sqlite::memory:` or `sqlite:<path>`, creating the file's folder if missing. */
async function open(url: string, options: ConnectOptions) {
  const { openSqlite } = await import('./database.ts');
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return openSqlite(path, options);
}

export const sqliteDialect = {
  name: 'sqlite',
  title: 'SQLite',
  schemes: ['sqlite:'],
  exampleUrls: ['sqlite::memory:', 'sqlite:./path/to/file.db'],
  ops: sqliteOps,
  open,
  testDatabase: {
    unavailable: () => undefined,
    open: (_url, options) => open('sqlite::memory:', options),
  },
} as const satisfies DialectDescriptor;
