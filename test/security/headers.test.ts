/**
 * Security headers are on every response of a volt() app — pages, JSON, 404s,
 * errors, the ALLOWED_HOSTS 400, body-parse 400s — and each can be changed app-wide or per
 * response. cspNonce() opens the policy to one inline script or style for one response.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError } from '../../src/http/errors.ts';
import { t } from '../../src/openapi/t.ts';
import { cspNonce, securityHeaders } from '../../src/security/headers.ts';
import { testClient } from '../../src/testing/index.ts';
import { volt } from '../../src/volt.ts';
import { quietApp } from './support.ts';

const DEFAULT_CSP =
  "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; " +
  "script-src 'self'; style-src 'self'; img-src 'self' data:";

const DEFAULTS: Record<string, string> = {
  'content-security-policy': DEFAULT_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function assertDefaults(headers: Record<string, unknown>, label: string): void {
  for (const [name, value] of Object.entries(DEFAULTS))
    assert.equal(headers[name], value, `${label}: ${name}`);
  const permissions = String(headers['permissions-policy']);
  for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb'])
    assert.ok(permissions.includes(`${feature}=()`), `${label}: permissions-policy lacks ${feature}`);
  assert.equal(headers['strict-transport-security'], undefined, `${label}: no HSTS outside production`);
}

function app(options: Parameters<typeof quietApp>[0] = {}) {
  const app = quietApp({ bodyLimit: 100, ...options });
  app.get('/json', {}, () => ({ ok: true }));
  app.get('/page', {}, (ctx) => ctx.reply.type('text/html; charset=utf-8').send('<h1>Hi</h1>'));
  app.get('/boom', {}, () => {
    throw new Error('internal');
  });
  app.get('/teapot', {}, () => {
    throw new HttpError(418, { detail: 'short and stout' });
  });
  app.post('/items', { body: t.Object({ n: t.Integer() }) }, (ctx) => ctx.body);
  app.get('/items/:id', {}, (ctx) => ctx.params);
  return app;
}

describe('every response carries the headers', () => {
  test('JSON, HTML, 404, 405, 500, 418, 422, the Host 400, bad JSON 400, 413, router 400/414, 415', async () => {
    const client = testClient(app());
    const cases: Array<[string, () => ReturnType<typeof client.get>, number]> = [
      ['json', () => client.get('/json'), 200],
      ['html', () => client.get('/page'), 200],
      ['404', () => client.get('/missing'), 404],
      ['405', () => client.delete('/json'), 405],
      ['500', () => client.get('/boom'), 500],
      ['418', () => client.get('/teapot'), 418],
      ['422', () => client.post('/items', { json: { n: 'x' } }), 422],
      ['host', () => client.get('/json', { headers: { host: 'evil.test' } }), 400],
      [
        'bad json',
        () => client.post('/items', { body: '{"n":', headers: { 'content-type': 'application/json' } }),
        400,
      ],
      ['413', () => client.post('/items', { json: { n: 1, pad: 'x'.repeat(200) } }), 413],
      ['bad url', () => client.get('/items/%zz'), 400],
      ['long parameter', () => client.get(`/items/${'x'.repeat(200)}`), 414],
      [
        'media type',
        () => client.post('/items', { body: 'x', headers: { 'content-type': 'application/xml' } }),
        415,
      ],
    ];
    for (const [label, send, status] of cases) {
      const res = await send();
      assert.equal(res.status, status, label);
      assertDefaults(res.headers, label);
    }
    await client.close();
  });

  test('HSTS follows hstsSeconds, which defaults to one year in production', async () => {
    const seconds = testClient(app({ hstsSeconds: 600 }));
    assert.equal(
      (await seconds.get('/json')).headers['strict-transport-security'],
      'max-age=600; includeSubDomains',
    );
    const production = testClient(
      app({ env: 'production', secretKey: 'production-k3y-'.repeat(5), allowedHosts: ['localhost'] }),
    );
    assert.equal(
      (await production.get('/missing')).headers['strict-transport-security'],
      'max-age=31536000; includeSubDomains',
    );
  });
});

describe('changing the headers', () => {
  test('app options replace a header, merge CSP directives, and false drops a header', async () => {
    const client = testClient(
      app({
        securityHeaders: {
          contentSecurityPolicy: { 'img-src': ["'self'", 'https://cdn.example.com'], 'base-uri': false },
          referrerPolicy: 'no-referrer',
          frameOptions: false,
          crossOriginOpenerPolicy: false,
          permissionsPolicy: { camera: ['self'] },
        },
      }),
    );
    const { headers } = await client.get('/json');
    assert.equal(
      headers['content-security-policy'],
      "default-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; " +
        "script-src 'self'; style-src 'self'; img-src 'self' https://cdn.example.com",
    );
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.equal(headers['x-frame-options'], undefined);
    assert.equal(headers['cross-origin-opener-policy'], undefined);
    assert.match(String(headers['permissions-policy']), /camera=\(self\)/);
    assert.match(String(headers['permissions-policy']), /microphone=\(\)/);
    assert.equal(headers['x-content-type-options'], 'nosniff');
  });

  test('a CSP string is the whole policy; false sends none', async () => {
    const custom = testClient(app({ securityHeaders: { contentSecurityPolicy: "default-src 'none'" } }));
    assert.equal((await custom.get('/json')).headers['content-security-policy'], "default-src 'none'");
    const none = testClient(app({ securityHeaders: { contentSecurityPolicy: false } }));
    assert.equal((await none.get('/json')).headers['content-security-policy'], undefined);
  });

  test('a route changes or removes a header for its own response with ctx.header()', async () => {
    const server = app();
    server.get('/embeddable', {}, (ctx) => {
      ctx.header('x-frame-options', 'SAMEORIGIN');
      ctx.reply.removeHeader('cross-origin-opener-policy');
      return { ok: true };
    });
    const client = testClient(server);
    const res = await client.get('/embeddable');
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(res.headers['cross-origin-opener-policy'], undefined);
    assert.equal((await client.get('/json')).headers['x-frame-options'], 'DENY');
  });

  test('a header value with a line break is refused at startup', () => {
    assert.throws(
      () => securityHeaders({ hstsSeconds: 0 }, { referrerPolicy: 'same-origin\r\nset-cookie: a=b' }),
      /line break/,
    );
  });
});

describe('cspNonce', () => {
  function nonceApp(options: Parameters<typeof quietApp>[0] = {}) {
    const server = quietApp(options);
    server.get('/page', {}, (ctx) => {
      const nonce = cspNonce(ctx);
      assert.equal(cspNonce(ctx), nonce, 'one nonce per request');
      return ctx.reply.type('text/html').send(`<script nonce="${nonce}">go()</script>`);
    });
    server.get('/own-policy', {}, (ctx) => {
      ctx.header('content-security-policy', "default-src 'self' https://cdn.example.com; object-src 'none'");
      return { nonce: cspNonce(ctx) };
    });
    server.get('/plain', {}, () => ({ ok: true }));
    return server;
  }

  test('adds a fresh 16-byte nonce to script-src and style-src of that response only', async () => {
    const client = testClient(nonceApp());
    const first = await client.get('/page');
    const nonce = /nonce="([^"]+)"/.exec(first.text)![1]!;
    assert.equal(Buffer.from(nonce, 'base64').length, 16);
    assert.equal(
      first.headers['content-security-policy'],
      DEFAULT_CSP.replace("script-src 'self'", `script-src 'self' 'nonce-${nonce}'`).replace(
        "style-src 'self'",
        `style-src 'self' 'nonce-${nonce}'`,
      ),
    );
    const second = await client.get('/page');
    assert.notEqual(/nonce="([^"]+)"/.exec(second.text)![1], nonce);
    assert.equal((await client.get('/plain')).headers['content-security-policy'], DEFAULT_CSP);
  });

  test('a policy without script-src gets one from default-src, so the nonce only widens it', async () => {
    const client = testClient(nonceApp());
    const res = await client.get('/own-policy');
    const { nonce } = res.json<{ nonce: string }>();
    assert.equal(
      res.headers['content-security-policy'],
      `default-src 'self' https://cdn.example.com; object-src 'none'; ` +
        `script-src 'self' https://cdn.example.com 'nonce-${nonce}'; ` +
        `style-src 'self' https://cdn.example.com 'nonce-${nonce}'`,
    );
  });

  test("'none' in script-src is replaced by the nonce; without a CSP header there is nothing to rewrite", async () => {
    const strict = testClient(
      nonceApp({ securityHeaders: { contentSecurityPolicy: { 'script-src': ["'none'"] } } }),
    );
    const res = await strict.get('/page');
    const nonce = /nonce="([^"]+)"/.exec(res.text)![1]!;
    assert.match(
      String(res.headers['content-security-policy']),
      new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`),
    );
    const off = testClient(nonceApp({ securityHeaders: { contentSecurityPolicy: false } }));
    assert.equal((await off.get('/page')).headers['content-security-policy'], undefined);
  });
});

describe('the docs pages keep their own policy', () => {
  test('/docs sends its CSP, the other headers stay', async () => {
    const client = testClient(volt({ logger: false, envFile: false }));
    const res = await client.get('/docs');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-security-policy']), /^default-src 'none'/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal((await client.get('/openapi.json')).headers['x-content-type-options'], 'nosniff');
  });
});
