/**
 * The seeded fuzz run's machinery: reads an app's OpenAPI document and sends each operation
 * requests that carry one invalid value each — numbers that change or overflow, NUL, bytes that
 * are not UTF-8, lone surrogates, a media type the route does not take. Used by `fuzz.test.ts`
 * (hello, library on SQLite) and `fuzz-postgres.test.ts` (library on PostgreSQL): the library
 * app defines its policies when imported, so one process holds one of it.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { VoltApp } from 'voltjs';
import { createUser, User } from 'voltjs/auth';
import { type Database, loadMigrations, migrate } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';

/** The seed of the run: printed by each test; `VOLT_FUZZ_SEED=<n>` repeats a run. */
export const SEED = Number(process.env.VOLT_FUZZ_SEED ?? 0x5eed12);

/** mulberry32: a small seeded PRNG, the same sequence on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

type Schema = Record<string, any>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  bodyTypes: string[];
  body: Schema | undefined;
}

/** The operations of an OpenAPI document, `$ref`s to components resolved. */
function operations(doc: any): Operation[] {
  const resolve = (node: any): any =>
    node && typeof node.$ref === 'string'
      ? resolve(
          node.$ref
            .split('/')
            .slice(1)
            .reduce((at: any, key: string) => at[key], doc),
        )
      : node;
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const content = resolve(op.requestBody)?.content ?? {};
      const first = Object.values<any>(content)[0];
      out.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p: any) => {
          const parameter = resolve(p);
          return { ...parameter, schema: resolve(parameter.schema) };
        }),
        bodyTypes: Object.keys(content),
        body: first ? resolve(first.schema) : undefined,
      });
    }
  }
  return out;
}

const types = (schema: Schema | undefined): string[] => {
  if (!schema) return [];
  if (schema.anyOf) return schema.anyOf.flatMap(types);
  if (schema.const !== undefined) return [typeof schema.const === 'number' ? 'number' : typeof schema.const];
  return Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
};

/** A valid value for a schema, as far as these examples need: the part not fuzzed should pass. */
function validValue(schema: Schema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return validValue(schema.anyOf.find((s: Schema) => s.type !== 'null') ?? schema.anyOf[0]);
  const type = types(schema)[0];
  if (type === 'integer') return Math.max(1, schema.minimum ?? 1);
  if (type === 'number') return 1.5;
  if (type === 'boolean') return true;
  if (type === 'array') return [];
  if (type === 'null') return null;
  if (type === 'object') {
    const out: Record<string, unknown> = {};
    for (const name of schema.required ?? []) out[name] = validValue(schema.properties[name]);
    return out;
  }
  if (schema.format === 'email') return 'fuzz@example.com';
  if (schema.format === 'date') return '2024-01-02';
  const candidates = ['fuzz', '9780000000002', '1.50', 'fuzz-slug'];
  const fits = (s: string) =>
    (!schema.pattern || new RegExp(schema.pattern, 'u').test(s)) && s.length <= (schema.maxLength ?? 1e9);
  return candidates.find(fits) ?? 'x';
}

// Invalid in every position they are sent in (a boolean takes `1`/`0`, so neither is here).
const BAD_INTEGERS = [
  '1e309',
  '-1e309',
  '99999999999999999999999',
  '3.0',
  '0x3',
  '+3',
  '%203',
  '3%20',
  '',
  '%20',
  'NaN',
  'Infinity',
  '1e20',
];
const BAD_NUMBERS = ['1e309', '-1e309', '1e400', '0x3', '%20', '', 'NaN', 'Infinity', '.5'];
const BAD_BOOLEANS = ['', 'maybe', '2', 'NaN', '%20'];
const BAD_TEXT = ['%00', 'a%00b', '%C0%AE', '%FF', '%80', '%E2%82', '%ED%A0%80'];

/**
 * Values of a parameter that no schema of its type accepts, as sent: URL escapes in the path and
 * query; in headers and cookies, text (the cookie parser decodes `%XX`, leniently).
 */
function badValues(schema: Schema, part: Parameter['in']): string[] {
  const kinds = types(schema);
  const numbers = kinds.includes('integer')
    ? BAD_INTEGERS
    : kinds.includes('number')
      ? BAD_NUMBERS
      : kinds.includes('boolean')
        ? BAD_BOOLEANS
        : [];
  if (part === 'header') return [...numbers.map(decodeURIComponent), 'a\u0000b', '\u0000'];
  if (part === 'cookie') return [...numbers, 'a%00b', '%00'];
  return [...numbers, ...BAD_TEXT];
}

// Raw JSON (text or bytes) that no JSON body accepts in a property of the given type.
const ANYWHERE = ['1e400', '-1e400', '1E309', `${'9'.repeat(320)}`, 'NaN', 'Infinity'];
const BAD_JSON_INTEGERS = ['99999999999999999999999', '9007199254740993', '-9007199254740993'];
const BAD_JSON_STRINGS: Array<string | Buffer> = [
  '"a\\u0000b"',
  '"\\u0000"',
  '"\\ud800"',
  '"\\udc00x"',
  '"\\ud83d\\u0041"',
  Buffer.from([0x22, 0xc0, 0xae, 0x22]),
  Buffer.from([0x22, 0x61, 0x80, 0x22]),
  Buffer.from([0x22, 0xe2, 0x82, 0x22]),
  Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]),
];
const MULTIPART = '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n';

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  what: string;
}

/** One request for an operation, valid but for one mutated value. */
function mutate(rand: Rand, op: Operation): FuzzRequest {
  const values = new Map<Parameter, string>();
  for (const p of op.parameters) {
    if (p.in === 'path' || p.schema.default === undefined) values.set(p, String(validValue(p.schema)));
  }
  const headers: Record<string, string> = {};
  let payload: string | Buffer | undefined;
  let what: string;
  const reads = op.bodyTypes.length > 0;
  const kinds = [
    ...(op.parameters.length > 0 ? ['parameter', 'parameter', 'parameter'] : []),
    'query-encoding',
    ...(reads ? ['json', 'json', 'json', 'media-type'] : []),
    ...(op.bodyTypes.includes('application/x-www-form-urlencoded') ? ['form'] : []),
    ...(!reads && op.method !== 'GET' ? ['media-type'] : []),
  ];
  const kind = pick(rand, kinds);
  if (kind === 'parameter') {
    const p = pick(rand, op.parameters);
    const bad = pick(rand, badValues(p.schema, p.in));
    values.set(p, bad);
    what = `${p.in} ${p.name}=${JSON.stringify(bad)}`;
  } else if (kind === 'query-encoding') {
    what = 'an undecodable query parameter';
  } else if (kind === 'json') {
    const body = (op.body ? validValue(op.body) : {}) as Record<string, unknown>;
    const properties = Object.entries<Schema>(op.body?.properties ?? {});
    const [name, schema] = properties.length > 0 ? pick(rand, properties) : ['extra', {}];
    const kinds = types(schema);
    const raw = pick(rand, [
      ...ANYWHERE,
      ...(kinds.includes('integer') ? BAD_JSON_INTEGERS : []),
      ...(kinds.includes('string') || kinds.length === 0 ? BAD_JSON_STRINGS : []),
    ]);
    const [before, after] = JSON.stringify({ ...body, [name]: '__FUZZ__' }).split('"__FUZZ__"');
    payload = Buffer.concat([Buffer.from(before!), Buffer.from(raw), Buffer.from(after!)]);
    headers['content-type'] = 'application/json';
    what = `JSON ${name}=${typeof raw === 'string' ? raw.slice(0, 30) : `bytes ${raw.toString('hex')}`}`;
  } else if (kind === 'form') {
    // A valid form with one field made invalid: an escape that is not UTF-8 or a NUL, or raw bytes.
    const form = new URLSearchParams(validValue(op.body ?? {}) as Record<string, string>);
    const name = pick(rand, Object.keys(op.body?.properties ?? { x: 1 }));
    const bad = pick(rand, [...BAD_TEXT, 'raw C0 AE', 'raw 80']);
    form.delete(name);
    const rest = form.toString();
    payload = bad.startsWith('raw')
      ? Buffer.concat([
          Buffer.from(`${rest}&${name}=a`),
          Buffer.from(bad === 'raw 80' ? [0x80] : [0xc0, 0xae]),
        ])
      : `${rest}&${name}=${bad}`;
    headers['content-type'] = 'application/x-www-form-urlencoded';
    what = `form ${name}=${bad}`;
  } else {
    const accepted = op.bodyTypes;
    const choices: Array<[string | undefined, string]> = [
      ['text/plain', JSON.stringify(op.body ? validValue(op.body) : { a: 1 })],
      ['multipart/form-data; boundary=x', MULTIPART],
      [undefined, JSON.stringify(op.body ? validValue(op.body) : { a: 1 })],
      ...(reads && !accepted.includes('application/x-www-form-urlencoded')
        ? [['application/x-www-form-urlencoded', 'a=1'] as [string, string]]
        : []),
    ];
    const [type, body] = pick(rand, choices);
    if (type) headers['content-type'] = type;
    payload = body;
    what = `media type ${type ?? 'none'}`;
  }
  let path = op.path;
  const query: string[] = [];
  for (const [p, value] of values) {
    if (p.in === 'path') path = path.replace(`{${p.name}}`, value);
    else if (p.in === 'query') query.push(`${p.name}=${value}`);
    else if (p.in === 'header') headers[p.name] = value;
    else headers.cookie = `${p.name}=${value}`;
  }
  if (kind === 'query-encoding')
    query.push(`${pick(rand, ['fuzz', '%C0%AE'])}=${pick(rand, ['%C0%AE', '%FF', '%E9', '%'])}`);
  const url = query.length > 0 ? `${path}?${query.join('&')}` : path;
  return { method: op.method, url, headers, ...(payload === undefined ? {} : { payload }), what };
}

/**
 * Sends `perOperation` mutated requests to every operation of the app's OpenAPI document and
 * answers the requests not answered with a 4xx.
 */
export async function fuzz(
  app: VoltApp,
  seed: number,
  perOperation: number,
  authorization?: string,
): Promise<{ sent: number; failures: string[]; statuses: Map<number, number> }> {
  const rand = random(seed);
  const doc = (await app.fastify.inject({ method: 'GET', url: '/openapi.json' })).json();
  const ops = operations(doc);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let sent = 0;
  for (let round = 0; round < perOperation; round++) {
    for (const op of ops) {
      const request = mutate(rand, op);
      if (authorization) request.headers.authorization = authorization;
      const res = await app.fastify.inject({
        method: request.method as 'GET',
        url: request.url,
        headers: request.headers,
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      });
      sent++;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode < 400 || res.statusCode >= 500) {
        failures.push(
          `${res.statusCode} ${request.method} ${request.url} (${request.what}): ${res.body.slice(0, 160)}`,
        );
      }
    }
  }
  return { sent, failures, statuses };
}

export function report(
  t: { diagnostic(message: string): void },
  name: string,
  result: Awaited<ReturnType<typeof fuzz>>,
) {
  const counts = [...result.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
  t.diagnostic(`${name}: seed ${SEED}, ${result.sent} requests: ${counts.join(' ')}`);
  assert.deepEqual(result.failures, [], `seed ${SEED} (VOLT_FUZZ_SEED=${SEED} repeats it)`);
}

/** A library app on `databaseUrl`, migrated, with a superuser's bearer token. */
export async function library(
  databaseUrl: string,
  db: Database,
): Promise<{ app: VoltApp; authorization: string }> {
  // The example builds its app from the environment when first imported.
  process.env.VOLT_ENV = 'test';
  process.env.DATABASE_URL = databaseUrl;
  const { app } = await import('../../examples/library/app.ts');
  await migrate(
    db,
    await loadMigrations(fileURLToPath(new URL('../../examples/library/migrations', import.meta.url)), {
      packaged: app.migrationSources(),
    }),
    { hooks: app.postMigrateHooks() },
  );
  await createUser(db, User, {
    username: 'librarian',
    password: 'shelves and stacks 1',
    isSuperuser: true,
    isStaff: true,
  });
  const token = await testClient(app).post<{ access_token: string }>('/auth/token', {
    form: { grant_type: 'password', username: 'librarian', password: 'shelves and stacks 1' },
  });
  assert.equal(token.status, 200, token.text);
  return { app, authorization: `Bearer ${token.json().access_token}` };
}
