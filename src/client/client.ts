/**
 * The typed client: calls a Volt app over HTTP with the types of its declared routes, read from
 * the app's type (`createClient<typeof api>(…)`), with no generated code.
 *
 * It runs anywhere `fetch` does (browsers, Node, Deno, Bun, workers): it uses only `fetch`,
 * `Headers`, `URLSearchParams` and `JSON`, and imports nothing of Volt but types.
 */
import type { ProblemDetails } from '../http/errors.ts';
import type { HttpMethod } from '../http/route.ts';
import type { LooseQuery, QueryValue, RouteMark, RoutesOf, RouteTypes } from '../http/route-types.ts';

/** What a `headers` function is told about the request it adds headers to. */
export interface ClientRequestInfo {
  /** The method, upper case. */
  method: HttpMethod;
  /** The route's path as declared (`/items/:id`). */
  path: string;
  /** The URL the request goes to, parameters and query filled in. */
  url: string;
}

/** Headers in any form `fetch` takes: a `Headers`, an object or a list of pairs. */
export type ClientHeaders = NonNullable<RequestInit['headers']>;

/** Options of {@link createClient}. */
export interface ClientOptions {
  /**
   * Headers sent with every request, or a function called before each request that gives them
   * (an access token that changes, the CSRF token of a session). A request's own headers win.
   */
  headers?:
    | ClientHeaders
    | ((request: ClientRequestInfo) => ClientHeaders | undefined | Promise<ClientHeaders | undefined>);
  /** The `fetch` to call; the global one (read at each request) by default. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Whether a browser sends cookies: `'include'` for an API on another origin that reads a session cookie. */
  credentials?: RequestInit['credentials'];
}

/** What a request may carry besides its route's parts. */
interface CommonInit {
  /** Headers of this request, over the client's. */
  headers?: ClientHeaders | undefined;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

type ParamsInit<Params> = [keyof Params] extends [never]
  ? { params?: Record<string, never> | undefined }
  : {} extends Params
    ? { params?: Params | undefined }
    : { params: Params };

type BodyInit_<Body> = unknown extends Body
  ? { body?: unknown }
  : undefined extends Body
    ? { body?: Body }
    : { body: Body };

/**
 * What a call to a route takes: `params` (required when the path has any), `query`, `body`
 * (required when the route's body schema is), `headers` and `signal`.
 */
export type RequestOptions<Route extends RouteTypes> = ParamsInit<Route['params']> & {
  query?: Route['query'] | undefined;
} & BodyInit_<Route['body']> &
  CommonInit;

/** The options argument of a call: optional when nothing in it is required. */
type InitArgs<Route extends RouteTypes> =
  {} extends RequestOptions<Route> ? [init?: RequestOptions<Route>] : [init: RequestOptions<Route>];

/** A 2xx answer: `data` is the body, typed by the route's response for `status`. */
export interface ClientSuccess<Status extends number = number, Data = unknown> {
  ok: true;
  status: Status;
  /** The body: parsed JSON, the text of any other type, `undefined` when empty (a 204). */
  data: Data;
  problem?: undefined;
  headers: Headers;
  /** The response, its body already read. */
  response: Response;
}

/** An answer other than 2xx: `problem` is its problem+json body (made from the status when it has none). */
export interface ClientFailure {
  ok: false;
  status: number;
  data?: undefined;
  /**
   * The problem details the server sent (`status`, `title`, `detail`, `code`, `errors`). A body
   * that is not a problem (a proxy's page) gives `{ type: 'about:blank', status, title, code: '' }`,
   * the title being the status text.
   */
  problem: ProblemDetails;
  headers: Headers;
  /** The response, its body already read. */
  response: Response;
}

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226;

/**
 * A value as it arrives through JSON: a `Date` (a datetime field's type on the server) is its
 * ISO 8601 text, an object's `toJSON()` its result; objects and arrays convert member by member.
 */
export type Jsonified<T> = T extends Date
  ? string
  : T extends { toJSON(): infer J }
    ? J
    : T extends readonly (infer E)[]
      ? Jsonified<E>[]
      : T extends object
        ? { [K in keyof T]: Jsonified<T[K]> }
        : T;

type Successes<Responses> = {
  [S in keyof Responses & number]: S extends SuccessStatus
    ? ClientSuccess<S, Jsonified<Responses[S]>>
    : never;
}[keyof Responses & number];

/**
 * What a call resolves to: a success per 2xx status the route declares (discriminated by `ok`,
 * then by `status`), or a failure carrying the problem.
 */
export type ClientResult<Responses> =
  | ([Successes<Responses>] extends [never] ? ClientSuccess : Successes<Responses>)
  | ClientFailure;

/** The paths of `Routes` that answer `Method`. */
export type PathsFor<Routes, Method extends string> = {
  [P in keyof Routes]: Method extends keyof Routes[P] ? P : never;
}[keyof Routes] &
  string;

type RouteAt<Routes, P extends keyof Routes, Method extends string> = Method extends keyof Routes[P]
  ? Routes[P][Method] extends RouteTypes
    ? Routes[P][Method]
    : never
  : never;

type Call<Routes, Method extends HttpMethod> = <const P extends PathsFor<Routes, Method>>(
  path: P,
  ...init: InitArgs<RouteAt<Routes, P, Method>>
) => Promise<ClientResult<RouteAt<Routes, P, Method>['responses']>>;

/** A typed client of the routes `Routes` (see {@link createClient}). */
export interface Client<Routes> {
  /** GET `path`. */
  get: Call<Routes, 'GET'>;
  /** POST `path`. */
  post: Call<Routes, 'POST'>;
  /** PUT `path`. */
  put: Call<Routes, 'PUT'>;
  /** PATCH `path`. */
  patch: Call<Routes, 'PATCH'>;
  /** DELETE `path`. */
  delete: Call<Routes, 'DELETE'>;
  /** A request of any method the route declares. */
  request<Method extends HttpMethod, const P extends PathsFor<Routes, Method>>(
    method: Method,
    path: P,
    ...init: InitArgs<RouteAt<Routes, P, Method>>
  ): Promise<ClientResult<RouteAt<Routes, P, Method>['responses']>>;
}

/** The routes of a client made without the app's type: any path, any method, untyped data. */
export type UntypedRoutes = {
  [path: string]: {
    [M in HttpMethod]: RouteTypes<
      Record<string, string | number>,
      LooseQuery,
      unknown,
      { [status: number]: unknown }
    >;
  };
};

/**
 * Makes a client of a Volt app served at `baseUrl`, typed by the app's declared routes:
 * `typeof api`, where `api` is the app (or router) the route declarations were chained on. The
 * paths complete, the params, query and body are checked, and `res.data` has the type of the
 * route's response. Without a type argument, the client takes any path and its data is `unknown`.
 *
 * A network failure rejects (as `fetch` does); an HTTP error resolves with `ok: false` and the
 * problem details.
 *
 * @example
 * ```ts
 * import { createClient } from 'voltjs/client';
 * import type { api } from './server/app.ts';
 *
 * const shop = createClient<typeof api>('https://shop.example');
 * const res = await shop.get('/products/:id', { params: { id: 3 }, query: { expand: 'category' } });
 * if (res.ok) console.log(res.data.name);
 * else console.error(res.problem.title, res.problem.errors);
 * ```
 */
export function createClient<App = RouteMark<UntypedRoutes>>(
  baseUrl: string | URL,
  options: ClientOptions = {},
): Client<RoutesOf<App>> {
  const base = String(baseUrl).replace(/\/+$/, '');
  const send = (method: HttpMethod, path: string, init: LooseInit = {}) =>
    sendRequest(base, options, method, path, init);
  const client = {
    get: (path: string, init?: LooseInit) => send('GET', path, init),
    post: (path: string, init?: LooseInit) => send('POST', path, init),
    put: (path: string, init?: LooseInit) => send('PUT', path, init),
    patch: (path: string, init?: LooseInit) => send('PATCH', path, init),
    delete: (path: string, init?: LooseInit) => send('DELETE', path, init),
    request: (method: HttpMethod, path: string, init?: LooseInit) => send(method, path, init),
  };
  return client as unknown as Client<RoutesOf<App>>;
}

/** A call's options as the code sees them. */
interface LooseInit {
  params?: Record<string, unknown> | undefined;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  headers?: ClientHeaders | undefined;
  signal?: AbortSignal | undefined;
}

async function sendRequest(
  base: string,
  options: ClientOptions,
  method: HttpMethod,
  path: string,
  init: LooseInit,
): Promise<ClientSuccess | ClientFailure> {
  const search = queryString(init.query);
  const url = base + fillPath(path, init.params ?? {}) + (search ? `?${search}` : '');
  const own =
    typeof options.headers === 'function' ? await options.headers({ method, path, url }) : options.headers;
  const headers = new Headers(own);
  if (init.headers !== undefined)
    for (const [name, value] of new Headers(init.headers)) headers.set(name, value);
  const request: RequestInit = { method, headers };
  if (init.body !== undefined) {
    if (isFormBody(init.body)) request.body = init.body;
    else {
      request.body = JSON.stringify(init.body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
  }
  if (options.credentials !== undefined) request.credentials = options.credentials;
  if (init.signal !== undefined) request.signal = init.signal;
  const response = await (options.fetch ?? fetch)(url, request);
  return readResponse(method, response);
}

/** A body `fetch` encodes itself (a form), with its own Content-Type. */
function isFormBody(body: unknown): body is URLSearchParams | FormData {
  return body instanceof URLSearchParams || (typeof FormData !== 'undefined' && body instanceof FormData);
}

/**
 * The path with its parameters filled in, each URI-encoded, in the route syntax Volt (find-my-way)
 * reads: `:name` ends at `/`, `-`, `.` or a `(regex)`, `:name?` is optional, `::` is a colon, and
 * a final `*` takes the rest of the path.
 */
export function fillPath(path: string, params: Record<string, unknown>): string {
  let out = '';
  let i = 0;
  while (i < path.length) {
    const char = path[i]!;
    if (char === ':' && path[i + 1] === ':') {
      out += ':';
      i += 2;
      continue;
    }
    if (char === '*' && i === path.length - 1) {
      const rest = params['*'];
      if (rest !== undefined) out += String(rest).split('/').map(encodeURIComponent).join('/');
      i += 1;
      continue;
    }
    if (char !== ':') {
      out += char;
      i += 1;
      continue;
    }
    let end = i + 1;
    while (end < path.length && !'/-.(?'.includes(path[end]!)) end += 1;
    const name = path.slice(i + 1, end);
    if (path[end] === '(') end = path.indexOf(')', end) + 1 || path.length;
    const optional = path[end] === '?';
    if (optional) end += 1;
    const value = params[name];
    if (value === undefined) {
      if (!optional) throw new TypeError(`The path ${path} needs the parameter "${name}"`);
      // `/archive/:year?` without a year is `/archive`.
      if (out.endsWith('/') && out.length > 1) out = out.slice(0, -1);
    } else out += encodeURIComponent(String(value));
    i = end;
  }
  return out;
}

/** The query string of `query`: arrays repeat their key, `undefined` (and `null`) are left out. */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (query === undefined) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null) continue;
      search.append(key, String(item as QueryValue));
    }
  }
  return search.toString();
}

// `application/json`, `application/problem+json`, any `…+json`, with or without parameters.
const JSON_TYPE = /^[^;]*[/+]json\s*(?:;|$)/i;

async function readResponse(method: HttpMethod, response: Response): Promise<ClientSuccess | ClientFailure> {
  const text = method === 'HEAD' ? '' : await response.text();
  const json = JSON_TYPE.test(response.headers.get('content-type') ?? '');
  const { status, headers } = response;
  if (response.ok) {
    // A body that says it is JSON and is not rejects, as the network failing does.
    const data = text === '' ? undefined : json ? JSON.parse(text) : text;
    return { ok: true, status, data, headers, response };
  }
  return { ok: false, status, problem: problemOf(response, text, json), headers, response };
}

/** The problem an error response carries, or one made from its status. */
function problemOf(response: Response, text: string, json: boolean): ProblemDetails {
  if (json && text !== '') {
    try {
      const body: unknown = JSON.parse(text);
      if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'title' in body)
        return { type: 'about:blank', status: response.status, code: '', ...body } as ProblemDetails;
    } catch {
      // Not JSON after all: made from the status below.
    }
  }
  return {
    type: 'about:blank',
    status: response.status,
    title: response.statusText || `HTTP ${response.status}`,
    code: '',
  };
}
