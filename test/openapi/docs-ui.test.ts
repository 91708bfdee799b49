/**
 * The docs routes, in process: the pages load only same-origin scripts under a strict CSP,
 * every asset they name is served with its type and a long cache, and `/openapi.json` is
 * the app's document.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { dependency, Router, t, type VoltApp, volt } from 'voltjs';
import { docsCsp, registerDocs } from '../../src/openapi/docs-ui.ts';
import { openapiDocument } from '../../src/openapi/openapi.ts';

function exampleApp(): VoltApp {
  const app = volt({ logger: false, envFile: false, info: { title: 'Shop <&> "docs"', version: '1.0.0' } });
  app.get('/items/:id', { params: t.Object({ id: t.Integer() }) }, (ctx) => ({ id: ctx.params.id }));
  return app;
}

async function get(app: VoltApp, url: string, headers: Record<string, string> = {}) {
  return app.fastify.inject({ method: 'GET', url, headers });
}

/** The `src` of every script and the `href` of every stylesheet and icon of a page. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/<(?:script src|link rel="[^"]+"(?: type="[^"]+")? href)="([^"]+)"/g)].map(
    (m) => m[1]!,
  );
}

describe('the docs pages', () => {
  const app = exampleApp();

  for (const [page, renderer, csp] of [
    ['/docs', 'swagger-ui-bundle.js', docsCsp()],
    ['/redoc', 'scalar.js', docsCsp({ inlineStyles: true })],
  ] as const) {
    test(`${page} is HTML under a strict CSP, with no inline script`, async () => {
      const res = await get(app, page);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['content-security-policy'], csp);
      assert.match(csp, /default-src 'none'; script-src 'self';/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['cache-control'], 'no-cache');
      const scripts = [...res.body.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
      assert.equal(scripts.length, 2);
      for (const [tag, content] of scripts) {
        assert.match(tag, /^<script src="\/[^"]+">/);
        assert.equal(content, '');
      }
      assert.doesNotMatch(res.body, /\son\w+=|style=|https?:\/\//);
      assert.match(
        res.body,
        new RegExp(`<script src="${page}/assets/${renderer.replace('.', '\\.')}\\?v=[\\w-]+">`),
      );
      assert.match(res.body, /data-openapi-url="\/openapi\.json"/);
      assert.match(res.body, /<title>Shop &lt;&amp;&gt; &quot;docs&quot; — /);
    });

    test(`${page}'s assets are served with their type, the CSP and a long cache`, async () => {
      const urls = assetUrls((await get(app, page)).body);
      assert.ok(urls.length >= 3, `assets of ${page}: ${urls.join(', ')}`);
      for (const url of urls) {
        const res = await get(app, url);
        assert.equal(res.statusCode, 200, url);
        const expected = url.includes('.js?')
          ? /^text\/javascript/
          : url.includes('.css?')
            ? /^text\/css/
            : /^image\/svg\+xml/;
        assert.match(String(res.headers['content-type']), expected, url);
        assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', url);
        assert.equal(res.headers['content-security-policy'], docsCsp(), url);
        assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
        assert.ok(res.rawPayload.length > 0, url);
      }
    });
  }

  test('the renderers come from their npm packages', async () => {
    const swagger = await get(app, '/docs/assets/swagger-ui-bundle.js');
    assert.match(swagger.body, /SwaggerUIBundle/);
    const scalar = await get(app, '/redoc/assets/scalar.js');
    assert.match(scalar.body, /createApiReference/);
    const init = await get(app, '/redoc/assets/init.js');
    assert.match(init.body, /withDefaultFonts: false/);
  });

  test('a large asset is sent gzipped to a client that accepts it', async () => {
    const plain = await get(app, '/docs/assets/swagger-ui-bundle.js');
    const zipped = await get(app, '/docs/assets/swagger-ui-bundle.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'accept-encoding');
    assert.ok(zipped.rawPayload.length < plain.rawPayload.length / 2);
    assert.deepEqual(gunzipSync(zipped.rawPayload), plain.rawPayload);
  });

  test('an asset URL without its content hash is revalidated by its ETag', async () => {
    const first = await get(app, '/docs/assets/init.js');
    assert.equal(first.headers['cache-control'], 'no-cache');
    const etag = String(first.headers.etag);
    const again = await get(app, '/docs/assets/init.js', { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    const zipped = await get(app, '/docs/assets/swagger-ui-bundle.js', { 'accept-encoding': 'gzip' });
    const plain = await get(app, '/docs/assets/swagger-ui-bundle.js');
    assert.notEqual(zipped.headers.etag, plain.headers.etag);
  });

  test('only the listed assets are served', async () => {
    for (const url of [
      '/docs/assets/package.json',
      '/docs/assets/..%2Fpackage.json',
      '/redoc/assets/constructor',
    ]) {
      const res = await get(app, url);
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    }
  });
});

describe('/openapi.json', () => {
  test("is the app's document, built on the first request", async () => {
    const app = exampleApp();
    app.get('/later', () => 'declared after volt()');
    const res = await get(app, '/openapi.json');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['content-security-policy'], docsCsp());
    assert.deepEqual(res.json(), openapiDocument(app));
    assert.ok(res.json().paths['/later']);
  });

  test('a document error stops the start, naming the mistake', async () => {
    const app = exampleApp();
    app.get('/a', { operationId: 'same' }, () => 1);
    app.get('/b', { operationId: 'same' }, () => 1);
    await assert.rejects(app.ready(), (error: Error) => error.message.includes('same'));
  });
});

describe('registerDocs()', () => {
  test('serves the routes at the given URLs and leaves out the pages turned off', async () => {
    const app = volt({ docs: false, logger: false, envFile: false });
    registerDocs(app, { openapiUrl: '/api/schema.json', docsUrl: '/api/docs', redocUrl: false });
    app.get('/ping', () => 'pong');
    assert.equal((await get(app, '/api/schema.json')).statusCode, 200);
    const page = await get(app, '/api/docs');
    assert.match(page.body, /data-openapi-url="\/api\/schema\.json"/);
    assert.match(page.body, /src="\/api\/docs\/assets\/init\.js\?v=/);
    assert.equal((await get(app, '/redoc')).statusCode, 404);
    assert.equal((await get(app, '/openapi.json')).statusCode, 404);
    assert.deepEqual(
      app.routes.map((r) => r.path),
      ['/api/schema.json', '/api/docs', '/api/docs/assets/:name', '/ping'],
    );
  });

  test("the docs routes are the app's own: in its route table, behind its hooks, out of the document", async () => {
    const app = volt({ logger: false, envFile: false });
    const seen: string[] = [];
    app.on('request', (ctx) => {
      seen.push(ctx.request.url);
    });
    app.get('/ping', () => 'pong');
    const paths = app.routes.map((r) => `${r.method} ${r.path}`);
    for (const route of ['GET /openapi.json', 'GET /docs', 'GET /docs/assets/:name', 'GET /redoc'])
      assert.ok(paths.includes(route), route);
    const document = await get(app, '/openapi.json');
    assert.deepEqual(Object.keys(document.json().paths), ['/ping']);
    // The security layer's request hook, the first of the app, puts its headers on them too.
    assert.equal(document.headers['x-content-type-options'], 'nosniff');
    const page = await get(app, '/docs');
    assert.equal(page.statusCode, 200);
    assert.deepEqual(seen, ['/openapi.json', '/docs']);
  });

  test("the app's dependencies guard the docs routes too; a router's guard leaves them open", async () => {
    const apiKey = dependency({ headers: t.Object({ 'x-api-key': t.Literal('k') }) }, () => undefined);
    const guarded = volt({ logger: false, envFile: false, dependencies: [apiKey] });
    guarded.get('/ping', () => 'pong');
    assert.equal((await get(guarded, '/docs')).statusCode, 422);
    assert.equal((await get(guarded, '/openapi.json')).statusCode, 422);
    assert.equal((await get(guarded, '/docs', { 'x-api-key': 'k' })).statusCode, 200);
    const open = volt({ logger: false, envFile: false });
    const api = new Router({ dependencies: [apiKey] });
    api.get('/ping', () => 'pong');
    open.include(api);
    assert.equal((await get(open, '/docs')).statusCode, 200);
    assert.equal((await get(open, '/ping')).statusCode, 422);
  });

  test('volt() leaves the docs out when the docs setting is off', async () => {
    const app = volt({ logger: false, envFile: false, docs: false });
    for (const url of ['/openapi.json', '/docs', '/redoc'])
      assert.equal((await get(app, url)).statusCode, 404, url);
  });

  test('refuses a URL that is not a path', () => {
    const app = volt({ docs: false, logger: false, envFile: false });
    assert.throws(() => registerDocs(app, { docsUrl: 'docs' }), /docsUrl must be a path such as "\/docs"/);
    assert.throws(() => registerDocs(app, { openapiUrl: false }), /need the document/);
  });
});
