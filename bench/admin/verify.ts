/**
 * The verifier run against every server before any load: each change list page is compared
 * with the page computed from the data set itself ({@link expectedPage}), not with another
 * server's. Each server has its own address for the same logical request ({@link SITES}:
 * Django's admin URL, which fastify-raw copies, or Volt's admin's) and its own markup, read by
 * its own parser: the SKU of each row of the results table, in order, and the result count
 * (`149 products`). The filter sidebar must list category 7, whose name needs escaping,
 * escaped; and without the session cookie the page must not be served (a redirect to the
 * login page, `next` naming the page).
 */

import type { Dataset } from '../crud/data.ts';
import { type Answer, fetchOnce } from '../harness/processes.ts';
import type { ServerId } from './setup.ts';

/** A change list request: a category filter, a search, the price descending, a 1-based page. */
export interface ChangeListQuery {
  category?: number;
  q?: string;
  /** The order: only the price, descending (Django's `o=-3`, Volt's `o=-price`), is computed here. */
  byPriceDesc?: boolean;
  page?: number;
}

/** The benchmark's request: category 48 (232 products), `el` (in Steel, Travel, Deluxe: 149 of them). */
export const BENCH_QUERY: ChangeListQuery = { category: 48, q: 'el', byPriceDesc: true };

/** A page as a parser reads it, or why it cannot. */
export type ParsedPage = { skus: string[]; total: number } | { why: string };

/** One server's change list: its address for a request, its markup's parser, its login. */
export interface ChangeListSite {
  /** The path of a request, parameters in the order the admin's own links spell them. */
  path(q: ChangeListQuery): string;
  /** The SKUs of the page's rows, in order, and the result count. */
  parse(html: string): ParsedPage;
  /** Where an anonymous request is sent, up to the `next` parameter's value. */
  login: string;
  /** The order of rows of the same price: the primary key appended, descending (Django) or ascending (Volt). */
  tieBreak: 'asc' | 'desc';
}

/** Django's admin URL (`/admin/shop/product/?category__id__exact=48&q=el&o=-3`). */
export function djangoPath(q: ChangeListQuery): string {
  const parts: string[] = [];
  if (q.category !== undefined) parts.push(`category__id__exact=${q.category}`);
  if (q.q !== undefined) parts.push(`q=${encodeURIComponent(q.q)}`);
  if (q.byPriceDesc) parts.push('o=-3');
  if (q.page !== undefined && q.page !== 1) parts.push(`p=${q.page}`);
  return `/admin/shop/product/?${parts.join('&')}`;
}

/**
 * Volt's admin URL (`/admin/crud/product?category__exact=48&q=el&o=-price`): the declared
 * filter's parameter, the column's name in `o`, `p` for pages.
 */
export function voltPath(q: ChangeListQuery): string {
  const parts: string[] = [];
  if (q.category !== undefined) parts.push(`category__exact=${q.category}`);
  if (q.q !== undefined) parts.push(`q=${encodeURIComponent(q.q)}`);
  if (q.byPriceDesc) parts.push('o=-price');
  if (q.page !== undefined && q.page !== 1) parts.push(`p=${q.page}`);
  return `/admin/crud/product?${parts.join('&')}`;
}

/**
 * The SKUs page `q.page` must list, in order, and the filtered total: the category filter,
 * every whitespace-separated term in the name or the SKU (case-insensitive), by price
 * descending, then the id: descending as Django's admin appends `-pk`, ascending as Volt's
 * appends the primary key (the benchmark's 149 rows have no two prices alike, so both agree).
 */
export function expectedPage(
  data: Dataset,
  q: ChangeListQuery,
  perPage: number,
  tieBreak: 'asc' | 'desc' = 'desc',
): { skus: string[]; total: number } {
  const terms = (q.q ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean);
  const cents = (price: string) => Math.round(Number(price) * 100);
  const rows = data.products
    .filter((p) => q.category === undefined || p.categoryId === q.category)
    .filter((p) => terms.every((t) => p.name.toLowerCase().includes(t) || p.sku.toLowerCase().includes(t)))
    .map((p) => ({ sku: p.sku, cents: cents(p.price), id: p.id }))
    .sort((a, b) => b.cents - a.cents || (tieBreak === 'desc' ? b.id - a.id : a.id - b.id));
  const page = q.page ?? 1;
  return { skus: rows.slice((page - 1) * perPage, page * perPage).map((r) => r.sku), total: rows.length };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'" };

/** HTML text back to text (the entities an escaper writes). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#x27|#39);/g, (_, name: string) => ENTITIES[name]!);
}

/** Django's markup (and fastify-raw's copy): `<table id="result_list">`, `<p class="paginator">… 149 products</p>`. */
export function parseDjangoChangeList(html: string): ParsedPage {
  const table = /<table id="result_list">([\s\S]*?)<\/table>/.exec(html);
  if (!table) return { why: 'no <table id="result_list">' };
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]!);
  if (!body) return { why: 'no <tbody> in the results table' };
  const skus = skusOf(body[1]!);
  if (!Array.isArray(skus)) return skus;
  const paginator = /<p class="paginator">([\s\S]*?)<\/p>/.exec(html);
  const count = paginator && /(\d+)\s+products?\b/.exec(paginator[1]!);
  if (!count) return { why: 'no "N products" in <p class="paginator">' };
  return { skus, total: Number(count[1]) };
}

/** Volt's admin markup: `<table class="results">`, `<p class="result-count">149 products</p>`. */
export function parseVoltChangeList(html: string): ParsedPage {
  const table = /<table class="results">([\s\S]*?)<\/table>/.exec(html);
  if (!table) return { why: 'no <table class="results">' };
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]!);
  if (!body) return { why: 'no <tbody> in the results table' };
  const skus = skusOf(body[1]!);
  if (!Array.isArray(skus)) return skus;
  const count = /<p class="result-count">([\d,]+)\s+products?\b/.exec(html);
  if (!count) return { why: 'no <p class="result-count">N products' };
  return { skus, total: Number(count[1]!.replaceAll(',', '')) };
}

/** The SKU cell (`<td class="field-sku …">`) of each `<tr>` of a table body, in order. */
function skusOf(body: string): string[] | { why: string } {
  const skus: string[] = [];
  for (const row of body.split(/<tr[\s>]/).slice(1)) {
    const cell = /<td class="field-sku(?:\s[^"]*)?">([^<]*)<\/td>/.exec(row);
    if (!cell) return { why: `a row without a field-sku cell: ${row.slice(0, 200)}` };
    skus.push(unescapeHtml(cell[1]!));
  }
  return skus;
}

/** Each server's change list. */
export const SITES: Record<ServerId, ChangeListSite> = {
  volt: { path: voltPath, parse: parseVoltChangeList, login: '/admin/login?next=', tieBreak: 'asc' },
  'fastify-raw': {
    path: djangoPath,
    parse: parseDjangoChangeList,
    login: '/admin/login/?next=',
    tieBreak: 'desc',
  },
  'django-admin': {
    path: djangoPath,
    parse: parseDjangoChangeList,
    login: '/admin/login/?next=',
    tieBreak: 'desc',
  },
};

/** The benchmark's request on server `id`. */
export const benchPath = (id: ServerId): string => SITES[id].path(BENCH_QUERY);

/** Why an answer is not page `q` of the change list, or `undefined` when it is. */
export function checkChangeList(
  site: ChangeListSite,
  answer: Answer,
  data: Dataset,
  q: ChangeListQuery,
  perPage: number,
): string | undefined {
  if (answer.status !== 200) return `status ${answer.status}: ${answer.body.slice(0, 300)}`;
  if (!/^text\/html\s*(;|$)/i.test(answer.contentType))
    return `Content-Type "${answer.contentType}", expected text/html`;
  const page = site.parse(answer.body);
  if ('why' in page) return page.why;
  const want = expectedPage(data, q, perPage, site.tieBreak);
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

/** Checks server `id` on `port`, logged in with `cookie`; throws on the first wrong answer. */
export async function verifyServer(
  id: ServerId,
  label: string,
  port: number,
  cookie: string,
  data: Dataset,
  perPage = 100,
): Promise<void> {
  const site = SITES[id];
  for (const q of PROBES) {
    const path = site.path(q);
    const answer = await fetchOnce(port, { method: 'GET', path, headers: { cookie } });
    const why = checkChangeList(site, answer, data, q, perPage);
    if (why) throw new Error(`${label} fails GET ${path}: ${why}`);
  }
  const path = benchPath(id);
  const anonymous = await fetchOnce(port, { method: 'GET', path });
  const location = String(anonymous.headers.location ?? '');
  const next = location.startsWith(site.login)
    ? new URLSearchParams(location.slice(location.indexOf('?') + 1)).get('next')
    : null;
  if (anonymous.status !== 302 || next !== path)
    throw new Error(
      `${label} answers GET ${path} without a session with ${anonymous.status} ${location}, not a redirect to ${site.login}…`,
    );
}
