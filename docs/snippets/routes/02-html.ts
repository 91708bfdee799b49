import assert from 'node:assert/strict';
import { html, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const fortunes = [
  { id: 1, message: 'fortune: No such file or directory' },
  { id: 2, message: '<script>alert("boo")</script>' },
];

const app = volt();
app.get('/fortunes', { contentType: 'text/html', response: { 200: t.String() } }, () => {
  const rows = fortunes.map((f) => html`<tr><td>${f.id}</td><td>${f.message}</td></tr>`);
  return html`<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>${rows}</table></body></html>`;
});

// --- what a client sees ---
const client = testClient(app);
const page = await client.get('/fortunes');
assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
assert.ok(page.text.includes('<td>&lt;script&gt;alert(&quot;boo&quot;)&lt;/script&gt;</td>'));
await client.close();
