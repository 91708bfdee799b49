/**
 * The OpenAPI document: what each route declaration becomes, the mistakes it refuses, and
 * that the documents of a test app and of the example app are valid OpenAPI 3.1 whose every
 * schema compiles as JSON Schema 2020-12.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { dependency, Router, t, type VoltApp, volt } from 'voltjs';
import {
  deriveOperationId,
  type JsonSchema,
  type OpenApiDocument,
  OpenApiError,
  type OpenApiResponse,
  openapiDocument,
  summaryOf,
  toOpenApiPath,
} from '../../src/openapi/openapi.ts';

// ajv-formats is CommonJS with a default export property.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const Item = t.Object({ id: t.Integer(), name: t.String() }, { $id: 'Item' });

/** An app using every part of a route declaration the document describes. */
function shopApp(): VoltApp {
  const app = volt({
    logger: false,
    envFile: false,
    info: { title: 'Shop', version: '2.0.0', description: 'A test shop.' },
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    security: [{ bearerAuth: [] }],
  });
  const page = dependency(
    {
      query: t.Object({
        limit: t.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size' }),
      }),
    },
    (ctx) => ctx.query.limit,
  );
  const apiKey = dependency({ headers: t.Object({ 'x-api-key': t.String() }) }, () => undefined);
  const items = new Router({ prefix: '/items', tags: ['items'], dependencies: [apiKey] });
  items.get(
    '/',
    {
      summary: 'List items',
      tags: ['catalog'],
      deps: { page },
      query: t.Object({
        q: t.Optional(t.String({ description: 'Search text' })),
        sort: t.Optional(t.String({ deprecated: true })),
      }),
      response: { 200: t.Array(Item) },
    },
    () => [],
  );
  items.get(
    '/:id',
    {
      params: t.Object({ id: t.Integer({ minimum: 1 }) }),
      headers: t.Object({ 'x-trace': t.Optional(t.String()), authorization: t.Optional(t.String()) }),
      cookies: t.Object({ session: t.String() }),
      response: { 200: Item, 404: t.Object({ title: t.String() }) },
      responseDescriptions: { 404: 'No such item' },
    },
    () => ({ id: 1, name: 'Pen' }),
  );
  items.post(
    '/',
    {
      operationId: 'createItem',
      status: 201,
      body: t.Object({ name: t.String({ minLength: 1 }) }),
      response: { 201: Item },
    },
    () => ({ id: 1, name: 'Pen' }),
  );
  items.delete(
    '/:id',
    { status: 204, deprecated: true, responseDescriptions: { 404: 'No such item', 422: 'Bad key' } },
    () => undefined,
  );
  app.include(items);
  app.get('/health', { security: [], tags: ['ops'] }, () => ({ ok: true }));
  app.post('/jobs', { status: 202 }, () => ({ queued: true }));
  app.get('/internal', { hidden: true }, () => 'hidden');
  app.get('/files/*', () => 'a file');
  app.get('/featured', { response: { 200: t.Ref('Item') } }, () => ({ id: 1, name: 'Pen' }));
  return app;
}

/** The operation at `path` and `method`, failing the test when it is missing. */
function op(doc: OpenApiDocument, path: string, method: 'get' | 'post' | 'delete') {
  const operation = doc.paths[path]?.[method];
  assert.ok(operation, `no ${method} ${path} in ${Object.keys(doc.paths).join(', ')}`);
  return operation;
}

/** The response of an operation for `status`, failing the test when it is missing or a reference. */
function response(doc: OpenApiDocument, path: string, method: 'get' | 'post' | 'delete', status: number) {
  const found = op(doc, path, method).responses[String(status)];
  assert.ok(found && !('$ref' in found), `${method} ${path} ${status} is ${JSON.stringify(found)}`);
  return found as OpenApiResponse;
}

function params(doc: OpenApiDocument, path: string, method: 'get' | 'post' | 'delete') {
  return Object.fromEntries((op(doc, path, method).parameters ?? []).map((p) => [`${p.in}:${p.name}`, p]));
}

/** Every schema of a document: parameters, bodies, responses and components. */
function allSchemas(doc: OpenApiDocument): Array<[string, JsonSchema]> {
  const found: Array<[string, JsonSchema]> = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method} ${path}`;
      for (const p of operation.parameters ?? []) found.push([`${where} ${p.in} ${p.name}`, p.schema]);
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        if (media.schema) found.push([`${where} body ${type}`, media.schema]);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if ('$ref' in response) continue;
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (media.schema) found.push([`${where} ${status} ${type}`, media.schema]);
        }
      }
    }
  }
  for (const [name, response] of Object.entries(doc.components?.responses ?? {})) {
    for (const [type, media] of Object.entries(response.content ?? {})) {
      if (media.schema) found.push([`response ${name} ${type}`, media.schema]);
    }
  }
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {}))
    found.push([`component ${name}`, schema]);
  return found;
}

/**
 * Fails unless the document is valid OpenAPI 3.1 (@readme/openapi-parser checks the structure,
 * path parameters and operation ids) and every schema in it compiles with ajv's strict
 * 2020-12 dialect (the parser does not look inside schemas).
 */
async function assertValidDocument(doc: OpenApiDocument): Promise<void> {
  // The parser resolves references in place: give it a copy.
  const result = await validate(structuredClone(doc) as unknown as Parameters<typeof validate>[0]);
  assert.ok(result.valid, `invalid OpenAPI document: ${JSON.stringify(result.valid ? [] : result.errors)}`);
  assert.deepEqual(result.warnings, []);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // Lets a schema's `#/components/schemas/…` references resolve inside the wrapper below.
  ajv.addKeyword({ keyword: 'components' });
  const components = { schemas: doc.components?.schemas ?? {} };
  for (const [where, schema] of allSchemas(doc)) {
    assert.doesNotThrow(() => ajv.compile({ ...schema, components }), `${where} does not compile`);
  }
}

describe('paths and operation ids', () => {
  test('Volt paths become OpenAPI templates', () => {
    assert.deepEqual(toOpenApiPath('/users/:id/posts/:postId'), {
      path: '/users/{id}/posts/{postId}',
      params: ['id', 'postId'],
    });
    assert.deepEqual(toOpenApiPath('/at/:hour(^\\d{2})h:minute(^\\d{2})m'), {
      path: '/at/{hour}h{minute}m',
      params: ['hour', 'minute'],
    });
    assert.deepEqual(toOpenApiPath('/near/:lat-:lng'), { path: '/near/{lat}-{lng}', params: ['lat', 'lng'] });
    assert.deepEqual(toOpenApiPath('/name::verb'), { path: '/name:verb', params: [] });
    assert.deepEqual(toOpenApiPath('/opt/:id?'), { path: '/opt/{id}', params: ['id'] });
  });

  test('operation ids are derived from the method and the path', () => {
    assert.equal(deriveOperationId('GET', '/'), 'getRoot');
    assert.equal(deriveOperationId('GET', '/notes/:id/tags'), 'getNotesByIdTags');
    assert.equal(deriveOperationId('POST', '/user-groups/'), 'postUserGroups');
    assert.equal(deriveOperationId('DELETE', '/files/*'), 'deleteFilesByPath');
  });
});

describe('a route declaration in the document', () => {
  const doc = openapiDocument(shopApp());

  test('info and the documented paths', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.info, { title: 'Shop', version: '2.0.0', description: 'A test shop.' });
    // Relative to the document: the origin that serves it.
    assert.deepEqual(doc.servers, [{ url: '/' }]);
    assert.deepEqual(Object.keys(doc.paths), [
      '/items',
      '/items/{id}',
      '/health',
      '/jobs',
      '/files/{*}',
      '/featured',
    ]);
  });

  test('hidden routes and the docs routes are left out', () => {
    assert.equal(doc.paths['/internal'], undefined);
    assert.equal(doc.paths['/openapi.json'], undefined);
    assert.equal(doc.paths['/docs'], undefined);
  });

  test('path, query, header and cookie parameters', () => {
    const p = params(doc, '/items/{id}', 'get');
    assert.deepEqual(p['path:id'], {
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'integer', minimum: 1 },
    });
    assert.deepEqual(p['header:x-trace'], {
      name: 'x-trace',
      in: 'header',
      required: false,
      schema: { type: 'string' },
    });
    assert.deepEqual(p['cookie:session'], {
      name: 'session',
      in: 'cookie',
      required: true,
      schema: { type: 'string' },
    });
    // OpenAPI ignores an Authorization header parameter: security schemes describe it.
    assert.equal(p['header:authorization'], undefined);
  });

  test('a path parameter without a params schema is a string', () => {
    assert.deepEqual(params(doc, '/items/{id}', 'delete')['path:id']?.schema, { type: 'string' });
  });

  test('descriptions and deprecation move from the schema to the parameter', () => {
    const p = params(doc, '/items', 'get');
    assert.deepEqual(p['query:q'], {
      name: 'q',
      in: 'query',
      required: false,
      description: 'Search text',
      schema: { type: 'string' },
    });
    assert.equal(p['query:sort']?.deprecated, true);
    assert.equal('deprecated' in (p['query:sort']?.schema ?? {}), false);
  });

  test("a dependency's own query and header parameters appear on every route using it", () => {
    const list = params(doc, '/items', 'get');
    assert.deepEqual(list['query:limit'], {
      name: 'limit',
      in: 'query',
      // Validation fills in the default, so clients may leave it out.
      required: false,
      description: 'Page size',
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    });
    for (const [path, method] of [
      ['/items', 'get'],
      ['/items/{id}', 'get'],
      ['/items', 'post'],
      ['/items/{id}', 'delete'],
    ] as const) {
      assert.equal(params(doc, path, method)['header:x-api-key']?.required, true, `${method} ${path}`);
    }
    assert.equal(op(doc, '/health', 'get').parameters, undefined);
  });

  test('the body', () => {
    assert.deepEqual(op(doc, '/items', 'post').requestBody, {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', minLength: 1 } },
          },
        },
      },
    });
  });

  test('examples declared on schemas reach the document', () => {
    const app = volt({ logger: false, envFile: false });
    const NewItem = t.Object({ name: t.String() }, { examples: [{ name: 'Pen' }] });
    app.post(
      '/examples',
      { body: NewItem, query: t.Object({ q: t.Optional(t.String({ examples: ['pens'] })) }) },
      () => ({}),
    );
    const operation = op(openapiDocument(app), '/examples', 'post');
    assert.deepEqual(operation.requestBody?.content['application/json']?.schema?.examples, [{ name: 'Pen' }]);
    assert.deepEqual(operation.parameters?.find((p) => p.name === 'q')?.schema.examples, ['pens']);
  });

  test('declared responses, with named schemas as components', () => {
    assert.deepEqual(response(doc, '/items/{id}', 'get', 200), {
      description: 'OK',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
    });
    assert.equal(response(doc, '/items/{id}', 'get', 404).description, 'No such item');
    assert.deepEqual(doc.components?.schemas?.Item, {
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'integer' }, name: { type: 'string' } },
    });
    assert.deepEqual(response(doc, '/items', 'get', 200).content?.['application/json']?.schema, {
      type: 'array',
      items: { $ref: '#/components/schemas/Item' },
    });
    assert.equal(response(doc, '/items', 'post', 201).description, 'Created');
    // `t.Ref('Item')` points at the schema whose $id is Item.
    assert.deepEqual(response(doc, '/featured', 'get', 200).content?.['application/json']?.schema, {
      $ref: '#/components/schemas/Item',
    });
  });

  test('an error status with only a description is documented as problem details', () => {
    assert.deepEqual(response(doc, '/items/{id}', 'delete', 404), {
      description: 'No such item',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
    });
    assert.deepEqual(response(doc, '/items/{id}', 'delete', 422), {
      description: 'Bad key',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ValidationProblem' } } },
    });
  });

  test('a default success response when none is declared', () => {
    assert.deepEqual(response(doc, '/jobs', 'post', 202), { description: 'Accepted' });
    assert.deepEqual(response(doc, '/items/{id}', 'delete', 204), { description: 'No Content' });
  });

  test('a 422 problem+json response on every route that validates input', () => {
    for (const [path, method] of [
      ['/items', 'get'],
      ['/items/{id}', 'get'],
      ['/items', 'post'],
    ] as const) {
      assert.deepEqual(op(doc, path, method).responses['422'], {
        $ref: '#/components/responses/ValidationError',
      });
    }
    assert.equal(op(doc, '/health', 'get').responses['422'], undefined);
    assert.deepEqual(doc.components?.responses?.ValidationError?.content, {
      'application/problem+json': { schema: { $ref: '#/components/schemas/ValidationProblem' } },
    });
    const problem = doc.components?.schemas?.ValidationProblem;
    assert.deepEqual(problem?.required, ['type', 'title', 'status', 'code', 'errors']);
    assert.ok(doc.components?.schemas?.ProblemDetails);
  });

  test('tags from routers and routes', () => {
    assert.deepEqual(op(doc, '/items', 'get').tags, ['items', 'catalog']);
    assert.deepEqual(op(doc, '/items', 'post').tags, ['items']);
    assert.equal(op(doc, '/jobs', 'post').tags, undefined);
    assert.deepEqual(doc.tags, [{ name: 'items' }, { name: 'catalog' }, { name: 'ops' }]);
  });

  test("security: the route's own, else the app's", () => {
    assert.deepEqual(op(doc, '/items', 'get').security, [{ bearerAuth: [] }]);
    assert.deepEqual(op(doc, '/health', 'get').security, []);
    assert.deepEqual(doc.components?.securitySchemes, { bearerAuth: { type: 'http', scheme: 'bearer' } });
  });

  test('summary, operation ids and deprecation', () => {
    assert.equal(op(doc, '/items', 'get').summary, 'List items');
    // Without one, a summary is made from the operation id.
    assert.equal(op(doc, '/items/{id}', 'get').summary, 'Get items by id');
    assert.equal(op(doc, '/items', 'post').summary, 'Create item');
    assert.equal(summaryOf('getRoot'), 'Get root');
    assert.equal(op(doc, '/items', 'get').operationId, 'getItems');
    assert.equal(op(doc, '/items', 'post').operationId, 'createItem');
    assert.equal(op(doc, '/items/{id}', 'delete').deprecated, true);
    assert.equal(op(doc, '/items', 'get').deprecated, undefined);
  });

  test('TypeBox internals do not leak', () => {
    assert.doesNotMatch(JSON.stringify(doc), /~kind|~optional|"\$id"/);
  });
});

describe('mistakes the document refuses', () => {
  const app = () => volt({ logger: false, envFile: false });

  test('a duplicate operationId names both routes', () => {
    const a = app();
    a.get('/a', { operationId: 'same' }, () => 1);
    a.post('/b', { operationId: 'same' }, () => 1);
    assert.throws(
      () => openapiDocument(a),
      (error: unknown) =>
        error instanceof OpenApiError &&
        error.code === 'VOLT_OPENAPI_DUPLICATE_OPERATION_ID' &&
        error.message.includes('GET /a') &&
        error.message.includes('POST /b'),
    );
  });

  test('two derived operation ids that collide', () => {
    const a = app();
    a.get('/a-b', () => 1);
    a.get('/a/b', () => 1);
    assert.throws(() => openapiDocument(a), /"getAB" is used by GET \/a-b and by GET \/a\/b/);
  });

  test('a security requirement naming an undeclared scheme', () => {
    const a = app();
    a.get('/a', { security: [{ apiKey: [] }] }, () => 1);
    assert.throws(() => openapiDocument(a), { code: 'VOLT_OPENAPI_UNKNOWN_SECURITY_SCHEME' });
  });

  test('two different schemas with one $id', () => {
    const a = app();
    a.get('/a', { response: { 200: t.Object({ x: t.String() }, { $id: 'Thing' }) } }, () => ({ x: '' }));
    a.get('/b', { response: { 200: t.Object({ y: t.String() }, { $id: 'Thing' }) } }, () => ({ y: '' }));
    assert.throws(() => openapiDocument(a), { code: 'VOLT_OPENAPI_SCHEMA_ID_CONFLICT' });
  });

  test('a route added after the document was built appears in the next one', () => {
    const a = app();
    a.get('/a', () => 1);
    assert.deepEqual(Object.keys(openapiDocument(a).paths), ['/a']);
    a.get('/b', () => 1);
    assert.deepEqual(Object.keys(openapiDocument(a).paths), ['/a', '/b']);
  });
});

describe('validity', () => {
  test('the test app has a valid document', async () => {
    await assertValidDocument(openapiDocument(shopApp()));
  });

  test('the example app has a valid document', async () => {
    // The example reads its settings from the environment; run it as under test.
    process.env.VOLT_ENV ??= 'test';
    const { app } = await import('../../examples/hello/app.ts');
    try {
      const doc = openapiDocument(app);
      assert.ok(Object.keys(doc.paths).length >= 5);
      await assertValidDocument(doc);
    } finally {
      await app.close();
    }
  });

  test('the check fails on an undeclared path parameter', async () => {
    const doc = openapiDocument(shopApp());
    doc.paths['/items/{id}/{extra}'] = doc.paths['/items/{id}']!;
    delete doc.paths['/items/{id}'];
    await assert.rejects(assertValidDocument(doc), /invalid OpenAPI document/);
  });

  test('the check fails on a duplicate operationId', async () => {
    const doc = openapiDocument(shopApp());
    op(doc, '/jobs', 'post').operationId = 'getItems';
    await assert.rejects(assertValidDocument(doc), /invalid OpenAPI document/);
  });

  test('the check fails on a schema with an invalid type', async () => {
    const doc = openapiDocument(shopApp());
    op(doc, '/items', 'post').requestBody!.content['application/json']!.schema = { type: 'strng' };
    await assert.rejects(assertValidDocument(doc), /body application\/json does not compile/);
  });
});

test('a route documents its body in the media types it lists, JSON by default', async () => {
  const app = volt({ logger: false, envFile: false, docs: false });
  const Body = t.Object({ name: t.String() });
  app.post('/json', { body: Body }, () => ({}));
  app.post(
    '/form',
    { body: Body, bodyTypes: ['application/x-www-form-urlencoded', 'application/json'] },
    () => ({}),
  );
  await app.ready();
  const doc = openapiDocument(app) as unknown as {
    paths: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
  };
  assert.deepEqual(Object.keys(doc.paths['/json']!.post.requestBody.content), ['application/json']);
  const form = doc.paths['/form']!.post.requestBody.content;
  assert.deepEqual(Object.keys(form), ['application/x-www-form-urlencoded', 'application/json']);
  assert.deepEqual(form['application/x-www-form-urlencoded']!.schema, form['application/json']!.schema);
});
