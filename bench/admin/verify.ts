/**
 * The verifier run against every server before any load: each change list page is compared
 * with the page computed from the data set itself ({@link expectedPage}), not with another
 * server's. From the HTML: the SKU of each row of the results table (`<td class="field-sku">`),
 * in order, and the result count of the paginator (`149 products`); the filter sidebar must
 * list category 7, whose name needs escaping, escaped; and without the session cookie the
 * page must not be served (a redirect to the login page).
 */

import type { Dataset } from '../crud/data.ts';
import { type Answer, fetchOnce } from '../harness/processes.ts';

/** The change list's path (Django's admin URL). */
export const CHANGELIST = '/admin/shop/product/';

/** A change list request: a category filter, a search, Django's `o`, a 1-based page. */
export interface ChangeListQuery {
  category?: number;
  q?: string;
  /** Only `-3` (the price, descending) is computed here. */
  o?: '-3';
  page?: number;
}

/** The benchmark's request: category 48 (232 products), `el` (in Steel, Travel, Deluxe: 149 of them). */
export const BENCH_QUERY: ChangeListQuery = { category: 48, q: 'el', o: '-3' };

/** The path of a request, parameters in the order Django's admin links spell them. */
export function changeListPath(q: ChangeListQuery): string {
  const parts: string[] = [];
  if (q.category !== undefined) parts.push(`category__id__exact=${q.category}`);
  if (q.q !== undefined) parts.push(`q=${encodeURIComponent(q.q)}`);
  if (q.o !== undefined) parts.push(`o=${q.o}`);
  if (q.page !== undefined && q.page !== 1) parts.push(`p=${q.page}`);
  return `${CHANGELIST}?${parts.join('&')}`;
}

export const BENCH_PATH = changeListPath(BENCH_QUERY);

/**
 * The SKUs page `q.page` must list, in order, and the filtered total: the category filter,
 * every whitespace-separated term in the name or the SKU (case-insensitive), by price
 * descending, then the id descending (Django's admin appends `-pk`).
 */
export function expectedPage(
  data: Dataset,
  q: ChangeListQuery,
  perPage: number,
): { skus: string[]; total: number } {
  const terms = (q.q ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean);
  const cents = (price: string) => Math.round(Number(price) * 100);
  const rows = data.products
    .filter((p) => q.category === undefined || p.categoryId === q.category)
    .filter((p) => terms.every((t) => p.name.toLowerCase().includes(t) || p.sku.toLowerCase().includes(t)))
    .map((p) => ({ sku: p.sku, cents: cents(p.price), id: p.id }))
    .sort((a, b) => b.cents - a.cents || b.id - a.id);
  const page = q.page ?? 1;
  return { skus: rows.slice((page - 1) * perPage, page * perPage).map((r) => r.sku), total: rows.length };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'" };

/** HTML text back to text (the entities an escaper writes). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#x27|#39);/g, (_, name: string) => ENTITIES[name]!);
}

/** What a change list page shows: the SKU of each row, in order, and the paginator's count. */
export function parseChangeList(html: string): { skus: string[]; total: number } | { why: string } {
  const table = /<table id="result_list">([\s\S]*?)<\/table>/.exec(html);
  if (!table) return { why: 'no <table id="result_list">' };
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]!);
  if (!body) return { why: 'no <tbody> in the results table' };
  const skus: string[] = [];
  for (const row of body[1]!.split(/<tr[\s>]/).slice(1)) {
    const cell = /<td class="field-sku">([^<]*)<\/td>/.exec(row);
    if (!cell) return { why: `a row without a field-sku cell: ${row.slice(0, 200)}` };
    skus.push(unescapeHtml(cell[1]!));
  }
  const paginator = /<p class="paginator">([\s\S]*?)<\/p>/.exec(html);
  const count = paginator && /(\d+)\s+products?\b/.exec(paginator[1]!);
  if (!count) return { why: 'no "N products" in <p class="paginator">' };
  return { skus, total: Number(count[1]) };
}

/** Why an answer is not page `q` of the change list, or `undefined` when it is. */
export function checkChangeList(
  answer: Answer,
  data: Dataset,
  q: ChangeListQuery,
  perPage: number,
): string | undefined {
  if (answer.status !== 200) return `status ${answer.status}: ${answer.body.slice(0, 300)}`;
  if (!/^text\/html\s*(;|$)/i.test(answer.contentType))
    return `Content-Type "${answer.contentType}", expected text/html`;
  const page = parseChangeList(answer.body);
  if ('why' in page) return page.why;
  const want = expectedPage(data, q, perPage);
  if (page.total !== want.total) return `${page.total} results, expected ${want.total}`;
  if (page.skus.length !== want.skus.length) return `${page.skus.length} rows, expected ${want.skus.length}`;
  const at = page.skus.findIndex((sku, i) => sku !== want.skus[i]);
  if (at >= 0) return `row ${at + 1} is ${page.skus[at]}, expected ${want.skus[at]}`;
  // The filter sidebar lists every category, escaped (category 7's name has & and ").
  const name = data.categories.find((c) => c.id === 7)!.name;
  const escaped = name.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  if (!answer.body.includes(`>${escaped}</a>`)) return `category 7 not listed escaped as ${escaped}`;
  if (answer.body.includes(name)) return 'category 7 listed unescaped';
  return undefined;
}

/** The requests checked: the benchmark's page and the second page of the same list. */
export const PROBES: readonly ChangeListQuery[] = [BENCH_QUERY, { ...BENCH_QUERY, page: 2 }];

/** Checks a server on `port`, logged in with `cookie`; throws on the first wrong answer. */
export async function verifyServer(
  label: string,
  port: number,
  cookie: string,
  data: Dataset,
  perPage = 100,
): Promise<void> {
  for (const q of PROBES) {
    const path = changeListPath(q);
    const answer = await fetchOnce(port, { method: 'GET', path, headers: { cookie } });
    const why = checkChangeList(answer, data, q, perPage);
    if (why) throw new Error(`${label} fails GET ${path}: ${why}`);
  }
  const anonymous = await fetchOnce(port, { method: 'GET', path: BENCH_PATH });
  if (anonymous.status !== 302 || !String(anonymous.headers.location ?? '').includes('/admin/login/'))
    throw new Error(`${label} serves GET ${BENCH_PATH} without a session: status ${anonymous.status}`);
}
