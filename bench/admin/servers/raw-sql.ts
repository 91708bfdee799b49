/**
 * fastify-raw's SQL and HTML escaping, by hand (bench/admin/servers/fastify-raw.ts), on the
 * tables of bench/admin/setup.ts: Volt's `crud_category` and `crud_product` (bench/crud), plus
 * `admin_user` and `admin_session`.
 */

/** The search terms a request may have (a statement is prepared for each count). */
export const MAX_TERMS = 4;

/** The SQL of each sortable column, 1–5 as Django's admin numbers them (`o=-3`: price, descending). */
export const ORDER_COLUMNS = ['', 'p.name', 'p.sku', 'cast(p.price as real)', 'p.stock', 'p.category_id'];

/** The logged-in staff user of a session id, if the session has not expired: `(key, now ms)`. */
export const SESSION_SQL =
  'select u.id, u.username from admin_session s join admin_user u on u.id = s.user_id' +
  ' where s.key = ? and s.expires > ? and u.is_staff = 1 and u.is_active = 1';

/**
 * The page's rows (or, with `count`, the filtered total) for a shape of request. Parameters, in
 * order: the category id when `filtered`; each term's `%…%` pattern twice (name, sku); then
 * the limit and offset for the rows. Every term must match the name or the SKU, as Django's
 * admin search does (case-insensitive for ASCII, as SQLite's LIKE is). The primary key,
 * descending, breaks ties (Django's admin appends `-pk` to make the order total).
 */
export function productsSql(shape: {
  filtered: boolean;
  terms: number;
  count?: boolean;
  column?: number;
  desc?: boolean;
}): string {
  const where = [
    ...(shape.filtered ? ['p.category_id = ?'] : []),
    ...Array.from({ length: shape.terms }, () => "(p.name like ? escape '\\' or p.sku like ? escape '\\')"),
  ];
  const filter = where.length > 0 ? ` where ${where.join(' and ')}` : '';
  if (shape.count) return `select count(*) as n from crud_product p${filter}`;
  const dir = shape.desc ? 'desc' : 'asc';
  return (
    'select p.id, p.name, p.sku, p.price, p.stock, c.name as categoryName' +
    ' from crud_product p join crud_category c on c.id = p.category_id' +
    `${filter} order by ${ORDER_COLUMNS[shape.column ?? 3]} ${dir}, p.id desc limit ? offset ?`
  );
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
};

/** Text made safe for HTML, in an element or a quoted attribute (as Django's `escape`). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
