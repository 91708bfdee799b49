/**
 * What a client sent may be a password or a token: error answers name the field and the rule it
 * broke, never the value — in form bodies, query strings and JSON bodies alike, for validation
 * errors (422) and for input that does not decode (400).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { t } from '../../src/openapi/t.ts';
import { testClient } from '../../src/testing/index.ts';
import { volt } from '../../src/volt.ts';

const SECRET = 'SeCrEt-hunter2';

interface Problem {
  detail?: string;
  errors?: Array<{ loc: Array<string | number>; msg: string; type: string }>;
}

const Login = t.Object({
  password: t.String({ minLength: 100, maxLength: 101, pattern: '^[a-z]+$' }),
  pin: t.Optional(t.Integer()),
  email: t.Optional(t.String({ format: 'email' })),
  role: t.Optional(t.Union([t.Literal('admin'), t.Literal('user')])),
  kind: t.Optional(t.Literal('x')),
  color: t.Optional(t.Unsafe<string>({ type: 'string', enum: ['red', 'blue'] })),
});

function app() {
  const api = volt({ docs: false, logger: false, envFile: false });
  api.post('/form', { bodyTypes: ['application/x-www-form-urlencoded'], body: Login }, (ctx) => ctx.body);
  api.post('/json', { body: Login }, (ctx) => ctx.body);
  api.get('/query', { query: Login }, (ctx) => ctx.query);
  return testClient(api);
}

const fields = { password: SECRET, pin: SECRET, email: SECRET, role: SECRET, kind: SECRET, color: SECRET };

function assertSilent(res: { status: number; text: string }, status: number, what: string) {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.ok(!res.text.includes('SeCrEt'), `${what} quotes the value: ${res.text}`);
  assert.ok(!res.text.includes('hunter2'), `${what} quotes the value: ${res.text}`);
}

describe('error answers never quote a submitted value', () => {
  test('validation errors of forms, queries and JSON name the field and the rule only', async () => {
    const client = app();
    const form = await client.post<Problem>('/form', { form: fields });
    assertSilent(form, 422, 'form');
    const locs = form.json().errors?.map((e) => e.loc.join('.'));
    assert.deepEqual(
      [...new Set(locs)],
      Object.keys(fields).map((name) => `body.${name}`),
    );
    assertSilent(await client.get(`/query?${new URLSearchParams(fields)}`), 422, 'query');
    assertSilent(await client.post('/json', { json: fields }), 422, 'json');
    assertSilent(await client.post('/json', { json: { ...fields, extra: SECRET } }), 422, 'json extra');
  });

  test('a value that does not decode is a 400 naming its field, not quoting it', async () => {
    const client = app();
    const form = await client.post<Problem>('/form', {
      body: `pin=1&password=${SECRET}%FF`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assertSilent(form, 400, 'form value');
    assert.match(form.json().detail ?? '', /"password"/);
    const unnamed = await client.post<Problem>('/form', {
      body: `${SECRET}%FF=1`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assertSilent(unnamed, 400, 'form name');
    assertSilent(await client.get(`/query?password=${SECRET}%FF`), 400, 'query value');
    const json = await client.post('/json', {
      body: `{"password": ${SECRET}}`,
      headers: { 'content-type': 'application/json' },
    });
    assertSilent(json, 400, 'json syntax');
    const nul = await client.post('/json', { json: { password: `${SECRET}\u0000` } });
    assertSilent(nul, 422, 'json NUL');
  });
});
