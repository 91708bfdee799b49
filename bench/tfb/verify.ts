/**
 * The verifier run against every server before any load: each test type's answers checked by
 * bench/tfb/checks.ts, the counting tests with every clamping case, and the rows of `db`,
 * `queries` and `updates` compared with PostgreSQL's (read with a connection of its own), so a
 * server can neither invent rows nor skip the write. The first wrong answer throws, naming the
 * server, the request and why.
 */
import type pg from 'pg';
import { type Answer, fetchOnce } from '../harness/processes.ts';
import {
  COUNT_CASES,
  checkDb,
  checkFortunes,
  checkJson,
  checkPlaintext,
  checkStored,
  checkWorlds,
  type TestId,
  type WorldRow,
} from './checks.ts';

/** A wrong answer: which server, which request, and why. */
export class VerificationError extends Error {
  constructor(server: string, test: TestId, path: string, why: string) {
    super(`${server} fails ${test} (GET ${path}): ${why}`);
    this.name = 'VerificationError';
  }
}

/** The query parameter of each counting test. */
const PARAM: Partial<Record<TestId, string>> = {
  queries: 'queries',
  updates: 'queries',
  'cached-queries': 'count',
};

/** The stored randomNumber of each id, read straight from the table. */
async function storedNumbers(db: pg.Client, rows: readonly WorldRow[]): Promise<Map<number, number>> {
  const stored = await db.query<{ id: number; randomnumber: number }>(
    'select id, randomnumber from world where id = any($1)',
    [rows.map((r) => r.id)],
  );
  return new Map(stored.rows.map((r) => [r.id, r.randomnumber]));
}

/** Checks every test of `tests` on the server at `port`; `db` reads the rows back. */
export async function verifyServer(
  server: string,
  port: number,
  tests: readonly TestId[],
  db: pg.Client,
): Promise<void> {
  const get = (path: string): Promise<Answer> => fetchOnce(port, { method: 'GET', path });
  for (const test of tests) {
    const fail = (path: string, why: string) => new VerificationError(server, test, path, why);
    const param = PARAM[test];
    if (param === undefined) {
      const path = `/${test}`;
      // Twice: the second answer must be as right as the first (a new object, a new row).
      for (let i = 0; i < 2; i++) {
        const answer = await get(path);
        const rows: WorldRow[] = [];
        const why =
          test === 'json'
            ? checkJson(answer)
            : test === 'plaintext'
              ? checkPlaintext(answer)
              : test === 'fortunes'
                ? checkFortunes(answer)
                : checkDb(answer, rows);
        if (why) throw fail(path, why);
        if (test === 'db') {
          const stored = checkStored(rows, await storedNumbers(db, rows), 'read');
          if (stored) throw fail(path, stored);
        }
      }
      continue;
    }
    for (const { param: value, expected } of COUNT_CASES) {
      const path = value === undefined ? `/${test}` : `/${test}?${param}=${value}`;
      const rows: WorldRow[] = [];
      const why = checkWorlds(await get(path), expected, rows);
      if (why) throw fail(path, why);
      // The cache may be older than the table (other servers' updates): only its shape is checked.
      if (test === 'cached-queries') continue;
      const stored = checkStored(rows, await storedNumbers(db, rows), test === 'updates' ? 'update' : 'read');
      if (stored) throw fail(path, stored);
    }
  }
}
