/**
 * The REST resource benchmark's data set and verifier (bench/crud/data.ts, verify.ts): the
 * rows are the same on every run with the ties where a page must break them, and a page is
 * refused for the wrong rows, order, formats, keys or next link, as a server could answer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BENCH_QUERY,
  byPrice,
  type Dataset,
  expectedPage,
  makeDataset,
  type PageQuery,
  priceText,
  queryString,
} from '../../bench/crud/data.ts';
import { checkNextLink, checkPage, PROBES, rowDifference } from '../../bench/crud/verify.ts';
import type { Answer } from '../../bench/harness/processes.ts';

const data = makeDataset();
const PORT = 4321;

const cents = (price: string) => Math.round(Number(price) * 100);
const ordered = (d: Dataset) =>
  d.products.map((p) => ({ p, cents: cents(p.price), id: p.id })).sort(byPrice(true));

function answer(body: unknown, contentType = 'application/json; charset=utf-8', status = 200): Answer {
  return { status, contentType, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

/** The right answer to page `page` of `q`, with a next link made like DRF's (parameters sorted). */
function rightBody(q: PageQuery, page: number): { next: string | null; previous: null; results: unknown[] } {
  const { rows, more } = expectedPage(data, q, page);
  const params = new URLSearchParams(queryString(q));
  params.set('cursor', 'b3A9NDk1LjAw');
  params.sort();
  return {
    next: more ? `http://127.0.0.1:${PORT}/api/products?${params}` : null,
    previous: null,
    results: structuredClone(rows),
  };
}

const why = (result: ReturnType<typeof checkPage>) => ('why' in result ? result.why : undefined);

describe('the data set', () => {
  test('is the same on every call', () => {
    assert.deepEqual(makeDataset(), data);
    assert.equal(data.categories.length, 100);
    assert.equal(data.products.length, 10_000);
  });

  test('fits the fields: prices 0.50–500.00 with two places, unique SKUs, ISO datetimes in ms', () => {
    for (const p of data.products) {
      assert.match(p.price, /^\d{1,3}\.\d{2}$/);
      assert.ok(cents(p.price) >= 50 && cents(p.price) <= 50_000, p.price);
      assert.ok(p.name.length <= 100 && p.sku.length <= 20);
      assert.match(p.created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.ok(p.categoryId >= 1 && p.categoryId <= 100);
    }
    assert.equal(new Set(data.products.map((p) => p.sku)).size, data.products.length);
    assert.ok(data.categories.every((c) => c.name.length <= 50));
  });

  test('puts ties at the top and across the 50/51 and 100/101 boundaries, broken by id ascending', () => {
    const sorted = ordered(data);
    const top = sorted.filter((r) => r.cents === 50_000).map((r) => r.id);
    assert.ok(top.length >= 3 && [17, 5000, 9999].every((id) => top.includes(id)));
    assert.deepEqual(
      top,
      sorted.slice(0, top.length).map((r) => r.id),
    );
    assert.deepEqual(
      top,
      [...top].sort((a, b) => a - b),
    );
    assert.equal(sorted[49]!.cents, sorted[50]!.cents);
    assert.equal(sorted[99]!.cents, sorted[100]!.cents);
  });

  test('priceText writes two places', () => {
    assert.equal(priceText(50), '0.50');
    assert.equal(priceText(1000), '10.00');
    assert.equal(priceText(49_995), '499.95');
  });
});

describe('expectedPage', () => {
  test('pages follow each other in the order of the ordering, the id (ascending) breaking ties', () => {
    const first = expectedPage(data, BENCH_QUERY, 0);
    const second = expectedPage(data, BENCH_QUERY, 1);
    assert.equal(first.rows.length, 50);
    assert.ok(first.more);
    const ids = [...first.rows, ...second.rows].map((r) => r.id);
    assert.deepEqual(
      ids,
      ordered(data)
        .slice(0, 100)
        .map((r) => r.id),
    );
    assert.ok(first.rows.every((r) => r.category?.id === r.categoryId));
  });

  test('the filter keeps 10.00 and drops 9.99; ascending starts at the boundary', () => {
    const page = expectedPage(data, { priceGte: '10', ordering: 'price', limit: 3 }, 0);
    assert.deepEqual(
      page.rows.slice(0, 2).map((r) => [r.id, r.price]),
      [
        [42, '10.00'],
        [4242, '10.00'],
      ],
    );
    assert.ok(page.rows.every((r) => !('category' in r)));
  });

  test('every probe has a second page', () => {
    for (const q of PROBES) assert.ok(expectedPage(data, q, 0).more, queryString(q));
  });
});

describe('checkPage', () => {
  const q = BENCH_QUERY;

  test('a right page passes and gives its next link to follow', () => {
    const result = checkPage(answer(rightBody(q, 0)), data, q, 0, PORT);
    assert.equal(why(result), undefined);
    assert.match((result as { next: string }).next, /^\/api\/products\?cursor=/);
  });

  test('rows in another order fail, naming the ids', () => {
    const body = rightBody(q, 0);
    [body.results[0], body.results[1]] = [body.results[1], body.results[0]];
    assert.match(why(checkPage(answer(body), data, q, 0, PORT)) ?? '', /^ids \[\d+,17,.*expected \[17,/);
  });

  test('a price without its two places, or a number, fails', () => {
    const body = rightBody(q, 0);
    (body.results[0] as { price: unknown }).price = '500';
    assert.match(why(checkPage(answer(body), data, q, 0, PORT)) ?? '', /row 0 \(id 17\): price is "500"/);
    (body.results[0] as { price: unknown }).price = 500;
    assert.match(why(checkPage(answer(body), data, q, 0, PORT)) ?? '', /price is 500,/);
  });

  test('a datetime without milliseconds or Z fails', () => {
    const body = rightBody(q, 0);
    const row = body.results[3] as { created: string };
    row.created = row.created.replace(/\.\d{3}Z$/, 'Z');
    assert.match(why(checkPage(answer(body), data, q, 0, PORT)) ?? '', /row 3 .*created/);
    row.created = row.created.replace('Z', '+00:00');
    assert.match(why(checkPage(answer(body), data, q, 0, PORT)) ?? '', /created/);
  });

  test('a missing category, a missing categoryId or an extra key fails', () => {
    let body = rightBody(q, 0);
    delete (body.results[5] as { category?: unknown }).category;
    assert.match(why(checkPage(answer(body), data, q, 0, PORT)) ?? '', /row 5 .*missing category/);
    body = rightBody(q, 0);
    delete (body.results[5] as { categoryId?: unknown }).categoryId;
    assert.match(why(checkPage(answer(body), data, q, 0, PORT)) ?? '', /missing categoryId/);
    body = rightBody(q, 0);
    (body.results[5] as { category_id?: unknown }).category_id = 1;
    assert.match(why(checkPage(answer(body), data, q, 0, PORT)) ?? '', /unexpected category_id/);
    body = rightBody(q, 0);
    (body.results[5] as { category: { slug?: string } }).category.slug = 'x';
    assert.match(why(checkPage(answer(body), data, q, 0, PORT)) ?? '', /category is/);
  });

  test('a category where none was asked for fails', () => {
    const plain: PageQuery = { priceGte: '10', ordering: 'price', limit: 3 };
    const body = rightBody(plain, 0);
    (body.results[0] as { category?: unknown }).category = { id: 1, name: 'x' };
    assert.match(why(checkPage(answer(body), data, plain, 0, PORT)) ?? '', /unexpected category/);
  });

  test('the envelope: status, content type, keys, previous', () => {
    assert.match(why(checkPage(answer({}, 'application/json', 500), data, q, 0, PORT)) ?? '', /status 500/);
    assert.match(
      why(checkPage(answer(rightBody(q, 0), 'text/html'), data, q, 0, PORT)) ?? '',
      /Content-Type/,
    );
    assert.match(
      why(checkPage(answer(rightBody(q, 0).results), data, q, 0, PORT)) ?? '',
      /not a JSON object/,
    );
    assert.match(why(checkPage(answer({ ...rightBody(q, 0), count: 9800 }), data, q, 0, PORT)) ?? '', /keys/);
    assert.match(
      why(checkPage(answer({ ...rightBody(q, 0), previous: 'http://x' }), data, q, 0, PORT)) ?? '',
      /previous/,
    );
    // A second page may carry a previous link (DRF's does).
    const second = { ...rightBody(q, 1), previous: `http://127.0.0.1:${PORT}/api/products?cursor=x` };
    assert.equal(why(checkPage(answer(second), data, q, 1, PORT)), undefined);
  });

  test('no next link while rows follow, or one after the last row, fails', () => {
    assert.match(
      why(checkPage(answer({ ...rightBody(q, 0), next: null }), data, q, 0, PORT)) ?? '',
      /more rows follow/,
    );
    const all: PageQuery = { ...q, limit: 100 };
    const pages = Math.ceil(data.products.filter((p) => cents(p.price) >= 1000).length / 100);
    const last = expectedPage(data, all, pages - 1);
    assert.ok(!last.more && last.rows.length > 0);
    const body = {
      next: `http://127.0.0.1:${PORT}/api/products?cursor=x`,
      previous: null,
      results: last.rows,
    };
    assert.match(why(checkPage(answer(body), data, all, pages - 1, PORT)) ?? '', /on the last page/);
  });
});

describe('checkNextLink', () => {
  const q = BENCH_QUERY;
  const base = `http://127.0.0.1:${PORT}/api/products`;

  test('takes the parameters in any order, the cursor anywhere', () => {
    assert.deepEqual(checkNextLink(`${base}?cursor=abc&${queryString(q)}`, q, PORT), {
      next: `/api/products?cursor=abc&${queryString(q)}`,
    });
    const sorted = `${base}?cursor=abc&expand=category&limit=50&ordering=-price&price__gte=10`;
    assert.equal(why(checkNextLink(sorted, q, PORT)), undefined);
  });

  test('refuses a relative link, another port or path, no cursor, a parameter lost or changed', () => {
    assert.match(why(checkNextLink(`/api/products?cursor=abc&${queryString(q)}`, q, PORT)) ?? '', /absolute/);
    assert.match(
      why(checkNextLink(`http://127.0.0.1:1/api/products?cursor=a&${queryString(q)}`, q, PORT)) ?? '',
      /is not/,
    );
    assert.match(why(checkNextLink(`${base}/?cursor=a&${queryString(q)}`, q, PORT)) ?? '', /is not/);
    assert.match(why(checkNextLink(`${base}?${queryString(q)}`, q, PORT)) ?? '', /no cursor/);
    assert.match(
      why(checkNextLink(`${base}?cursor=a&price__gte=10&ordering=-price&limit=50`, q, PORT)) ?? '',
      /keep the parameters/,
    );
    assert.match(
      why(
        checkNextLink(`${base}?cursor=a&price__gte=10&ordering=-price&expand=category&limit=20`, q, PORT),
      ) ?? '',
      /keep the parameters/,
    );
  });
});

describe('rowDifference', () => {
  test('names the first difference, and none for an equal row in another key order', () => {
    const row = { id: 1, name: 'a', category: { id: 2, name: 'b' } };
    assert.equal(rowDifference({ category: { name: 'b', id: 2 }, name: 'a', id: 1 }, row), undefined);
    assert.equal(rowDifference({ ...row, id: '1' }, row), 'id is "1", expected 1');
    assert.equal(rowDifference(null, row), 'not an object: null');
  });
});
