/**
 * An in-process test client: requests go through the whole app (routing, validation,
 * dependencies, serialization, error handling) without a socket.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { VoltApp } from '../http/app.ts';

/** Options of one test request. */
export interface TestRequestOptions {
  /** Query parameters; arrays become repeated keys. */
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  /** Request headers. */
  headers?: Record<string, string>;
  /** Cookies, sent as one `Cookie` header. */
  cookies?: Record<string, string>;
  /** A JSON body (sets `Content-Type: application/json`). */
  json?: unknown;
  /** A raw body; set the content type yourself. */
  body?: string | Buffer;
}

/** A response from the test client; `T` types `json()`. */
export interface TestResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text. */
  text: string;
  /** The body parsed as JSON; throws when it is not JSON. */
  json(): T;
}

/** The test client's methods. */
export interface TestClient {
  request<T = unknown>(method: string, path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  get<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  post<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  put<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  patch<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  delete<T = unknown>(path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  /** Closes the app (runs its shutdown hooks). */
  close(): Promise<void>;
}

function encodeQuery(query: TestRequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
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
export function testClient(app: VoltApp): TestClient {
  const request = async <T>(method: string, path: string, options: TestRequestOptions = {}) => {
    await app.ready();
    const headers: Record<string, string> = { ...options.headers };
    let payload: string | Buffer | undefined = options.body;
    if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    if (options.cookies) {
      headers.cookie = Object.entries(options.cookies)
        .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
        .join('; ');
    }
    const res = await app.fastify.inject({
      method: method as 'GET',
      url: path + encodeQuery(options.query),
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    const response: TestResponse<T> = {
      status: res.statusCode,
      headers: res.headers as IncomingHttpHeaders,
      text: res.body,
      json: () => JSON.parse(res.body) as T,
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
    close: () => app.close(),
  };
}
