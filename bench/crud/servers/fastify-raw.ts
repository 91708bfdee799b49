/**
 * The list page written by hand on bare Fastify 5 and `node:sqlite`, as a careful Fastify user
 * would: the four query parameters (and the cursor) parsed and checked by hand (a 422 for a
 * bad one), one prepared statement per shape of request, all made at startup (one SQL with a
 * JOIN to the category, `LIMIT n + 1` to know whether a page follows), and the answer
 * serialized by fast-json-stringify from a response schema. Logger off.
 *
 * It reads Volt's table as Volt stores it (bench/crud/models.ts): the price is two-place
 * decimal text, compared and ordered as a number (`cast(price as real)`, as Volt does on
 * SQLite), and `created` is ISO 8601 text, answered as it is.
 *
 * Usage: `CRUD_DB=/tmp/…/raw.db PORT=3001 node bench/crud/servers/fastify-raw.ts`
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import Fastify from 'fastify';
import { productsSql } from './raw-sql.ts';

const db = new DatabaseSync(process.env.CRUD_DB ?? '', { readOnly: true });

/** Statements by shape (ordering, expanded, filtered, after a cursor), all prepared now. */
const statements = new Map<string, StatementSync>();
for (const desc of [true, false])
  for (const expand of [true, false])
    for (const filtered of [true, false])
      for (const after of [true, false])
        statements.set(
          `${desc}${expand}${filtered}${after}`,
          db.prepare(productsSql(desc, expand, filtered, after)),
        );

interface Row {
  id: number;
  name: string;
  sku: string;
  price: string;
  stock: number;
  categoryId: number;
  created: string;
  categoryName?: string;
}

const DECIMAL = /^\d{1,8}(?:\.\d{1,2})?$/;
const LIMIT = /^[1-9]\d{0,2}$/;

type Query = { price__gte?: string; ordering?: string; expand?: string; limit?: string; cursor?: string };

const app = Fastify({ logger: false });

const category = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' } },
  required: ['id', 'name'],
} as const;
const product = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    sku: { type: 'string' },
    price: { type: 'string' },
    stock: { type: 'integer' },
    categoryId: { type: 'integer' },
    created: { type: 'string' },
    category,
  },
  required: ['id', 'name', 'sku', 'price', 'stock', 'categoryId', 'created'],
} as const;
const page = {
  type: 'object',
  properties: {
    next: { type: ['string', 'null'] },
    previous: { type: 'null' },
    results: { type: 'array', items: product },
  },
  required: ['next', 'previous', 'results'],
} as const;

/** An answer for a bad parameter: 422, application/problem+json. */
function invalid(reply: import('fastify').FastifyReply, name: string, msg: string) {
  return reply
    .code(422)
    .type('application/problem+json')
    .send({ status: 422, detail: 'Invalid query parameters.', errors: [{ loc: ['query', name], msg }] });
}

app.get<{ Querystring: Query }>(
  '/api/products',
  { schema: { response: { 200: page } } },
  async (request, reply) => {
    const q = request.query;
    const min = q.price__gte;
    if (min !== undefined && !DECIMAL.test(min)) return invalid(reply, 'price__gte', 'Not a decimal');
    const ordering = q.ordering ?? '-price';
    if (ordering !== 'price' && ordering !== '-price')
      return invalid(reply, 'ordering', "Should be 'price' or '-price'");
    if (q.expand !== undefined && q.expand !== 'category')
      return invalid(reply, 'expand', "Should be 'category'");
    const limit = q.limit === undefined ? 50 : LIMIT.test(q.limit) ? Number(q.limit) : 0;
    if (limit < 1 || limit > 100) return invalid(reply, 'limit', 'An integer from 1 to 100');
    let after: [string, number] | undefined;
    if (q.cursor !== undefined) {
      try {
        const value = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8'));
        if (Array.isArray(value) && DECIMAL.test(value[0]) && Number.isSafeInteger(value[1]))
          after = value as [string, number];
      } catch {}
      if (!after) return invalid(reply, 'cursor', 'Not a cursor of this list');
    }
    const desc = ordering === '-price';
    const expand = q.expand === 'category';
    const params: Array<number> = [];
    if (min !== undefined) params.push(Number(min));
    if (after) params.push(Number(after[0]), Number(after[0]), after[1]);
    params.push(limit + 1);
    const rows = statements
      .get(`${desc}${expand}${min !== undefined}${after !== undefined}`)!
      .all(...params) as unknown as Row[];
    let next: string | null = null;
    if (rows.length > limit) {
      rows.pop();
      const last = rows[rows.length - 1]!;
      const cursor = Buffer.from(JSON.stringify([last.price, last.id])).toString('base64url');
      next =
        `http://${request.host}/api/products?cursor=${cursor}` +
        (min !== undefined ? `&price__gte=${min}` : '') +
        `&ordering=${ordering}${expand ? '&expand=category' : ''}&limit=${limit}`;
    }
    if (expand)
      for (const row of rows) {
        (row as Row & { category: object }).category = { id: row.categoryId, name: row.categoryName! };
      }
    return { next, previous: null, results: rows };
  },
);

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3001) });

process.once('SIGTERM', () => {
  app.close().then(() => {
    db.close();
    process.exit(0);
  });
});
