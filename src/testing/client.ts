/**
 * An in-process test client: requests go through the whole app (routing, validation,
 * dependencies, serialization, error handling) without a socket.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseSetCookie } from 'cookie';
import type { VoltApp } from '../http/app.ts';
import type { Database } from '../orm/database.ts';

/** Options of one test request. */
export interface TestRequestOptions {
  /** Query parameters, added to any already in the path; arrays become repeated keys. */
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  /** Request headers. */
  headers?: Record<string, string>;
  /** Cookies, URL-encoded and sent as one `Cookie` header (after any given in `headers`). */
  cookies?: Record<string, string>;
  /** A JSON body (sets `Content-Type: application/json`). */
  json?: unknown;
  /** An HTML form body (sets `Content-Type: application/x-www-form-urlencoded`); arrays repeat the key. */
  form?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  /** A raw body; set the content type yourself. */
  body?: string | Buffer;
}

/** Options of {@link testClient}. */
export interface TestClientOptions {
  /**
   * Keep cookies the app sets (`Set-Cookie`) and send them back on later requests, as a browser
   * does; a cookie set with `Max-Age=0` or a past `Expires` is dropped. Off by default.
   */
  cookieJar?: boolean;
  /** Headers sent with every request (a request's own headers win), e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /**
   * A database the app uses instead of its own (a `testDatabase()`, migrated by the test); the
   * test closes it. Must be given before the app's first request.
   */
  database?: Database;
}

/** A response from the test client; `T` types `json()`. */
export interface TestResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text. */
  text: string;
  /**
   * The body parsed as JSON, typed by the client call's type argument or this one's
   * (`res.json<{ errors: FieldError[] }>()`); throws a `SyntaxError` naming the response when
   * the body is not JSON.
   */
  json<U = T>(): U;
}

/** The test client's methods. */
export interface TestClient {
  request<T = unknown>(method: string, path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  get<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  post<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  put<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  patch<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  delete<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  /** The cookies kept by the jar (`cookieJar: true`), by name; change it to send others. */
  readonly cookies: Map<string, string>;
  /** Closes the app (runs its shutdown hooks). */
  close(): Promise<void>;
}

function encodePairs(values: NonNullable<TestRequestOptions['query']>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  return params.toString();
}

function withQuery(path: string, query: TestRequestOptions['query']): string {
  if (!query) return path;
  const text = encodePairs(query);
  if (!text) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

/**
 * Creates a test client for an app.
 *
 * @example
 * ```ts
 * const client = testClient(app);
 * const res = await client.post<{ id: number }>('/items', { json: { name: 'Pen', price: 2 } });
 * assert.equal(res.status, 200);
 * assert.equal(res.json().id, 1);
 * ```
 */
export function testClient(app: VoltApp, clientOptions: TestClientOptions = {}): TestClient {
  if (clientOptions.database) app.overrideDatabase(clientOptions.database);
  const jar = new Map<string, string>();
  const keep = (setCookie: string | string[] | undefined) => {
    for (const line of typeof setCookie === 'string' ? [setCookie] : (setCookie ?? [])) {
      const cookie = parseSetCookie(line);
      const expired =
        cookie.maxAge !== undefined
          ? cookie.maxAge <= 0
          : cookie.expires !== undefined && cookie.expires.getTime() <= Date.now();
      if (expired) jar.delete(cookie.name);
      else jar.set(cookie.name, cookie.value ?? '');
    }
  };
  const request = async <T>(method: string, path: string, options: TestRequestOptions = {}) => {
    await app.ready();
    // Header names are case-insensitive: lower-case them so `Content-Type` given by the caller
    // is the one `json` must not override.
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...clientOptions.headers, ...options.headers }))
      headers[name.toLowerCase()] = value;
    let payload: string | Buffer | undefined = options.body;
    if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (options.form !== undefined) {
      payload = encodePairs(options.form);
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const cookies = clientOptions.cookieJar
      ? { ...Object.fromEntries(jar), ...options.cookies }
      : options.cookies;
    if (cookies && Object.keys(cookies).length > 0) {
      const pairs = Object.entries(cookies).map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
      if (headers.cookie) pairs.unshift(headers.cookie);
      headers.cookie = pairs.join('; ');
    }
    const res = await app.fastify.inject({
      method: method as 'GET',
      url: withQuery(path, options.query),
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    if (clientOptions.cookieJar) keep(res.headers['set-cookie']);
    const response: TestResponse<T> = {
      status: res.statusCode,
      headers: res.headers as IncomingHttpHeaders,
      text: res.body,
      json: <U>() => {
        try {
          return JSON.parse(res.body) as U;
        } catch (cause) {
          const type = res.headers['content-type'] ?? 'no content type';
          throw new SyntaxError(
            `The ${res.statusCode} response (${type}) is not JSON: ${JSON.stringify(res.body.slice(0, 100))}`,
            { cause },
          );
        }
      },
    };
    return response;
  };
  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, options) => request('POST', path, options),
    put: (path, options) => request('PUT', path, options),
    patch: (path, options) => request('PATCH', path, options),
    delete: (path, options) => request('DELETE', path, options),
    cookies: jar,
    close: () => app.close(),
  };
}
