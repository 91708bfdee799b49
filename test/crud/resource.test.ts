/**
 * Model resources end to end, on SQLite and PostgreSQL: listing (filters, search, ordering,
 * fields, expand, cursor and page pagination), the writes with their errors, permissions by
 * method, the policy's scope and rules, ETags, and the statements a list page costs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resource } from 'voltjs/crud';
import { createTables, f, model, query } from 'voltjs/orm';
import { countQueries } from 'voltjs/testing';
import { forEachDialect } from '../orm/support.ts';
import { Category, Order, Product, shop, stock, Tag } from './shop.ts';

type Page<T = Record<string, any>> = {
  next: string | null;
  previous: string | null;
  count?: number;
  results: T[];
};
type Problem = {
  status: number;
  code: string;
  detail?: string;
  errors?: { loc: unknown[]; msg: string; type: string }[];
};

/** A note on an order: a foreign key into a scoped model. */
const Note = model('shop.Note', {
  order: f.foreignKey(() => Order, { onDelete: 'cascade', relatedName: 'notes' }),
  text: f.string({ maxLength: 50 }),
});

/** The path and query of a link (the test client takes no origin). */
function local(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

forEachDialect((dialect, open) => {
  async function setup(t: import('node:test').TestContext, count = 30) {
    const db = await open();
    t.after(() => db.close());
    const app = await shop(t, db);
    const data = await stock(db, count);
    return { db, ...app, ...data };
  }

  test(`${dialect}: a cursor list walks every row once, forwards and back, and a row added meanwhile is not repeated`, async (t) => {
    const { api, clerk, db, tools } = await setup(t, 23);
    const seen: number[] = [];
    let link: string | null = '/api/products?limit=5&ordering=-price';
    const pages: Page[] = [];
    while (link) {
      const res: { status: number; text: string; json(): Page } = await api.get<Page>(link, {
        headers: clerk.headers,
      });
      assert.equal(res.status, 200, res.text);
      const page: Page = res.json();
      pages.push(page);
      seen.push(...page.results.map((r: Record<string, any>) => r.id as number));
      if (pages.length === 2)
        // A row that sorts before the current position: the walk does not see it again or shift.
        await query(db, Product).create({
          name: 'Late',
          sku: 'LATE',
          price: '99.00',
          categoryId: tools.id,
        } as never);
      link = page.next ? local(page.next) : null;
    }
    assert.equal(seen.length, 23);
    assert.equal(new Set(seen).size, 23);
    assert.equal(pages[0]!.previous, null);
    // Prices descend, ids ascend among equal prices.
    const all = await query(db, Product).exclude({ sku: 'LATE' }).orderBy('-price', 'id').values('id');
    assert.deepEqual(
      seen,
      all.map((r) => r.id),
    );
    // Back from the last page: the same pages in reverse.
    let back = pages.at(-1)!.previous;
    const reversed: number[][] = [];
    while (back) {
      const page = (await api.get<Page>(local(back), { headers: clerk.headers })).json();
      reversed.push(page.results.map((r) => r.id));
      back = page.previous;
    }
    // The row added before the walk's position is there going back: a page of its own first.
    const late = await query(db, Product).get({ sku: 'LATE' });
    assert.deepEqual(reversed.reverse(), [
      [late.id],
      ...pages.slice(0, -1).map((p) => p.results.map((r) => r.id)),
    ]);
  });

  test(`${dialect}: a cursor list ordered by a nullable field keeps NULLs last ascending and first descending`, async (t) => {
    const { api, clerk, db } = await setup(t, 17);
    for (const order of ['discontinued', '-discontinued']) {
      const ids: number[] = [];
      let link: string | null = `/api/products?limit=4&ordering=${order}`;
      while (link) {
        const page: Page = (await api.get<Page>(link, { headers: clerk.headers })).json();
        ids.push(...page.results.map((r) => r.id));
        link = page.next ? local(page.next) : null;
      }
      const expected = await query(db, Product)
        .orderBy(order as never, 'id')
        .values('id');
      assert.deepEqual(
        ids,
        expected.map((r) => r.id),
        order,
      );
    }
  });

  test(`${dialect}: a cursor list ordered by a datetime (with ties) and a decimal walks every row once`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { api, clerk } = await shop(t, db, { products: { ordering: ['created', 'price'] } });
    await stock(db, 13);
    for (const order of ['-created', 'created', '-price,created']) {
      const ids: number[] = [];
      let link: string | null = `/api/products?limit=3&ordering=${order}`;
      while (link) {
        const res: { status: number; text: string; json(): Page } = await api.get<Page>(link, {
          headers: clerk.headers,
        });
        assert.equal(res.status, 200, `${order}: ${res.text}`);
        const page: Page = res.json();
        ids.push(...page.results.map((r: Record<string, any>) => r.id as number));
        link = page.next ? local(page.next) : null;
      }
      const expected = await query(db, Product)
        .orderBy(...(order.split(',') as never[]), 'id')
        .values('id');
      assert.deepEqual(
        ids,
        expected.map((r) => r.id),
        order,
      );
    }
  });

  test(`${dialect}: declared filters with lookups, across relations, and search`, async (t) => {
    const { api, clerk, tools, lamps, db, products, red, blue } = await setup(t, 30);
    const ids = async (q: string) => {
      const res = await api.get<Page>(`/api/products?limit=100&ordering=stock&${q}`, {
        headers: clerk.headers,
      });
      assert.equal(res.status, 200, `${q}: ${res.text}`);
      return res.json().results.map((r) => r.stock as number);
    };
    const odd = Array.from({ length: 15 }, (_, i) => 2 * i + 1);
    assert.deepEqual(await ids(`category=${tools.id}`), odd);
    assert.deepEqual(
      await ids(`category__in=${tools.id},${lamps.id}`),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.deepEqual(await ids('category__slug=tools'), odd);
    assert.deepEqual(await ids('price__gte=10'), [9, 19, 29]);
    assert.deepEqual(await ids('price__range=9,10'), [8, 18, 28]);
    assert.deepEqual(await ids('price__lte=1.5'), [10, 20, 30]);
    assert.deepEqual(await ids('discontinued__isNull=false'), [5, 10, 15, 20, 25, 30]);
    assert.deepEqual(await ids('discontinued__gte=2025-01-07'), [15, 25]);
    assert.deepEqual((await ids(`created__year=${new Date().getUTCFullYear()}`)).length, 30);
    assert.deepEqual(await ids('name__icontains=LAMP%2002'), [20, 22, 24, 26, 28]);
    // Across a many-to-many: each product once, also when several of its tags match.
    assert.deepEqual(await ids('tags__name=blue'), [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    await query(db, Product).related(products[0]!, 'tags', Tag).add(red, blue);
    const both = await api.get<Page>('/api/products?limit=100&count=true&tags__name__in=red,blue', {
      headers: clerk.headers,
    });
    assert.equal(both.json().results.length, 30);
    assert.equal(both.json().count, 30);
    // Search: every word, each in one of the fields (a relation's too).
    assert.deepEqual(await ids('search=hammer%2000'), [1, 3, 5, 7, 9]);
    assert.deepEqual(await ids('search=lamps%20%2202%22'), [2, 20, 22, 24, 26, 28]);
    assert.deepEqual(await ids('search=tools&category=' + lamps.id), []);
    const counted = await api.get<Page>('/api/products?count=true&limit=2&category=' + tools.id, {
      headers: clerk.headers,
    });
    assert.equal(counted.json().count, 15);
    assert.equal(counted.json().results.length, 2);
  });

  test(`${dialect}: every bad list parameter is a 422 naming it, never a 500`, async (t) => {
    const { api, clerk } = await setup(t, 3);
    const cases: Array<[string, string]> = [
      ['nope=1', 'nope'],
      ['stock=3', 'stock'], // not a declared filter
      ['ordering=secret', 'ordering'],
      ['ordering=created', 'ordering'], // a field, but not one the resource orders by
      ['ordering=', 'ordering'],
      ['limit=-1', 'limit'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1e309', 'limit'],
      ['price__gte=1e309', 'price__gte'],
      ['price__gte=abc', 'price__gte'],
      ['category=abc', 'category'],
      ['category=1.5', 'category'],
      ['category=99999999999999999999', 'category'],
      ['category__in=1,,2', 'category__in'],
      ['category__in=1,x', 'category__in'],
      [`category__in=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`, 'category__in'],
      ['price__range=1', 'price__range'],
      ['price__range=1,2,3', 'price__range'],
      ['discontinued__gte=2025-02-30', 'discontinued__gte'],
      ['discontinued__isNull=maybe', 'discontinued__isNull'],
      ['created__year=0', 'created__year'],
      ['cursor=abc', 'cursor'],
      ['cursor=' + Buffer.from('{"o":"name,id","v":[1,2]}').toString('base64url'), 'cursor'],
      ['cursor=' + Buffer.from('{"o":"-price,id","v":["1.00",1]}').toString('base64url'), 'cursor'],
      ['cursor=%E2%9C%93', 'cursor'],
      ['fields=id,password', 'fields'],
      ['expand=owner', 'expand'],
      ['search=' + 'w%20'.repeat(11), 'search'],
      ['count=perhaps', 'count'],
      ['limit=2&limit=3', 'limit'],
    ];
    for (const [q, name] of cases) {
      const res = await api.get<Problem>(`/api/products?${q}`, { headers: clerk.headers });
      assert.equal(res.status, 422, `${q}: ${res.text}`);
      const problem = res.json();
      assert.equal(problem.code, 'VOLT_HTTP_VALIDATION', q);
      assert.ok(
        problem.errors?.some((e) => e.loc[0] === 'query' && e.loc[1] === name),
        `${q}: ${JSON.stringify(problem.errors)}`,
      );
    }
  });

  test(`${dialect}: a misspelt filter is answered with the declared name it is closest to`, async (t) => {
    const { api, clerk } = await setup(t, 1);
    const res = await api.get<Problem>('/api/products?discontinued__isnull=true', { headers: clerk.headers });
    assert.equal(res.status, 422);
    assert.match(res.json().errors![0]!.msg, /did you mean 'discontinued__isNull'\?/);
    const decimal = await api.get<Problem>('/api/products?price__gte=ten', { headers: clerk.headers });
    assert.match(decimal.json().errors![0]!.msg, /a decimal number written as a string, such as "19\.90"/);
  });

  test(`${dialect}: ?fields= narrows the rows, ?expand= loads relations in a constant number of statements`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const counter = countQueries(db);
    const { api, clerk } = await shop(t, counter.db);
    await stock(db, 40);
    const narrowed = await api.get<Page>('/api/products?fields=id,price&limit=2', { headers: clerk.headers });
    assert.deepEqual(Object.keys(narrowed.json().results[0]!), ['id', 'price']);
    const unnarrowed = await api.get<Page>('/api/products?fields=&limit=1', { headers: clerk.headers });
    assert.ok(Object.keys(unnarrowed.json().results[0]!).length > 5);
    assert.match(String(narrowed.headers['content-type']), /^application\/json/);
    const statements = async (limit: number) => {
      // The user's permissions are read once per request: ask once to load the token and perms.
      counter.reset();
      const res = await api.get<Page>(
        `/api/products?expand=category,tags&limit=${limit}&category__slug=tools`,
        {
          headers: clerk.headers,
        },
      );
      assert.equal(res.status, 200, res.text);
      const page = res.json();
      assert.equal(page.results.length, limit);
      assert.equal(page.results[0]!.category.slug, 'tools');
      assert.ok(Array.isArray(page.results[0]!.tags));
      return counter.count;
    };
    const few = await statements(2);
    const many = await statements(20);
    assert.equal(few, many, 'the statements of a page do not grow with its size');
    const one = await api.get(`/api/products/1?expand=category&fields=name`, { headers: clerk.headers });
    assert.deepEqual(one.json(), { name: 'Hammer 001', category: { id: 1, name: 'Tools', slug: 'tools' } });
  });

  test(`${dialect}: writes: create with Location, replace, update, delete; their errors change nothing`, async (t) => {
    const { api, clerk, db, tools } = await setup(t, 2);
    const before = await query(db, Product).count();
    const created = await api.post('/api/products', {
      headers: clerk.headers,
      json: { name: 'Saw', sku: 'SAW-1', price: '12.00', categoryId: tools.id },
    });
    assert.equal(created.status, 201, created.text);
    const saw = created.json<Record<string, any>>();
    assert.equal(created.headers.location, `/api/products/${saw.id}`);
    assert.equal(saw.stock, 0);
    assert.match(String(created.headers.etag), /^"[\w-]{27}"$/);

    const refused: Array<[Record<string, unknown>, number, string]> = [
      [{ name: 'X', sku: 'SAW-1', price: '1.00', categoryId: tools.id }, 409, 'sku'],
      [{ name: 'X', sku: 'X-1', price: '1.00', categoryId: 999 }, 422, 'categoryId'],
      [{ name: 'X', sku: 'X-2', price: '-1.00', categoryId: tools.id }, 422, 'price'],
      [{ name: 'X', sku: 'X-3', price: '1.00', categoryId: tools.id, id: 500 }, 422, 'id'],
      [
        { name: 'X', sku: 'X-4', price: '1.00', categoryId: tools.id, created: '2020-01-01T00:00:00Z' },
        422,
        'created',
      ],
      [{ sku: 'X-6', price: '1.00', categoryId: tools.id }, 422, 'name'],
      [{ name: 'X', sku: 'X-7', price: null, categoryId: tools.id }, 422, 'price'],
      [{ name: 'X', sku: 'X-8', price: 3, categoryId: tools.id }, 422, 'price'],
    ];
    for (const [json, status, field] of refused) {
      const res = await api.post<Problem>('/api/products', { headers: clerk.headers, json });
      assert.equal(res.status, status, `${JSON.stringify(json)}: ${res.text}`);
      assert.ok(
        res.json().errors?.some((e) => e.loc.includes(field)),
        `${field}: ${res.text}`,
      );
    }
    // A number past a double's range, and a prototype key: refused whole, before any write.
    for (const body of [
      `{"name":"X","sku":"X-9","price":"1.00","categoryId":${tools.id},"stock":1e309}`,
      `{"name":"X","sku":"X-10","price":"1.00","categoryId":${tools.id},"__proto__":{"isSuperuser":true}}`,
    ]) {
      const res = await api.post('/api/products', {
        headers: { ...clerk.headers, 'content-type': 'application/json' },
        body,
      });
      assert.ok(res.status === 400 || res.status === 422, `${body}: ${res.status} ${res.text}`);
    }
    assert.equal(await query(db, Product).count(), before + 1);

    const url = `/api/products/${saw.id}`;
    const put = await api.put(url, {
      headers: clerk.headers,
      json: { name: 'Saw II', sku: 'SAW-1', price: '13.00', categoryId: tools.id },
    });
    assert.equal(put.status, 200, put.text);
    const partial = await api.put<Problem>(url, { headers: clerk.headers, json: { name: 'Saw III' } });
    assert.equal(partial.status, 422);
    const patched = await api.patch(url, { headers: clerk.headers, json: { stock: 4 } });
    assert.equal(patched.json<Record<string, any>>().stock, 4);
    assert.equal(patched.json<Record<string, any>>().name, 'Saw II');
    const missing = await api.patch('/api/products/99999', { headers: clerk.headers, json: { stock: 1 } });
    assert.equal(missing.status, 404);
    const badKey = await api.patch('/api/products/abc', { headers: clerk.headers, json: { stock: 1 } });
    assert.equal(badKey.status, 422);
    const deleted = await api.delete(url, { headers: clerk.headers });
    assert.equal(deleted.status, 204);
    assert.equal(await query(db, Product).filter({ id: saw.id }).exists(), false);
    // A category still holding products: protected (409), kept.
    const protectedDelete = await api.delete(`/api/categories/tools`, { headers: clerk.headers });
    assert.equal(protectedDelete.status, 403); // the clerk may not delete categories
  });

  test(`${dialect}: ETags: If-None-Match answers 304, a stale If-Match is a 412 and writes nothing`, async (t) => {
    const { api, clerk, db, products } = await setup(t, 2);
    const url = `/api/products/${products[0]!.id}`;
    const read = await api.get(url, { headers: clerk.headers });
    const etag = String(read.headers.etag);
    assert.equal((await api.get(url, { headers: { ...clerk.headers, 'if-none-match': etag } })).status, 304);
    assert.equal(
      (await api.get(url, { headers: { ...clerk.headers, 'if-none-match': `W/${etag}` } })).status,
      304,
    );
    // With relations, the tag is a weak one of what was sent: a renamed category or a new tag is a
    // new representation (no stale 304); If-Match, which compares strongly, refuses it.
    const expanded = `${url}?expand=category,tags`;
    const weak = String((await api.get(expanded, { headers: clerk.headers })).headers.etag);
    assert.match(weak, /^W\/"/);
    assert.equal(
      (await api.get(expanded, { headers: { ...clerk.headers, 'if-none-match': weak } })).status,
      304,
    );
    await query(db, Category).filter({ id: products[0]!.categoryId }).update({ name: 'Renamed' });
    assert.equal(
      (await api.get(expanded, { headers: { ...clerk.headers, 'if-none-match': weak } })).status,
      200,
    );
    const weakWrite = await api.patch(url, {
      headers: { ...clerk.headers, 'if-match': weak },
      json: { stock: 1 },
    });
    assert.equal(weakWrite.status, 412);
    // The row's own tag is not changed by a related row's change.
    assert.equal((await api.get(url, { headers: clerk.headers })).headers.etag, etag);
    const first = await api.patch(url, {
      headers: { ...clerk.headers, 'if-match': etag },
      json: { stock: 50 },
    });
    assert.equal(first.status, 200, first.text);
    assert.notEqual(first.headers.etag, etag);
    const stale = await api.patch<Problem>(url, {
      headers: { ...clerk.headers, 'if-match': etag },
      json: { stock: 60 },
    });
    assert.equal(stale.status, 412);
    assert.equal(stale.json().code, 'VOLT_CRUD_PRECONDITION_FAILED');
    const staleDelete = await api.delete(url, { headers: { ...clerk.headers, 'if-match': etag } });
    assert.equal(staleDelete.status, 412);
    const row = await query(db, Product).get({ id: products[0]!.id });
    assert.equal(row.stock, 50);
  });

  test(`${dialect}: permissions by method: 401 without a login, 403 without the permission`, async (t) => {
    const { api, clerk, viewer, admin, tools } = await setup(t, 2);
    assert.equal((await api.get('/api/products')).status, 401);
    assert.equal((await api.get('/api/products', { headers: viewer.headers })).status, 200);
    assert.equal((await api.get('/api/products/1', { headers: viewer.headers })).status, 200);
    const body = { name: 'X', sku: 'X', price: '1.00', categoryId: tools.id };
    assert.equal((await api.post('/api/products', { headers: viewer.headers, json: body })).status, 403);
    assert.equal(
      (await api.patch('/api/products/1', { headers: viewer.headers, json: { stock: 3 } })).status,
      403,
    );
    assert.equal((await api.delete('/api/products/1', { headers: viewer.headers })).status, 403);
    assert.equal((await api.post('/api/products', { json: body })).status, 401);
    assert.equal((await api.post('/api/products', { headers: admin.headers, json: body })).status, 201);
    // read-public: anyone reads, writing needs the permission.
    assert.equal((await api.get('/api/categories')).status, 200);
    assert.equal((await api.get('/api/categories/tools')).status, 200);
    assert.equal((await api.post('/api/categories', { json: { name: 'N', slug: 'n' } })).status, 401);
    assert.equal(
      (await api.post('/api/categories', { headers: clerk.headers, json: { name: 'N', slug: 'n' } })).status,
      201,
    );
  });

  test(`${dialect}: the policy's scope holds in SQL: no listing, reading, changing or deleting another user's rows`, async (t) => {
    const { api, clerk, viewer, admin, db, products } = await setup(t, 2);
    const mine = await api.post<Record<string, any>>('/api/orders', {
      headers: viewer.headers,
      json: { ownerId: viewer.row.id, productId: products[0]!.id, quantity: 2 },
    });
    assert.equal(mine.status, 201, mine.text);
    const theirs = await api.post<Record<string, any>>('/api/orders', {
      headers: clerk.headers,
      json: { ownerId: clerk.row.id, productId: products[1]!.id, quantity: 1 },
    });
    assert.equal(theirs.status, 201);
    // Making a row for someone else: it would be out of the maker's scope.
    const forOther = await api.post('/api/orders', {
      headers: viewer.headers,
      json: { ownerId: clerk.row.id, productId: products[0]!.id, quantity: 1 },
    });
    assert.equal(forOther.status, 403);
    assert.equal(await query(db, Order).count(), 2);

    const listed = (await api.get<Page>('/api/orders?count=true', { headers: viewer.headers })).json();
    assert.deepEqual(
      listed.results.map((r) => r.id),
      [mine.json().id],
    );
    assert.equal(listed.count, 1, 'the count is of the rows in scope');
    const other = `/api/orders/${theirs.json().id}`;
    assert.equal((await api.get(other, { headers: viewer.headers })).status, 404);
    assert.equal((await api.patch(other, { headers: viewer.headers, json: { quantity: 9 } })).status, 404);
    assert.equal(
      (
        await api.put(other, {
          headers: viewer.headers,
          json: { ownerId: viewer.row.id, productId: products[0]!.id, quantity: 9 },
        })
      ).status,
      404,
    );
    assert.equal((await api.delete(other, { headers: viewer.headers })).status, 404);
    // Moving one's own row out of scope is refused too.
    const away = await api.patch(`/api/orders/${mine.json().id}`, {
      headers: viewer.headers,
      json: { ownerId: clerk.row.id },
    });
    assert.equal(away.status, 403);
    assert.deepEqual(
      (await query(db, Order).orderBy('id').values('ownerId', 'quantity')).map((r) => [
        r.ownerId,
        r.quantity,
      ]),
      [
        [viewer.row.id, 2],
        [clerk.row.id, 1],
      ],
    );
    // The policy's rule on one row: a cancelled order is not changed, even by its owner (403: it is visible).
    await query(db, Order).filter({ id: mine.json().id }).update({ status: 'cancelled' });
    assert.equal(
      (await api.patch(`/api/orders/${mine.json().id}`, { headers: viewer.headers, json: { quantity: 5 } }))
        .status,
      403,
    );
    // A superuser sees every row.
    assert.equal((await api.get<Page>('/api/orders', { headers: admin.headers })).json().results.length, 2);
    // A filter or cursor cannot reach past the scope.
    const cursor = Buffer.from(JSON.stringify({ o: 'id', v: [mine.json().id] })).toString('base64url');
    const after = await api.get<Page>(`/api/orders?cursor=${cursor}`, { headers: viewer.headers });
    assert.deepEqual(after.json().results, [], after.text);
    assert.deepEqual(
      (await api.get<Page>(`/api/orders?ownerId=${clerk.row.id}`, { headers: viewer.headers })).status,
      422,
    );
  });

  test(`${dialect}: an expanded list of another model's rows holds only those its scope lets the user see`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { api, clerk, viewer, admin } = await shop(t, db, {
      products: { expand: { category: Category, orders: Order } },
    });
    const { products } = await stock(db, 1);
    const product = products[0]!;
    await query(db, Order).create({ ownerId: viewer.row.id, productId: product.id, quantity: 1 });
    await query(db, Order).create({ ownerId: clerk.row.id, productId: product.id, quantity: 7 });
    const quantities = async (headers: Record<string, string>, url: string) => {
      const res = await api.get<Record<string, any>>(url, { headers });
      assert.equal(res.status, 200, res.text);
      const row = 'results' in res.json() ? res.json().results[0] : res.json();
      return (row.orders as { quantity: number }[]).map((o) => o.quantity).sort();
    };
    for (const url of ['/api/products?expand=orders', `/api/products/${product.id}?expand=orders`]) {
      assert.deepEqual(await quantities(viewer.headers, url), [1], url);
      assert.deepEqual(await quantities(clerk.headers, url), [7], url);
      assert.deepEqual(await quantities(admin.headers, url), [1, 7], url);
    }
  });

  test(`${dialect}: a foreign key to a row out of its model's scope: not written (as a missing row), not shown`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { app, api, clerk, viewer, admin } = await shop(t, db);
    await createTables(db, [Note]);
    app.include(
      resource('/api/notes', Note, { permissions: 'public', expand: { order: Order }, nested: {} }),
    );
    const { products } = await stock(db, 1);
    const theirs = await query(db, Order).create({
      ownerId: viewer.row.id,
      productId: products[0]!.id,
      quantity: 3,
    });
    const hidden = await api.post<Problem>('/api/notes', {
      headers: clerk.headers,
      json: { orderId: theirs.id, text: 'x' },
    });
    const missing = await api.post<Problem>('/api/notes', {
      headers: clerk.headers,
      json: { orderId: 99999, text: 'x' },
    });
    assert.equal(hidden.status, 422);
    assert.equal(missing.status, 422);
    assert.deepEqual(hidden.json().errors![0]!.loc, ['body', 'orderId']);
    assert.equal(hidden.json().errors![0]!.type, missing.json().errors![0]!.type);
    assert.equal(
      hidden.json().errors![0]!.msg.replace(String(theirs.id), 'N'),
      missing.json().errors![0]!.msg.replace('99999', 'N'),
    );
    assert.equal(await query(db, Note).count(), 0);
    const made = await api.post<{ id: number }>('/api/notes', {
      headers: viewer.headers,
      json: { orderId: theirs.id, text: 'mine' },
    });
    assert.equal(made.status, 201, made.text);
    const seen = async (headers: Record<string, string>) =>
      (await api.get<Record<string, any>>(`/api/notes/${made.json().id}?expand=order`, { headers })).json()
        .order;
    assert.equal((await seen(viewer.headers))?.quantity, 3);
    assert.equal((await seen(admin.headers))?.quantity, 3);
    assert.equal(await seen(clerk.headers), null);
    const listed = (await api.get<Page>('/api/notes?expand=order', { headers: clerk.headers })).json();
    assert.equal(listed.results[0]!.order, null);
    // Nor can the key be changed to such a row.
    const moved = await api.patch(`/api/notes/${made.json().id}`, {
      headers: clerk.headers,
      json: { orderId: theirs.id },
    });
    assert.equal(moved.status, 422);
  });

  test(`${dialect}: page-number pagination: links, a total when asked, a page past the end is a 404`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { api, clerk } = await shop(t, db, { products: { pagination: 'page', pageSize: 4, count: true } });
    await stock(db, 10);
    const first = (await api.get<Page>('/api/products?ordering=stock', { headers: clerk.headers })).json();
    assert.equal(first.count, 10);
    assert.equal(first.previous, null);
    assert.deepEqual(
      first.results.map((r) => r.stock),
      [1, 2, 3, 4],
    );
    const second = (await api.get<Page>(local(first.next!), { headers: clerk.headers })).json();
    assert.match(second.previous!, /ordering=stock$/);
    const third = (await api.get<Page>(local(second.next!), { headers: clerk.headers })).json();
    assert.deepEqual(
      third.results.map((r) => r.stock),
      [9, 10],
    );
    assert.equal(third.next, null);
    const past = await api.get<Problem>('/api/products?page=4', { headers: clerk.headers });
    assert.equal(past.status, 404);
    assert.equal(past.json().code, 'VOLT_CRUD_INVALID_PAGE');
    assert.equal((await api.get('/api/products?page=0', { headers: clerk.headers })).status, 422);
    assert.equal((await api.get('/api/products?page=99999999999', { headers: clerk.headers })).status, 422);
  });

  test(`${dialect}: count: 'estimate' answers the planner's figure when asked, over the filters`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { api, clerk } = await shop(t, db, { products: { count: 'estimate' } });
    const { tools } = await stock(db, 40);
    await db.run(dialect === 'postgres' ? 'analyze shop_product' : 'analyze', []);
    const page = (
      await api.get<Page>(`/api/products?count=true&limit=1&category=${tools.id}`, { headers: clerk.headers })
    ).json();
    assert.equal(typeof page.count, 'number');
    if (dialect === 'sqlite') assert.equal(page.count, 20);
    else assert.ok(page.count! >= 1 && page.count! <= 40, String(page.count));
    const without = (await api.get<Page>('/api/products?limit=1', { headers: clerk.headers })).json();
    assert.equal('count' in without, false);
  });

  test(`${dialect}: attacks through names and values reach the database as parameters only`, async (t) => {
    const { api, clerk, db } = await setup(t, 5);
    const hostile = [
      "name__icontains=' OR 1=1 --",
      'name__icontains=%25',
      'name__icontains=_',
      "search=x') OR ('1'='1",
      'search=%00',
      'ordering=name;DROP TABLE shop_product',
      'ordering=(select 1)',
      'name__regex=.*',
      'id__gt=0',
      'category__name__icontains=a', // a path not declared
      '__proto__=1',
      'constructor=1',
      'fields=__proto__',
      'category=1 OR 1=1',
    ];
    for (const q of hostile) {
      const res = await api.get<Page>(`/api/products?${q}`, { headers: clerk.headers });
      assert.ok(res.status === 200 || res.status === 422, `${q}: ${res.status} ${res.text}`);
      if (res.status === 200) assert.ok(res.json().results.length <= 5);
    }
    // LIKE wildcards are matched literally.
    assert.equal(
      (await api.get<Page>('/api/products?name__icontains=%25', { headers: clerk.headers })).json().results
        .length,
      0,
    );
    assert.equal(await query(db, Product).count(), 5);
  });
});

test('a resource checking permissions on an app without auth() stops the start', async () => {
  const { volt } = await import('voltjs');
  const { testDatabase } = await import('voltjs/testing');
  const app = volt({ logger: false, envFile: false, database: await testDatabase() });
  assert.throws(
    () => app.include(resource('/api/categories', Category)),
    /has no auth app: install auth\(\)/,
  );
  app.include(resource('/api/categories', Category, { permissions: 'public' }));
  await app.ready();
  await app.close();
});

test("a filter or search path into another model's scope stops the start, unless crossScopes allows it", async (t) => {
  const { volt } = await import('voltjs');
  const { auth } = await import('voltjs/auth');
  const { testDatabase } = await import('voltjs/testing');
  const { orderPolicy } = await import('./shop.ts');
  for (const [options, message] of [
    [
      { filters: { orders__quantity: ['gte'] } },
      /filters: 'orders__quantity__gte' reaches shop\.Order, whose policy has a scope/,
    ],
    [
      { search: ['name', 'orders__owner__username'] },
      /search: 'orders__owner__username' reaches shop\.Order/,
    ],
  ] as const) {
    const db = await testDatabase();
    t.after(() => db.close());
    const users = auth({ policies: new Map([[Order, orderPolicy]]) });
    const app = volt({ logger: false, envFile: false, database: db, apps: [users] });
    app.include(resource('/api/products', Product, options as never));
    await assert.rejects(app.ready(), message);
    const allowed = volt({
      logger: false,
      envFile: false,
      database: db,
      apps: [auth({ policies: new Map([[Order, orderPolicy]]) })],
    });
    allowed.include(
      resource('/api/products', Product, { ...(options as object), crossScopes: true } as never),
    );
    await allowed.ready();
    await allowed.close();
  }
});

test('options that do not fit the model stop the resource at once, naming the option', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ filters: { colour: true } }, /filters\.colour: shop\.Product has no field or relation 'colour'/],
    [{ filters: { price: ['like'] } }, /'like' is not a lookup/],
    [{ filters: { name: ['year'] } }, /'year' does not apply to a string field/],
    [{ filters: { limit: true } }, /has no field or relation 'limit'/],
    [{ ordering: ['colour'] }, /ordering: 'colour' is not a field/],
    [{ lookup: 'name' }, /lookup: 'name' is not a unique, required field/],
    [{ expand: { category: Product } }, /expand\.category: the relation holds shop\.Category rows/],
    [{ expand: { categry: Category } }, /did you mean 'category'/],
    [{ fields: ['password'] }, /fields: 'password' is not one of/],
    [{ writable: ['created'] }, /writable: 'created' is not one of/],
    [{ search: ['stock'] }, /search: 'stock' is a integer field/],
    [{ operations: ['list', 'purge'] }, /operations: 'purge'/],
    [{ pagination: 'offset' }, /pagination: 'offset'/],
    [{ pageSize: 0 }, /pageSize: give a whole number/],
    [{ permissions: 'open' }, /permissions: 'open'/],
    [{ defaultOrdering: ['category__name'] }, /defaultOrdering: 'category__name'/],
    [
      { fields: ['id', 'price'], ordering: ['price', 'stock'] },
      /ordering: 'stock' is not among the resource's fields/,
    ],
    [
      { fields: ['id', 'price'] },
      /defaultOrdering: 'name' is not among the resource's fields.*set defaultOrdering/,
    ],
    [
      { readOnly: ['category'] },
      /create: 'categoryId' is required but clients may not write it: set it in hooks\.beforeCreate/,
    ],
    [
      { readOnly: ['categry'] },
      /readOnly: 'categry' is not one of shop\.Product's fields \(did you mean 'category'\?\)/,
    ],
  ];
  for (const [options, message] of bad)
    assert.throws(() => resource('/api/products', Product, options as never), message, String(message));
});
