import assert from 'node:assert/strict';
import { safeRedirectUrl, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const app = volt({ allowedHosts: ['shop.example.com', 'localhost'] });

app.get('/login/done', { query: t.Object({ next: t.Optional(t.String()) }) }, (ctx) => {
  const next = safeRedirectUrl(ctx.query.next, { allowedHosts: app.settings.allowedHosts, fallback: '/' });
  return ctx.reply.redirect(next);
});

const client = testClient(app);
const to = async (next: string) =>
  (await client.get(`/login/done?next=${encodeURIComponent(next)}`)).headers.location;

assert.equal(await to('/account?tab=orders'), '/account?tab=orders');
assert.equal(await to('https://shop.example.com/cart'), 'https://shop.example.com/cart');
for (const attack of [
  '//evil.com',
  '/\\evil.com',
  'https:evil.com',
  'javascript:alert(1)',
  'https://shop.example.com@evil.com',
])
  assert.equal(await to(attack), '/', attack);
await client.close();
