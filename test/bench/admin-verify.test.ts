/**
 * The admin change list benchmark's verifier (bench/admin/verify.ts): the expected page is
 * computed from bench/crud's data set, the HTML of a change list (Django's markup, which
 * fastify-raw writes too, and Volt's admin's) is read back to its SKUs and result count, and a
 * page with the wrong rows, order, count, or an unescaped category name is refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BENCH_QUERY,
  benchPath,
  checkChangeList,
  djangoPath,
  expectedPage,
  parseDjangoChangeList,
  parseVoltChangeList,
  SITES,
  unescapeHtml,
  voltPath,
} from '../../bench/admin/verify.ts';
import { makeDataset } from '../../bench/crud/data.ts';
import type { Answer } from '../../bench/harness/processes.ts';

const data = makeDataset();

const escapeText = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');

/** A change list page in Django's markup (blank lines and attributes as its templates leave them). */
function page(skus: string[], total: number, categories = data.categories): string {
  const rows = skus
    .map(
      (sku, i) =>
        `\n\n<tr><td class="action-checkbox"><input type="checkbox" name="_selected_action" value="${i}" class="action-select"></td>` +
        `<th class="field-name"><a href="/admin/shop/product/${i}/change/">Row ${i}</a></th>` +
        `<td class="field-sku">${escapeText(sku)}</td><td class="field-price">1.00</td></tr>\n`,
    )
    .join('');
  const sidebar = categories.map(
    (c) => `<li><a href="?category__id__exact=${c.id}">${escapeText(c.name)}</a></li>`,
  );
  return `<!DOCTYPE html><html><body>
<span class="small quiet">${total} results (<a href="?">Show all</a>)</span>
<div class="results">
<table id="result_list">
<thead><tr><th scope="col" class="sortable column-sku"><div class="text"><a href="?o=2">Sku</a></div></th></tr></thead>
<tbody>${rows}</tbody>
</table>
</div>
<p class="paginator">
    <span class="this-page">1</span>
    <a href="?p=2" class="end">2</a>
${total} products
<a href="?all=" class="showall">Show all</a>
</p>
<div id="changelist-filter"><ul>${sidebar.join('\n')}</ul></div>
</body></html>`;
}

/** A change list page in Volt's admin markup. */
function voltPage(skus: string[], total: number, categories = data.categories): string {
  const rows = skus
    .map(
      (sku, i) =>
        `<tr><td class="select-cell"><input type="checkbox" class="select-row" name="_selected_action" value="${i}"></td>` +
        `<th scope="row" class="field-name"><a href="/admin/crud/product/${i}/change">Row ${i}</a></th>` +
        `<td class="field-sku">${escapeText(sku)}</td><td class="field-price cell--number">1.00</td></tr>`,
    )
    .join('');
  const sidebar = categories.map(
    (c) => `<li><a href="?category__exact=${c.id}&amp;q=el">${escapeText(c.name)}</a></li>`,
  );
  return `<!doctype html><html><body><p class="result-count">${total.toLocaleString('en')} products</p>
<div class="table-wrap"><table class="results"><caption class="visually-hidden">Products, ${total} products</caption>
<thead><tr><th scope="col"><a class="sort-link" href="?o=sku">Sku</a></th></tr></thead><tbody>${rows}</tbody></table></div>
<aside class="filters"><section class="filter"><h3>By category</h3><ul>${sidebar.join('')}</ul></section></aside>
</body></html>`;
}

const answer = (body: string, status = 200, contentType = 'text/html; charset=utf-8'): Answer => ({
  status,
  contentType,
  headers: { 'content-type': contentType },
  body,
});

describe('the expected page', () => {
  test("the benchmark's request fills a page of 100 and has a second page", () => {
    const first = expectedPage(data, BENCH_QUERY, 100);
    assert.equal(first.total, 149);
    assert.equal(first.skus.length, 100);
    const second = expectedPage(data, { ...BENCH_QUERY, page: 2 }, 100);
    assert.equal(second.skus.length, 49);
    assert.equal(new Set([...first.skus, ...second.skus]).size, 149);
  });

  test('is the category, every term in the name or SKU, by price descending then id descending', () => {
    const bySku = new Map(data.products.map((p) => [p.sku, p]));
    const rows = expectedPage(data, BENCH_QUERY, 100).skus.map((s) => bySku.get(s)!);
    for (const p of rows) {
      assert.equal(p.categoryId, 48);
      assert.ok(p.name.toLowerCase().includes('el'), p.name);
    }
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      assert.ok(
        Number(a.price) > Number(b.price) || (a.price === b.price && a.id > b.id),
        `${a.sku} ${b.sku}`,
      );
    }
    // Two terms: both must match; a term matches the SKU too.
    const both = expectedPage(data, { q: 'steel 12' }, 100);
    assert.ok(both.total > 0);
    assert.equal(expectedPage(data, { q: 'sku-000017' }, 100).total, 1);
  });

  test("Volt's tie-break is the id ascending", () => {
    const asc = expectedPage(data, { category: 48, byPriceDesc: true }, 300, 'asc');
    const desc = expectedPage(data, { category: 48, byPriceDesc: true }, 300, 'desc');
    assert.deepEqual(new Set(asc.skus), new Set(desc.skus));
    // The benchmark's own rows have no two prices alike: both orders agree on them.
    assert.deepEqual(
      expectedPage(data, BENCH_QUERY, 100, 'asc').skus,
      expectedPage(data, BENCH_QUERY, 100, 'desc').skus,
    );
  });

  test('paths spell the parameters as each admin links them', () => {
    assert.equal(benchPath('django-admin'), '/admin/shop/product/?category__id__exact=48&q=el&o=-3');
    assert.equal(benchPath('fastify-raw'), benchPath('django-admin'));
    assert.equal(djangoPath({ ...BENCH_QUERY, page: 2 }), `${benchPath('django-admin')}&p=2`);
    assert.equal(djangoPath({ q: 'a b' }), '/admin/shop/product/?q=a%20b');
    assert.equal(benchPath('volt'), '/admin/crud/product?category__exact=48&q=el&o=-price');
    assert.equal(voltPath({ ...BENCH_QUERY, page: 2 }), `${benchPath('volt')}&p=2`);
  });
});

describe('the parsers', () => {
  test("read Django's SKUs in order and the paginator count", () => {
    assert.deepEqual(parseDjangoChangeList(page(['SKU-1', 'SKU-2', 'A&B'], 149)), {
      skus: ['SKU-1', 'SKU-2', 'A&B'],
      total: 149,
    });
    assert.deepEqual(parseDjangoChangeList(page([], 0)), { skus: [], total: 0 });
  });

  test("read Volt's SKUs in order and the result count", () => {
    assert.deepEqual(parseVoltChangeList(voltPage(['SKU-1', 'SKU-2', 'A&B'], 149)), {
      skus: ['SKU-1', 'SKU-2', 'A&B'],
      total: 149,
    });
    assert.deepEqual(parseVoltChangeList(voltPage(['SKU-1'], 12_345)), { skus: ['SKU-1'], total: 12_345 });
  });

  test('refuse pages without the table, a SKU cell, or the count', () => {
    assert.ok('why' in parseDjangoChangeList('<html></html>'));
    assert.ok('why' in parseDjangoChangeList(page(['SKU-1'], 5).replace('field-sku', 'field-code')));
    assert.ok('why' in parseDjangoChangeList(page(['SKU-1'], 5).replace('5 products', 'five')));
    assert.ok('why' in parseVoltChangeList('<html></html>'));
    assert.ok('why' in parseVoltChangeList(voltPage(['SKU-1'], 5).replace('field-sku', 'field-code')));
    assert.ok('why' in parseVoltChangeList(voltPage(['SKU-1'], 5).replace('5 products', 'five')));
    // Each reads its own markup only.
    assert.ok('why' in parseVoltChangeList(page(['SKU-1'], 5)));
    assert.ok('why' in parseDjangoChangeList(voltPage(['SKU-1'], 5)));
  });

  test('unescapes what an escaper writes', () => {
    assert.equal(unescapeHtml('&lt;a&gt; &amp;amp; &quot;q&quot; &#x27;s&#39;'), '<a> &amp; "q" \'s\'');
  });
});

describe('checkChangeList', () => {
  const want = expectedPage(data, BENCH_QUERY, 100);
  const django = SITES['django-admin'];

  test('accepts the right page', () => {
    assert.equal(
      checkChangeList(django, answer(page(want.skus, want.total)), data, BENCH_QUERY, 100),
      undefined,
    );
    assert.equal(
      checkChangeList(SITES.volt, answer(voltPage(want.skus, want.total)), data, BENCH_QUERY, 100),
      undefined,
    );
  });

  test('refuses a wrong status, type, count, row, order or length', () => {
    const right = page(want.skus, want.total);
    const check = (a: Answer) => checkChangeList(django, a, data, BENCH_QUERY, 100);
    assert.match(check(answer(right, 302))!, /status 302/);
    assert.match(check(answer(right, 200, 'application/json'))!, /Content-Type/);
    assert.match(check(answer(page(want.skus, 232)))!, /232 results, expected 149/);
    const swapped = [want.skus[1]!, want.skus[0]!, ...want.skus.slice(2)];
    assert.match(check(answer(page(swapped, want.total)))!, /row 1 is/);
    assert.match(check(answer(page(want.skus.slice(0, 99), want.total)))!, /99 rows, expected 100/);
    const other = [...want.skus.slice(0, 99), 'SKU-000001'];
    assert.match(check(answer(page(other, want.total)))!, /row 100 is SKU-000001/);
  });

  test('refuses a sidebar with the category names unescaped or missing', () => {
    const raw = page(want.skus, want.total).replace(
      escapeText(data.categories[6]!.name),
      data.categories[6]!.name,
    );
    assert.match(checkChangeList(django, answer(raw), data, BENCH_QUERY, 100)!, /category 7/);
    const without = page(want.skus, want.total, data.categories.slice(0, 5));
    assert.match(checkChangeList(django, answer(without), data, BENCH_QUERY, 100)!, /category 7/);
    const voltRaw = voltPage(want.skus, want.total).replace(
      escapeText(data.categories[6]!.name),
      data.categories[6]!.name,
    );
    assert.match(checkChangeList(SITES.volt, answer(voltRaw), data, BENCH_QUERY, 100)!, /category 7/);
  });
});
