/**
 * The document says what the server does: every media type a route sends, the error responses
 * every operation can answer, where the API is served, which operations are public; and a
 * standard linter (Redocly CLI, `recommended` rules, run offline) finds nothing to report on the
 * examples' documents.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { dependency, rateLimit, t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';
import { type OpenApiDocument, type OpenApiResponse, openapiDocument } from '../../src/openapi/openapi.ts';

const run = promisify(execFile);

function app(options: Parameters<typeof volt>[0] = {}) {
  return volt({ logger: false, envFile: false, ...options });
}

async function* one(item: string) {
  yield item;
}

function operation(doc: OpenApiDocument, path: string, method: 'get' | 'post' | 'put' | 'delete' = 'get') {
  const found = doc.paths[path]?.[method];
  assert.ok(found, `no ${method} ${path}`);
  return found;
}

function success(doc: OpenApiDocument, path: string, status = 200): OpenApiResponse {
  const found = operation(doc, path).responses[String(status)];
  assert.ok(found && !('$ref' in found));
  return found as OpenApiResponse;
}

describe('every media type a route sends is documented', () => {
  const shop = app();
  shop.get('/plain', { contentType: 'text/plain' }, () => 'hello');
  shop.get('/string', { response: { 200: t.String({ maxLength: 10 }) } }, () => 'hello');
  shop.get('/report.csv', { contentType: 'text/csv' }, (ctx) => ctx.stream(['a,b\n', '1,2\n']));
  shop.get('/archive', { contentType: 'application/zip' }, (ctx) => ctx.stream([new Uint8Array([80, 75])]));
  shop.get('/ticks', { events: t.Object({ n: t.Integer() }) }, (ctx) =>
    ctx.sse(
      (async function* () {
        yield { n: 1 };
      })(),
    ),
  );
  shop.get('/words', { events: t.String() }, (ctx) => ctx.sse(one('a')));
  shop.get('/untyped', { contentType: 'text/event-stream' }, (ctx) => ctx.sse(one('a')));
  const doc = openapiDocument(shop);

  test('text: a declared text type, or a string schema (Fastify sends strings as text/plain)', () => {
    assert.deepEqual(success(doc, '/plain').content, { 'text/plain': { schema: { type: 'string' } } });
    assert.deepEqual(success(doc, '/string').content, {
      'text/plain': { schema: { type: 'string', maxLength: 10 } },
    });
    assert.deepEqual(success(doc, '/report.csv').content, { 'text/csv': { schema: { type: 'string' } } });
  });

  test('bytes: the declared type with no schema, as OpenAPI 3.1 describes binary bodies', () => {
    assert.deepEqual(success(doc, '/archive').content, { 'application/zip': {} });
  });

  test('Server-Sent Events: the list of events, typed by `events` (JSON data, or the string itself)', () => {
    const schema = success(doc, '/ticks').content?.['text/event-stream']?.schema as Record<string, any>;
    assert.equal(schema.type, 'array');
    assert.deepEqual(schema.items.required, ['data']);
    assert.deepEqual(schema.items.properties.data, {
      type: 'string',
      contentMediaType: 'application/json',
      contentSchema: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    });
    const words = success(doc, '/words').content?.['text/event-stream']?.schema as Record<string, any>;
    assert.deepEqual(words.items.properties.data, { type: 'string' });
    const untyped = success(doc, '/untyped').content?.['text/event-stream']?.schema as Record<string, any>;
    assert.equal(untyped.type, 'string');
  });

  test('the declared type is what the server sends', async () => {
    const client = testClient(shop);
    const plain = await client.get('/plain');
    assert.equal(plain.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(plain.text, 'hello');
    const csv = await client.get('/report.csv');
    assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(csv.text, 'a,b\n1,2\n');
    assert.equal((await client.get('/archive')).headers['content-type'], 'application/zip');
    assert.equal((await client.get('/ticks')).headers['content-type'], 'text/event-stream; charset=utf-8');
    await client.close();
  });

  test('a Content-Type the handler sets wins over the declared one', async () => {
    const a = app();
    a.get('/x', { contentType: 'text/plain' }, (ctx) => {
      ctx.header('content-type', 'text/markdown; charset=utf-8');
      return '# x';
    });
    const res = await testClient(a).get('/x');
    assert.equal(res.headers['content-type'], 'text/markdown; charset=utf-8');
  });
});

describe('the error responses every operation can answer', () => {
  const shop = app();
  shop.get('/health', () => ({ ok: true }));
  shop.get('/items/:id', { params: t.Object({ id: t.Integer() }) }, () => ({}));
  shop.post('/items', { body: t.Object({ name: t.String() }) }, () => ({}));
  shop.put('/flags/:name', { responseDescriptions: { 400: 'The flag name is reserved' } }, () => ({}));
  const doc = openapiDocument(shop);
  const refs = (path: string, method: 'get' | 'post' | 'put' = 'get') =>
    Object.fromEntries(
      Object.entries(operation(doc, path, method).responses).map(([status, r]) => [
        status,
        '$ref' in r ? r.$ref.replace('#/components/responses/', '') : 'own',
      ]),
    );

  test('400, 408, 417, 431, 500 and 503 everywhere; 403 on unsafe methods; 413/415 where a body is read; 414 with path parameters; 422 where input is validated', () => {
    const everywhere = {
      400: 'BadRequest',
      408: 'RequestTimeout',
      417: 'ExpectationFailed',
      431: 'RequestHeaderFieldsTooLarge',
      500: 'InternalServerError',
      503: 'ServiceUnavailable',
    };
    assert.deepEqual(refs('/health'), { 200: 'own', ...everywhere });
    assert.deepEqual(refs('/items/{id}'), {
      200: 'own',
      ...everywhere,
      414: 'UriTooLong',
      422: 'ValidationError',
    });
    assert.deepEqual(refs('/items', 'post'), {
      200: 'own',
      ...everywhere,
      403: 'CrossSiteRequestRefused',
      413: 'ContentTooLarge',
      415: 'UnsupportedMediaType',
      422: 'ValidationError',
    });
    // A status the route documents itself is its own.
    assert.equal(refs('/flags/{name}', 'put')['400'], 'own');
    assert.equal(refs('/flags/{name}', 'put')['413'], 'ContentTooLarge');
  });

  test("a rate limit's 429 is documented on the routes that use it", () => {
    const limited = app();
    limited.get('/search', { dependencies: [rateLimit({ limit: 1, window: 60 })] }, () => []);
    const response = operation(openapiDocument(limited), '/search').responses['429'];
    assert.ok(response && !('$ref' in response));
    assert.match(response.description, /Retry-After/);
  });

  test('each is described once, as a problem with the X-Request-Id header', () => {
    const responses = doc.components?.responses ?? {};
    assert.deepEqual(Object.keys(responses), [
      'BadRequest',
      'CrossSiteRequestRefused',
      'RequestTimeout',
      'ContentTooLarge',
      'UriTooLong',
      'UnsupportedMediaType',
      'ExpectationFailed',
      'ValidationError',
      'RequestHeaderFieldsTooLarge',
      'InternalServerError',
      'ServiceUnavailable',
    ]);
    for (const [name, shared] of Object.entries(responses)) {
      assert.ok(shared.headers?.['X-Request-Id'], name);
      const schema = shared.content?.['application/problem+json']?.schema;
      assert.deepEqual(
        schema,
        {
          $ref: `#/components/schemas/${name === 'ValidationError' ? 'ValidationProblem' : 'ProblemDetails'}`,
        },
        name,
      );
    }
    assert.ok(responses.ServiceUnavailable?.headers?.['Retry-After']);
    const problem = doc.components?.schemas?.ProblemDetails as { properties: Record<string, unknown> };
    assert.ok(problem.properties.instance, 'the request id a 500 carries is documented');
  });

  test('they are what the server answers', async () => {
    const client = testClient(shop);
    const tooLarge = await client.post('/items', {
      body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(tooLarge.status, 413);
    const wrongType = await client.post('/items', {
      body: '<x/>',
      headers: { 'content-type': 'application/xml' },
    });
    assert.equal(wrongType.status, 415);
    const longId = await client.get(`/items/${'1'.repeat(200)}`);
    assert.equal(longId.status, 414);
    const badJson = await client.post('/items', {
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(badJson.status, 400);
    await client.close();
  });
});

describe('servers, security and descriptions', () => {
  test('servers: SITE_URL when set, else the origin serving the document, or as given', () => {
    assert.deepEqual(openapiDocument(app()).servers, [{ url: '/' }]);
    assert.deepEqual(openapiDocument(app({ siteUrl: 'https://shop.example.org' })).servers, [
      { url: 'https://shop.example.org' },
    ]);
    const servers = [{ url: 'https://api.example.org/v1', description: 'Production' }];
    assert.deepEqual(openapiDocument(app({ servers })).servers, servers);
  });

  test('with security schemes, a public operation says `security: []`; without any, the document does', () => {
    const bearer = dependency({ security: [{ bearerAuth: [] }] }, () => 'user');
    const secured = app({ securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } });
    secured.get('/me', { deps: { user: bearer } }, () => ({}));
    secured.get('/public', () => ({}));
    const doc = openapiDocument(secured);
    assert.deepEqual(operation(doc, '/me').security, [{ bearerAuth: [] }]);
    assert.deepEqual(operation(doc, '/public').security, []);
    assert.equal(doc.security, undefined);

    const open = app();
    open.get('/public', () => ({}));
    const openDoc = openapiDocument(open);
    assert.deepEqual(openDoc.security, []);
    assert.equal(operation(openDoc, '/public').security, undefined);
  });

  test('the license and the tag descriptions', () => {
    const described = app({
      info: { title: 'Shop', version: '1', license: { name: 'MIT', identifier: 'MIT' } },
      tagDescriptions: { items: 'What the shop sells.', unused: 'Not on any route.' },
    });
    described.get('/items', { tags: ['items', 'catalog'] }, () => []);
    const doc = openapiDocument(described);
    assert.deepEqual(doc.info.license, { name: 'MIT', identifier: 'MIT' });
    assert.deepEqual(doc.tags, [{ name: 'items', description: 'What the shop sells.' }, { name: 'catalog' }]);
  });
});

describe("a standard linter's recommended rules", () => {
  const dir = mkdtempSync(join(tmpdir(), 'volt-redocly-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cli = join(import.meta.dirname, '..', '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

  /** Lints a document with Redocly CLI's built-in `recommended` rules; answers its problems. */
  async function lint(doc: OpenApiDocument, name: string) {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(doc));
    const { stdout } = await run(process.execPath, [cli, 'lint', file, '--format=json'], {
      cwd: dir,
      // Offline: no telemetry, no update check.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; severity: string; message: string }>;
    };
    return report;
  }

  test('find nothing in the hello and library examples', { timeout: 60_000 }, async () => {
    process.env.VOLT_ENV ??= 'test';
    const hello = (await import('../../examples/hello/app.ts')).app;
    const library = (await import('../../examples/library/app.ts')).app;
    try {
      for (const [name, example] of [
        ['hello', hello],
        ['library', library],
      ] as const) {
        const doc = openapiDocument(example);
        // Every status documented is one a client can receive: never nginx's 499, sent to nobody.
        for (const [path, item] of Object.entries(doc.paths))
          for (const [method, op] of Object.entries(item ?? {})) {
            assert.equal(op?.responses['499'], undefined, `${method} ${path} documents a 499`);
            // An operation that requires credentials answers 401 without them.
            if (op?.security?.some((requirement) => Object.keys(requirement).length > 0))
              assert.ok(op.responses['401'], `${method} ${path} requires credentials but has no 401`);
          }
        const report = await lint(doc, name);
        assert.deepEqual(
          report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`),
          [],
          `${name}: ${report.totals.errors} errors, ${report.totals.warnings} warnings`,
        );
      }
    } finally {
      await Promise.all([hello.close(), library.close()]);
    }
  });

  test('do report what they should (the linter runs)', { timeout: 60_000 }, async () => {
    const doc = openapiDocument(app());
    const broken = { ...doc, servers: [] } as unknown as OpenApiDocument;
    const report = await lint(broken, 'broken');
    assert.ok(report.problems.some((p) => p.ruleId === 'no-empty-servers'));
  });
});
