/**
 * The verifier run against every server before any load. Each answer is compared with the
 * page computed from the data set itself (bench/crud/data.ts `expectedPage`), not with another
 * server's: the same rows in the same order, each with exactly the expected keys and values
 * (decimal text with two places, ISO 8601 UTC with milliseconds, the category object when
 * expanded), `previous` null on a first page, and a `next` link on this server that keeps the
 * request's parameters and is followed once: the second page is checked the same way. A bad
 * `price__gte` must be refused with a 4xx, so no server can win by skipping validation.
 */
import { isDeepStrictEqual } from 'node:util';
import { type Answer, fetchOnce } from '../harness/processes.ts';
import { type Dataset, expectedPage, type PageQuery, queryString } from './data.ts';

/** A wrong answer: which server, which request, and why. */
export class VerificationError extends Error {
  constructor(server: string, path: string, why: string) {
    super(`${server} fails GET ${path}: ${why}`);
    this.name = 'VerificationError';
  }
}

/** The requests checked, each as a first page and the page its `next` link gives. */
export const PROBES: readonly PageQuery[] = [
  // The benchmark's request: ties at the top and across the page boundary.
  { priceGte: '10', ordering: '-price', expand: true, limit: 50 },
  // Ascending from the filter's boundary (10.00 twice, 9.99 left out), not expanded.
  { priceGte: '10', ordering: 'price', limit: 3 },
  // No filter: the cheapest rows are below 10.
  { ordering: 'price', expand: true, limit: 4 },
];

/**
 * Requests every server must refuse with a 4xx. Only what all of them refuse: django-filter
 * takes `12.345` and `1e3` as decimals, and DRF ignores an unknown ordering or a bad `limit`.
 */
export const BAD_PATHS: readonly string[] = [
  '/api/products?price__gte=abc&ordering=-price&expand=category&limit=50',
  '/api/products?price__gte=ten&ordering=price&limit=5',
];

const PAGE_KEYS = ['next', 'previous', 'results'];

const show = (value: unknown) => JSON.stringify(value);

/** The first difference between a row as answered and as expected, or `undefined`. */
export function rowDifference(actual: unknown, expected: Record<string, unknown>): string | undefined {
  if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
    return `not an object: ${show(actual)}`;
  const got = actual as Record<string, unknown>;
  const missing = Object.keys(expected).filter((k) => !(k in got));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const extra = Object.keys(got).filter((k) => !(k in expected));
  if (extra.length > 0) return `unexpected ${extra.join(', ')}`;
  for (const [key, value] of Object.entries(expected)) {
    if (!isDeepStrictEqual(got[key], value)) return `${key} is ${show(got[key])}, expected ${show(value)}`;
  }
  return undefined;
}

/** What a page answer held, for following its next link. */
export interface CheckedPage {
  /** The path and query of the next link, or `null` on a last page. */
  next: string | null;
}

/**
 * Checks one page answer against `page` of `q` (0 for the first), from a server on `port`.
 * Returns the reason it is wrong, or the page's next link.
 */
export function checkPage(
  answer: Answer,
  data: Dataset,
  q: PageQuery,
  page: number,
  port: number,
): { why: string } | CheckedPage {
  if (answer.status !== 200) return { why: `status ${answer.status}: ${answer.body.slice(0, 300)}` };
  if (!/^application\/json\s*(;|$)/i.test(answer.contentType))
    return { why: `Content-Type "${answer.contentType}", expected application/json` };
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return { why: `not JSON: ${answer.body.slice(0, 200)}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { why: 'not a JSON object' };
  const keys = Object.keys(body).sort();
  if (!isDeepStrictEqual(keys, PAGE_KEYS)) return { why: `keys ${show(keys)}, expected ${show(PAGE_KEYS)}` };
  const { next, previous, results } = body as Record<string, unknown>;
  if (page === 0 && previous !== null) return { why: `previous is ${show(previous)} on a first page` };
  if (previous !== null && typeof previous !== 'string') return { why: `previous is ${show(previous)}` };
  if (!Array.isArray(results)) return { why: `results is ${show(results)}` };
  const expected = expectedPage(data, q, page);
  const ids = results.map((r) => (r as { id?: unknown })?.id);
  const expectedIds = expected.rows.map((r) => r.id);
  if (!isDeepStrictEqual(ids, expectedIds)) return { why: `ids ${show(ids)}, expected ${show(expectedIds)}` };
  for (const [i, row] of expected.rows.entries()) {
    const why = rowDifference(results[i], row as unknown as Record<string, unknown>);
    if (why) return { why: `row ${i} (id ${row.id}): ${why}` };
  }
  if (!expected.more)
    return next === null ? { next: null } : { why: `next is ${show(next)} on the last page` };
  if (typeof next !== 'string') return { why: `next is ${show(next)}, but more rows follow` };
  return checkNextLink(next, q, port);
}

/**
 * Checks a next link: an absolute URL on this server's list, with a cursor and the request's
 * own parameters (in any order). Returns the path and query to follow.
 */
export function checkNextLink(next: string, q: PageQuery, port: number): { why: string } | CheckedPage {
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    return { why: `next ${show(next)} is not an absolute URL` };
  }
  if (url.origin !== `http://127.0.0.1:${port}` || url.pathname !== '/api/products')
    return { why: `next ${show(next)} is not http://127.0.0.1:${port}/api/products` };
  const params = new URLSearchParams(url.search);
  const cursor = params.get('cursor');
  if (!cursor) return { why: `next ${show(next)} has no cursor` };
  params.delete('cursor');
  const asked = new URLSearchParams(queryString(q));
  const sorted = (p: URLSearchParams) => [...p].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!isDeepStrictEqual(sorted(params), sorted(asked)))
    return { why: `next ${show(next)} does not keep the parameters ${asked}` };
  return { next: `${url.pathname}${url.search}` };
}

/** Checks every probe on the server at `port` (two pages each) and the refused requests. */
export async function verifyServer(server: string, port: number, data: Dataset): Promise<void> {
  for (const q of PROBES) {
    let path: string | null = `/api/products?${queryString(q)}`;
    for (let page = 0; page < 2 && path !== null; page++) {
      const answer = await fetchOnce(port, { method: 'GET', path });
      const checked = checkPage(answer, data, q, page, port);
      if ('why' in checked) throw new VerificationError(server, path, checked.why);
      path = checked.next;
    }
    if (path === null) throw new VerificationError(server, queryString(q), 'the probe has no second page');
  }
  for (const path of BAD_PATHS) {
    const answer = await fetchOnce(port, { method: 'GET', path });
    if (answer.status < 400 || answer.status > 499)
      throw new VerificationError(server, path, `status ${answer.status}, expected a 4xx (a bad price__gte)`);
  }
}
