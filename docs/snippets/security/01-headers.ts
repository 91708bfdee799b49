import assert from 'node:assert/strict';
import { cspNonce, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const app = volt({
  securityHeaders: {
    // Merged over the default policy: img-src is replaced, the other directives stay.
    contentSecurityPolicy: { 'img-src': ["'self'", 'https://images.example.com'] },
    frameOptions: 'SAMEORIGIN',
    crossOriginOpenerPolicy: false, // not sent at all
  },
});

app.get('/items', {}, () => [{ id: 1 }]);

// One inline script allowed, on this response only.
app.get('/', {}, (ctx) => {
  const nonce = cspNonce(ctx);
  return ctx.reply.type('text/html').send(`<script nonce="${nonce}">document.title = 'Shop'</script>`);
});

// A route changes a header for its own response.
app.get('/widget', {}, (ctx) => {
  ctx.header('x-frame-options', 'DENY');
  return { embeddable: false };
});

const client = testClient(app);
const items = await client.get('/items');
assert.equal(items.headers['x-content-type-options'], 'nosniff');
assert.equal(items.headers['referrer-policy'], 'same-origin');
assert.equal(items.headers['x-frame-options'], 'SAMEORIGIN');
assert.equal(items.headers['cross-origin-opener-policy'], undefined);
assert.match(
  String(items.headers['content-security-policy']),
  /img-src 'self' https:\/\/images\.example\.com/,
);
assert.match(String(items.headers['permissions-policy']), /camera=\(\)/);

const page = await client.get('/');
const nonce = /nonce="([^"]+)"/.exec(page.text)?.[1];
assert.match(
  String(page.headers['content-security-policy']),
  new RegExp(`script-src 'self' 'nonce-${nonce?.replace(/[+/]/g, '\\$&')}'`),
);

// Errors carry the headers too: a forged Host is a 400 with the same headers.
const forged = await client.get('/items', { headers: { host: 'evil.example' } });
assert.equal(forged.status, 400);
assert.equal(forged.headers['x-content-type-options'], 'nosniff');
assert.equal((await client.get('/widget')).headers['x-frame-options'], 'DENY');
await client.close();
