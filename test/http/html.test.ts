/**
 * html`…`: values escaped unless they are HTML already, arrays written in order, nothing for
 * null/undefined/false, objects refused; a route returning it answers text/html with the security
 * headers (a TechEmpower fortunes page, with its script-injecting row, as the example).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, Html, html, t, unsafeHtml, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

test('values are escaped in text and quoted attributes; templates nest as markup', () => {
  const name = `<script>alert("x")</script> & 'co'`;
  assert.equal(
    html`<p title="${name}">${name}</p>`.toString(),
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</p>',
  );
  const item = (text: string) => html`<li>${text}</li>`;
  assert.equal(html`<ul>${['a<b', 'c'].map(item)}</ul>`.toString(), '<ul><li>a&lt;b</li><li>c</li></ul>');
  assert.equal(html`<main>${unsafeHtml('<b>kept</b>')}</main>`.toString(), '<main><b>kept</b></main>');
  assert.equal(escapeHtml('"<&>\''), '&quot;&lt;&amp;&gt;&#39;');
  assert.equal(escapeHtml('plain text, nothing to do'), 'plain text, nothing to do');
  assert.equal(escapeHtml(''), '');
  assert.equal(
    escapeHtml('<script>alert("x")</script> & 日本語の「文字」'),
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 日本語の「文字」',
  );
  assert.equal(escapeHtml('a&&b'), 'a&amp;&amp;b');
});

test('null, undefined and false write nothing; numbers, true and dates are text; objects are refused', () => {
  assert.equal(html`[${null}${undefined}${false}]`.toString(), '[]');
  assert.equal(html`${0} ${1.5} ${10n} ${true}`.toString(), '0 1.5 10 true');
  assert.equal(html`${new Date('2026-01-02T03:04:05Z')}`.toString(), '2026-01-02T03:04:05.000Z');
  assert.throws(() => html`${{ id: 1 }}`, /cannot write \[object Object\] into HTML/);
  assert.throws(() => unsafeHtml(3 as never), TypeError);
  assert.ok(html`x` instanceof Html);
});

test('a route returning html`…` answers text/html, escaped, with the security headers', async () => {
  const app = volt({ logger: false, docs: false });
  const fortunes = [
    { id: 11, message: '<script>alert("This should not be displayed in a browser alert box.");</script>' },
    { id: 4, message: 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1' },
  ];
  app.get('/fortunes', { contentType: 'text/html', response: { 200: t.String() } }, () => {
    const rows = [...fortunes, { id: 0, message: 'Additional fortune added at request time.' }].sort((a, b) =>
      a.message.localeCompare(b.message),
    );
    return html`<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>${rows.map(
      (f) => html`<tr><td>${f.id}</td><td>${f.message}</td></tr>`,
    )}</table></body></html>`;
  });
  // Without a declared content type an Html is still text/html.
  app.get('/bare', {}, () => html`<p>${'<i>'}</p>`);
  const client = testClient(app);
  try {
    const page = await client.get('/fortunes');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.ok(page.headers['content-security-policy'], 'the security headers are sent');
    assert.match(page.text, /<td>&lt;script&gt;alert\(&quot;This should not/);
    assert.ok(!page.text.includes('<script>'));
    assert.ok(page.text.indexOf('A bad random') < page.text.indexOf('Additional fortune'));
    const bare = await client.get('/bare');
    assert.equal(bare.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(bare.text, '<p>&lt;i&gt;</p>');
  } finally {
    await client.close();
  }
});
