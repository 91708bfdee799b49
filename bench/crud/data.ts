/**
 * The data of the REST resource benchmark, made the same on every run: 100 categories and
 * 10,000 products from a seeded generator, with ties placed where a list page must break them
 * (on the first page, across the 50/51 and 100/101 boundaries) and prices on the filter's
 * boundary (10.00 and 9.99). The same rows go to Volt's SQLite file (read by the Volt servers
 * and, as a copy, by fastify-raw) and to Django's (made by Django, seeded by drf_app.py), and
 * {@link expectedPage} computes what a page must hold from these rows, without any server.
 */

/** A category as the API answers it. */
export interface CategoryRow {
  id: number;
  name: string;
}

/** A product as the API answers it (without the expanded `category`). */
export interface ProductRow {
  id: number;
  name: string;
  sku: string;
  /** Exactly two places: `'499.95'`. */
  price: string;
  stock: number;
  categoryId: number;
  /** ISO 8601 UTC with milliseconds and `Z`. */
  created: string;
}

/** The whole data set. */
export interface Dataset {
  categories: CategoryRow[];
  products: ProductRow[];
}

export const CATEGORIES = 100;
export const PRODUCTS = 10_000;

/** A small deterministic generator (the ORM benchmark's): `next(n)` is in 0..n-1. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % n;
  };
}

const WORDS = ['Steel', 'Oak', 'Blue', 'Compact', 'Deluxe', 'Garden', 'Travel', 'Smart', 'Quiet', 'Solar'];
const THINGS = ['Lamp', 'Chair', 'Kettle', 'Drill', 'Backpack', 'Speaker', 'Mug', 'Tent', 'Clock', 'Fan'];

/** Cents as the two-place decimal text every API answers: 50 → `'0.50'`. */
export const priceText = (cents: number): string =>
  `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** A row as the orderings compare it. */
interface Keyed {
  cents: number;
  id: number;
}

/**
 * The order of `ordering=-price` (`descending`) or `ordering=price`: by price, then by id
 * ascending either way — the primary key last and ascending, as Volt's resource breaks ties
 * (the other servers do the same).
 */
export const byPrice =
  (descending: boolean) =>
  (a: Keyed, b: Keyed): number =>
    (descending ? b.cents - a.cents : a.cents - b.cents) || a.id - b.id;

/** Builds the data set (deterministic: the same rows on every call). */
export function makeDataset(seed = 20261206): Dataset {
  const next = rng(seed);
  const categories: CategoryRow[] = Array.from({ length: CATEGORIES }, (_, i) => ({
    id: i + 1,
    name: `${WORDS[i % 10]} ${THINGS[Math.floor(i / 10)]}s`,
  }));
  // Text a serializer must escape: quotes, a backslash, an ampersand, non-ASCII, an emoji.
  categories[6]!.name = 'Kitchen & "Bath" \\ Küche — 厨房 🍳';
  const base = Date.UTC(2025, 0, 1);
  const raw = Array.from({ length: PRODUCTS }, (_, i) => {
    const id = i + 1;
    return {
      id,
      cents: 50 + next(49_951), // 0.50 … 500.00
      name: `${WORDS[next(10)]} ${THINGS[next(10)]} ${id}`,
      stock: next(1000),
      categoryId: 1 + next(CATEGORIES),
      // About an hour apart, each at its own millisecond.
      created: base + i * 3_600_000 + next(3_600_000),
    };
  });
  raw[16]!.name = 'The "Ünïcode" <Lamp> & Co.\ttab';
  // The maximum, three times: the first rows of the page are a tie broken by id.
  for (const id of [17, 5000, 9999]) raw[id - 1]!.cents = 50_000;
  // The filter's boundary, for the ascending check: 10.00 is in, 9.99 is out.
  for (const id of [42, 4242]) raw[id - 1]!.cents = 1000;
  for (const id of [43, 4243]) raw[id - 1]!.cents = 999;
  // A tie across each page boundary: the rows at positions 48–55 and 98–105 of the descending
  // order get one price, so the cursor must carry the id as well as the price.
  for (const start of [47, 97]) {
    const sorted = [...raw].sort(byPrice(true));
    const price = sorted[start]!.cents;
    for (const row of sorted.slice(start, start + 8)) row.cents = price;
  }
  const products: ProductRow[] = raw.map((r) => ({
    id: r.id,
    name: r.name,
    sku: `SKU-${String(r.id).padStart(6, '0')}`,
    price: priceText(r.cents),
    stock: r.stock,
    categoryId: r.categoryId,
    created: new Date(r.created).toISOString(),
  }));
  return { categories, products };
}

/** A request of the list endpoint, as the benchmark and the verifier send it. */
export interface PageQuery {
  /** Decimal text; rows with a price ≥ it. */
  priceGte?: string;
  /** `'price'` or `'-price'`; the id, ascending, breaks ties. */
  ordering?: 'price' | '-price';
  /** Whether each row carries its `category`. */
  expand?: boolean;
  limit?: number;
}

/** The query string of a request (without a cursor), in the order the benchmark sends it. */
export function queryString(q: PageQuery): string {
  const parts: string[] = [];
  if (q.priceGte !== undefined) parts.push(`price__gte=${q.priceGte}`);
  if (q.ordering !== undefined) parts.push(`ordering=${q.ordering}`);
  if (q.expand) parts.push('expand=category');
  if (q.limit !== undefined) parts.push(`limit=${q.limit}`);
  return parts.join('&');
}

/** The request the benchmark loads. */
export const BENCH_QUERY: PageQuery = { priceGte: '10', ordering: '-price', expand: true, limit: 50 };
export const BENCH_PATH = `/api/products?${queryString(BENCH_QUERY)}`;

const cents = (price: string): number => {
  const [whole, fraction = ''] = price.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
};

/**
 * The rows pages `page` (0 for the first) of `q` must hold, in order, each with its category
 * when `q.expand`, and whether a page follows.
 */
export function expectedPage(
  data: Dataset,
  q: PageQuery,
  page: number,
): { rows: Array<ProductRow & { category?: CategoryRow }>; more: boolean } {
  const limit = q.limit ?? 50;
  const min = q.priceGte === undefined ? Number.NEGATIVE_INFINITY : cents(q.priceGte);
  const byId = new Map(data.categories.map((c) => [c.id, c]));
  const rows = data.products
    .filter((p) => cents(p.price) >= min)
    .map((p) => ({ p, cents: cents(p.price), id: p.id }))
    .sort(byPrice(q.ordering !== 'price'));
  const slice = rows.slice(page * limit, (page + 1) * limit);
  return {
    rows: slice.map(({ p }) => (q.expand ? { ...p, category: { ...byId.get(p.categoryId)! } } : { ...p })),
    more: rows.length > (page + 1) * limit,
  };
}
