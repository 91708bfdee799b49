/**
 * PostgreSQL as `connect()` and `voltjs/testing` see it: `postgres://` URLs, test databases in a
 * schema of their own on `VOLT_TEST_POSTGRES`.
 */
import type { DialectDescriptor } from '../dialect.ts';
import { postgresOps } from './ops.ts';

/** The PostgreSQL URL tests use (`VOLT_TEST_POSTGRES`), or `undefined` when they cannot run here. */
export function testPostgresUrl(): string | undefined {
  return process.env.VOLT_TEST_POSTGRES || undefined;
}

export const postgresDialect = {
  name: 'postgres',
  title: 'PostgreSQL',
  schemes: ['postgres://', 'postgresql://'],
  exampleUrls: ['postgres://user@host:5432/db'],
  ops: postgresOps,
  open: async (url, options) => (await import('./database.ts')).openPostgres(url, options),
  testDatabase: {
    unavailable: () => (testPostgresUrl() ? undefined : 'PostgreSQL: VOLT_TEST_POSTGRES is not set'),
    open: async (url, options) => (await import('./test-database.ts')).openTestSchema(url, options),
  },
} as const satisfies DialectDescriptor;
