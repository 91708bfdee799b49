/**
 * The products change list written by hand on bare Fastify 5 and `node:sqlite`, as a careful
 * developer writes an admin page without a framework: the session cookie checked against a
 * sessions table (one indexed lookup, joined to the user: staff and active), the change list's
 * query parameters parsed by hand (`category__id__exact`, `q`, `o`, `p`, as Django's admin
 * spells them), one SQL for the page's rows (JOIN to the category, `LIMIT … OFFSET …`), one
 * COUNT for the filtered total, one for the categories of the filter sidebar, every statement
 * prepared at startup; the page rendered with template literals, every value HTML-escaped.
 *
 * The page holds what Django's change list does: a search box with the result count, an
 * actions bar, the table with sortable column headers, a checkbox and a change link per row,
 * pagination, and the filter sidebar listing every category. Logger off.
 *
 * It reads Volt's tables of bench/crud (a copy; bench/admin/setup.ts adds the index on
 * `category_id` Django makes for a foreign key, and the user and session tables). The price is
 * decimal text, ordered as a number (`cast(price as real)`, which the crud file indexes).
 *
 * `ADMIN_COUNT_SQL=1` adds an `x-sql-statements` header (the statements the request ran), for
 * the runner's count; `ADMIN_PER_PAGE` sets the page size (100).
 *
 * Usage: `ADMIN_DB=/tmp/…/raw.db PORT=3001 node bench/admin/servers/fastify-raw.ts`
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import Fastify from 'fastify';
import { escapeHtml, MAX_TERMS, ORDER_COLUMNS, productsSql, SESSION_SQL } from './raw-sql.ts';

const db = new DatabaseSync(process.env.ADMIN_DB ?? '', { readOnly: true });
const PER_PAGE = Number(process.env.ADMIN_PER_PAGE ?? 100);
const COUNT_SQL = process.env.ADMIN_COUNT_SQL === '1';
const BASE = '/admin/shop/product/';

const session = db.prepare(SESSION_SQL);
const categoriesStatement = db.prepare('select id, name from crud_category order by id');
/** Row statements by shape (filtered, terms, order column, descending); counts by (filtered, terms). */
const rowStatements = new Map<string, StatementSync>();
const countStatements = new Map<string, StatementSync>();
for (const filtered of [false, true])
  for (let terms = 0; terms <= MAX_TERMS; terms++) {
    countStatements.set(`${filtered}${terms}`, db.prepare(productsSql({ filtered, terms, count: true })));
    for (let column = 1; column < ORDER_COLUMNS.length; column++)
      for (const desc of [false, true])
        rowStatements.set(
          `${filtered}${terms}${column}${desc}`,
          db.prepare(productsSql({ filtered, terms, column, desc })),
        );
  }

interface Row {
  id: number;
  name: string;
  sku: string;
  price: string;
  stock: number;
  categoryName: string;
}

/** The parameters of a change list request, checked. */
interface Params {
  category: number | undefined;
  q: string;
  /** Column 1–5 and direction; the default is the price, descending (the ModelAdmin's ordering). */
  column: number;
  desc: boolean;
  /** Whether `o` was given (the sort links then keep it). */
  ordered: boolean;
  page: number;
}

const DIGITS = /^[1-9]\d{0,8}$/;
const ORDER = /^(-?)([1-5])(?:\.|$)/;
const HEADERS = ['Name', 'Sku', 'Price', 'Stock', 'Category'];
const FIELDS = ['name', 'sku', 'price', 'stock', 'category'];

/** The query string of the page with `change` applied, keys sorted as Django's admin writes them. */
function query(p: Params, change: Partial<Record<'category' | 'o' | 'p' | 'q', string | undefined>>): string {
  const values: Record<string, string | undefined> = {
    category__id__exact: p.category === undefined ? undefined : String(p.category),
    o: p.ordered ? `${p.desc ? '-' : ''}${p.column}` : undefined,
    p: undefined,
    q: p.q === '' ? undefined : p.q,
  };
  if ('category' in change) values.category__id__exact = change.category;
  if ('o' in change) values.o = change.o;
  if ('p' in change) values.p = change.p;
  if ('q' in change) values.q = change.q;
  const parts: string[] = [];
  for (const key of ['category__id__exact', 'o', 'p', 'q'])
    if (values[key] !== undefined) parts.push(`${key}=${encodeURIComponent(values[key])}`);
  return `?${parts.join('&')}`;
}

/** {@link query}, escaped for an attribute. */
const link = (p: Params, change: Parameters<typeof query>[1]) => escapeHtml(query(p, change));

function header(p: Params, i: number): string {
  const column = i + 1;
  const sorted = p.column === column;
  // A click sorts by this column, ascending, or flips it when it is the sorted one.
  const o = sorted ? `${p.desc ? '' : '-'}${column}` : String(column);
  const cls = `sortable column-${FIELDS[i]}${sorted ? ` sorted ${p.desc ? 'descending' : 'ascending'}` : ''}`;
  return `<th scope="col" class="${cls}"><div class="text"><a href="${link(p, { o })}">${HEADERS[i]}</a></div></th>`;
}

function pages(p: Params, total: number): string {
  const count = Math.max(1, Math.ceil(total / PER_PAGE));
  if (count === 1) return '';
  const out: string[] = [];
  let gap = false;
  for (let n = 1; n <= count; n++) {
    if (n <= 2 || n > count - 2 || Math.abs(n - p.page) <= 3) {
      gap = false;
      out.push(
        n === p.page
          ? `<span class="this-page">${n}</span>`
          : `<a href="${link(p, { p: String(n) })}"${n === count ? ' class="end"' : ''}>${n}</a>`,
      );
    } else if (!gap) {
      gap = true;
      out.push('…');
    }
  }
  return out.join(' ');
}

function render(
  p: Params,
  rows: Row[],
  total: number,
  categories: Array<{ id: number; name: string }>,
): string {
  const filters = query(p, {}).slice(1);
  const changeQuery = filters === '' ? '' : escapeHtml(`?_changelist_filters=${encodeURIComponent(filters)}`);
  const body = rows
    .map(
      (r) =>
        `<tr><td class="action-checkbox"><input type="checkbox" name="_selected_action" value="${r.id}" class="action-select"></td>` +
        `<th class="field-name"><a href="${BASE}${r.id}/change/${changeQuery}">${escapeHtml(r.name)}</a></th>` +
        `<td class="field-sku">${escapeHtml(r.sku)}</td><td class="field-price">${escapeHtml(r.price)}</td>` +
        `<td class="field-stock">${r.stock}</td><td class="field-category nowrap">${escapeHtml(r.categoryName)}</td></tr>`,
    )
    .join('\n');
  const sidebar = categories
    .map(
      (c) =>
        `<li${c.id === p.category ? ' class="selected"' : ''}><a href="${link(p, { category: String(c.id), p: undefined })}">${escapeHtml(c.name)}</a></li>`,
    )
    .join('\n');
  const plural = total === 1 ? 'product' : 'products';
  return `<!DOCTYPE html>
<html lang="en-us" dir="ltr">
<head>
<title>Select product to change | Site admin</title>
<link rel="stylesheet" href="/static/admin/css/base.css">
<link rel="stylesheet" href="/static/admin/css/changelists.css">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
</head>
<body class="app-shop model-product change-list">
<div id="header"><div id="branding"><h1 id="site-name"><a href="/admin/">Site administration</a></h1></div>
<div id="user-tools">Welcome, <strong>admin</strong>. <a href="/admin/password_change/">Change password</a> / <a href="/admin/logout/">Log out</a></div></div>
<div class="breadcrumbs"><a href="/admin/">Home</a> › <a href="/admin/shop/">Shop</a> › Products</div>
<div id="content" class="flex"><h1>Select product to change</h1>
<div id="content-main">
<ul class="object-tools"><li><a href="${BASE}add/${changeQuery}" class="addlink">Add product</a></li></ul>
<div class="module filtered" id="changelist"><div class="changelist-form-container">
<div id="toolbar"><form id="changelist-search" method="get"><div>
<label for="searchbar">Search</label>
<input type="text" size="40" name="q" value="${escapeHtml(p.q)}" id="searchbar" autofocus>
<input type="submit" value="Search">
<span class="small quiet">${total} result${total === 1 ? '' : 's'} (<a href="?">Show all</a>)</span>
${p.category === undefined ? '' : `<input type="hidden" name="category__id__exact" value="${p.category}">`}
${p.ordered ? `<input type="hidden" name="o" value="${p.desc ? '-' : ''}${p.column}">` : ''}
</div></form></div>
<form id="changelist-form" method="post" novalidate>
<div class="actions"><label>Action: <select name="action" required><option value="" selected>---------</option><option value="delete_selected">Delete selected products</option></select></label>
<button type="submit" class="button" title="Run the selected action" name="index" value="0">Go</button>
<span class="action-counter">0 of ${rows.length} selected</span></div>
<div class="results"><table id="result_list">
<thead><tr><th scope="col" class="action-checkbox-column"><div class="text"><span><input type="checkbox" id="action-toggle"></span></div></th>${HEADERS.map((_, i) => header(p, i)).join('')}</tr></thead>
<tbody>
${body}
</tbody></table></div>
<p class="paginator">${pages(p, total)}
${total} ${plural}</p>
</form></div>
<div id="changelist-filter"><h2>Filter</h2>
<h3>By category</h3><ul>
<li${p.category === undefined ? ' class="selected"' : ''}><a href="${link(p, { category: undefined, p: undefined })}" title="All">All</a></li>
${sidebar}
</ul></div>
</div></div></div>
</body>
</html>
`;
}

/** The session id of the `sessionid` cookie, or undefined. */
function sessionId(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === 'sessionid') return part.slice(eq + 1).trim();
  }
  return undefined;
}

type Query = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.at(-1) : v);

const app = Fastify({ logger: false });

app.get<{ Querystring: Query }>(BASE, async (request, reply) => {
  let statements = 0;
  const key = sessionId(request.headers.cookie);
  statements += key === undefined ? 0 : 1;
  const user = key === undefined ? undefined : session.get(key, Date.now());
  if (!user) return reply.redirect(`/admin/login/?next=${encodeURIComponent(request.url)}`, 302);
  const query = request.query;
  const category = one(query.category__id__exact);
  const page = one(query.p) ?? '1';
  const order = ORDER.exec(one(query.o) ?? '');
  const q = (one(query.q) ?? '').trim();
  if ((category !== undefined && !DIGITS.test(category)) || !DIGITS.test(page))
    return reply.code(400).type('text/plain').send('Bad request');
  const terms = q === '' ? [] : q.split(/\s+/);
  if (terms.length > MAX_TERMS) return reply.code(400).type('text/plain').send('Too many search terms');
  const p: Params = {
    category: category === undefined ? undefined : Number(category),
    q,
    column: order ? Number(order[2]) : 3,
    desc: order ? order[1] === '-' : true,
    ordered: order !== null,
    page: Number(page),
  };
  const params: Array<number | string> = [];
  if (p.category !== undefined) params.push(p.category);
  for (const term of terms) {
    const like = `%${term.replace(/[\\%_]/g, '\\$&')}%`;
    params.push(like, like);
  }
  const total = (
    countStatements.get(`${p.category !== undefined}${terms.length}`)!.get(...params) as { n: number }
  ).n;
  statements += 1;
  if ((p.page - 1) * PER_PAGE >= Math.max(total, 1)) return reply.redirect(`${BASE}?e=1`, 302);
  const rows = rowStatements
    .get(`${p.category !== undefined}${terms.length}${p.column}${p.desc}`)!
    .all(...params, PER_PAGE, (p.page - 1) * PER_PAGE) as unknown as Row[];
  const categories = categoriesStatement.all() as unknown as Array<{ id: number; name: string }>;
  statements += 2;
  if (COUNT_SQL) reply.header('x-sql-statements', String(statements));
  return reply.type('text/html; charset=utf-8').send(render(p, rows, total, categories));
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3001) });

process.once('SIGTERM', () => {
  app.close().then(() => {
    db.close();
    process.exit(0);
  });
});
