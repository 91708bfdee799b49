/**
 * The Volt app: a {@link Router} bound to a Fastify instance, with settings, error handling,
 * lifecycle hooks and graceful shutdown.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Database } from '../orm/database.ts';
import { type AppLifecycle, compileRoute, type RouteHooks, runHooks } from './compile.ts';
import {
  type ConnectionHeaders,
  handleExpectations,
  sendConnectionError,
  trackFreshConnections,
} from './connections.ts';
import { type AnyContext, CONTEXT, Context, sharedContext } from './context.ts';
import type { Dependency } from './dependencies.ts';
import { type ErrorMapper, installErrorHandling, sendRouterError } from './error-handler.ts';
import { installJsonParser } from './json-body.ts';
import { serializeError } from './log-errors.ts';
import { redactHeaders, serializeRequest } from './log-redaction.ts';
import { parseQueryString } from './query-string.ts';
import { AccessLog, createPino, flushLog, logDestination, OneLineRequestLog } from './request-log.ts';
import { CheckedHeaders, responseClass } from './response.ts';
import type { RouteRecord, SecurityRequirement } from './route.ts';
import { Router } from './router.ts';
import { fastifyTrustProxy, loadSettings, type Settings } from './settings.ts';
import { installTextParser } from './text-body.ts';

/** Seconds (the unit of settings and options) as the milliseconds timers and Node take. */
function ms(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** Describes the API in the OpenAPI document. */
export interface ApiInfo {
  title: string;
  version: string;
  description?: string;
  /** The API's license, e.g. `{ name: 'MIT', identifier: 'MIT' }`. */
  license?: { name: string; identifier?: string; url?: string };
}

/** A server the API is reached at, for the OpenAPI document. */
export interface ApiServer {
  /** An absolute URL, or one relative to the document (`/` for the origin that serves it). */
  url: string;
  description?: string;
}

/** Options of the app (`volt()` takes them): settings overrides plus app-wide declarations. */
export interface AppOptions extends Partial<Settings> {
  /** Title, version and description of the API for the docs. */
  info?: Partial<ApiInfo>;
  /** Dependencies run before every route's handler, for their effect. */
  dependencies?: Dependency[];
  /** Where the API is served, for the docs. Default: `SITE_URL` when set, else `/` (the origin serving the document). */
  servers?: ApiServer[];
  /** Descriptions of the OpenAPI tags by name, e.g. `{ books: 'The catalogue' }`. */
  tagDescriptions?: Record<string, string>;
  /** OpenAPI security schemes by name, e.g. `{ bearerAuth: { type: 'http', scheme: 'bearer' } }`. */
  securitySchemes?: Record<string, Record<string, unknown>>;
  /** Security requirements applied to every operation unless a route says otherwise. */
  security?: SecurityRequirement[];
  /** `false` turns logging off; otherwise pino, pretty in development and JSON elsewhere. */
  logger?: boolean;
  /** The dotenv file to read; `.env` by default, `false` for none. */
  envFile?: string | false;
  /** Extra options for the Fastify instance (advanced). */
  fastify?: Omit<
    FastifyServerOptions,
    'logger' | 'bodyLimit' | 'requestTimeout' | 'connectionTimeout' | 'frameworkErrors'
  >;
}

type Hook = () => unknown;

/**
 * A hook of the request path: it receives the request's {@link Context} (the same object the
 * handler gets). It may be async; throwing (or rejecting with) an `HttpError` answers with it.
 */
export type RequestHook = (ctx: AnyContext) => unknown;

/** What each hook phase of {@link VoltApp.on} runs. */
export interface HookMap<X extends object = {}> {
  /** After routing, before the body is read: headers, the host, refusing early. */
  request: (ctx: AnyContext & X) => unknown;
  /** After the body is read, before validation, dependencies and the handler. */
  beforeHandler: (ctx: AnyContext & X) => unknown;
  /** Before the response leaves: its status is set and its headers may still change. */
  response: (ctx: AnyContext & X) => unknown;
  /** Maps an error to a response: return an `HttpError` to answer with it. */
  error: ErrorMapper;
  /** While the app starts, after its database opened, before it takes requests. */
  startup: Hook;
  /** When the app closes, after in-flight requests; newest first, before its database closes. */
  shutdown: Hook;
}

/** The phases {@link VoltApp.on} takes. */
export type HookPhase = keyof HookMap;

/** How the app opens and closes its database (see `volt({ database })`). */
export interface DatabaseSlot {
  /** Opens the database; runs at startup, before every startup hook. */
  open: () => Promise<Database>;
  /** Closes it; runs at shutdown, after every shutdown hook. */
  close: (db: Database) => Promise<void> | void;
}

// How often Node looks for connections past HEADERS_TIMEOUT / REQUEST_TIMEOUT, so they close
// within half a second of their limit. A tick walks only the connections with a request in
// progress (in C++): no measurable cost under load.
const CONNECTIONS_CHECKING_INTERVAL = 500;

/** Runs on a request the router refused before any hook; see {@link VoltApp.onRouterError}. */
export type RouterErrorHook = (request: FastifyRequest, reply: FastifyReply) => void;

// Request lines without the secrets a URL can carry (a reset link's token, an API key), logged
// headers without credentials; errors with each cause's message once.
const LOG_SERIALIZERS = { req: serializeRequest, err: serializeError, headers: redactHeaders };

function loggerOptions(
  settings: Settings,
  enabled: boolean | undefined,
): NonNullable<FastifyServerOptions['logger']> {
  // A silent pino logger still builds a child logger per request: `false` skips that work.
  if (enabled === false || settings.logLevel === 'silent') return false;
  const serializers = LOG_SERIALIZERS;
  if (settings.env === 'development') {
    return {
      level: settings.logLevel,
      serializers,
      transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
    };
  }
  return { level: settings.logLevel, serializers, stream: logDestination() };
}

/**
 * A Volt application. Create it with `volt()`.
 *
 * @example
 * ```ts
 * const app = volt();
 * app.get('/hello/:name', { params: t.Object({ name: t.String() }) }, (ctx) => ({ hi: ctx.params.name }));
 * await app.listen();
 * ```
 */
export class VoltApp<X extends object = {}> extends Router<X> {
  /** The Fastify instance underneath: register any Fastify plugin on it. */
  readonly fastify: FastifyInstance;
  /** The checked settings the app runs with. */
  readonly settings: Settings;
  /** Title, version and description for the docs. */
  readonly info: ApiInfo;
  /** Where the API is served, for the docs. */
  readonly servers: ApiServer[];
  /** Descriptions of the OpenAPI tags by name. */
  readonly tagDescriptions: Readonly<Record<string, string>>;
  /** OpenAPI security schemes. */
  readonly securitySchemes: Record<string, Record<string, unknown>>;
  /** App-wide security requirements. */
  readonly security: SecurityRequirement[] | undefined;
  readonly #overrides = new Map<Dependency, Dependency>();
  readonly #errorMappers: ErrorMapper[] = [];
  readonly #startupHooks: Hook[] = [];
  readonly #shutdownHooks: Hook[] = [];
  readonly #hooks: RouteHooks = {
    request: [],
    beforeHandler: [],
    response: [],
    shareContext: false,
    trackContext: false,
  };
  #requestHookInstalled = false;
  #responseHookInstalled = false;
  #database: DatabaseSlot | undefined;
  #db: Database | undefined;
  #dbState: 'closed' | 'open' | 'shut' = 'closed';
  /** The database is a test's, given by `overrideDatabase()`: another may replace it while the app runs. */
  #overridden = false;
  /** The context class of this app's requests: `ctx.db` (and what installed apps add) read this app. */
  readonly #Context: typeof Context;
  readonly #routerErrorHooks: RouterErrorHook[] = [];
  readonly #connectionHeaders: Record<string, string> = {};
  readonly #checkedHeaders = new CheckedHeaders();
  readonly #closeFreshConnections: () => void;
  #signalsInstalled = false;
  #closing: Promise<void> | undefined;
  readonly #shutdown = new AbortController();
  readonly #lifecycle: AppLifecycle = { draining: false, shutdown: this.#shutdown.signal };

  constructor(options: AppOptions = {}) {
    const {
      info,
      servers,
      tagDescriptions,
      dependencies,
      securitySchemes,
      security,
      logger,
      envFile,
      fastify,
      ...overrides
    } = options;
    super(dependencies ? { dependencies } : {});
    const app = this;
    this.#Context = class AppContext extends Context {
      override get db(): Database {
        return app.db;
      }
    } as typeof Context;
    this.settings = loadSettings({ overrides, envFile: envFile ?? '.env' });
    this.info = { title: 'Volt API', version: '0.1.0', ...info };
    this.servers = servers ?? [{ url: this.settings.siteUrl || '/' }];
    this.tagDescriptions = { ...tagDescriptions };
    this.securitySchemes = { ...securitySchemes };
    this.security = security;
    // Query strings are decoded strictly (./query-string.ts) unless the app brings its own parser.
    const ownParser = fastify?.routerOptions?.querystringParser ?? fastify?.querystringParser;
    const logOptions = loggerOptions(this.settings, logger);
    // Volt's own logger, to its log buffer, with Fastify's request path as Volt sets it: the
    // access log writes each request's line from the response (./request-log.ts).
    const access =
      typeof logOptions === 'object' &&
      'stream' in logOptions &&
      fastify?.loggerInstance === undefined &&
      fastify?.childLoggerFactory === undefined &&
      fastify?.requestIdLogLabel === undefined &&
      fastify?.serverFactory === undefined
        ? new AccessLog(
            createPino({
              level: this.settings.logLevel,
              serializers: LOG_SERIALIZERS,
              stream: logOptions.stream,
            }),
            logDestination(),
          )
        : undefined;
    const engineOptions: FastifyHttpOptions<Server> = {
      ...fastify,
      routerOptions: { ...fastify?.routerOptions, querystringParser: ownParser ?? parseQueryString },
      // Node enforces both timeouts only when it checks its connections, every 30 s by default:
      // a 30 s REQUEST_TIMEOUT then closed a slow client after up to 60 s.
      http: {
        // Settings are seconds (docs/guides/settings.md, "Durations"); Node's options are ms.
        headersTimeout: ms(this.settings.headersTimeout),
        requestTimeout: ms(this.settings.requestTimeout),
        connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL,
        // Node answers an HTTP/1.1 request without Host with a bare 400 of its own; the Host
        // check of the security layer answers it with a problem and the security headers.
        requireHostHeader: false,
        ...(fastify?.serverFactory === undefined
          ? { ServerResponse: responseClass(this.#checkedHeaders, access?.ended) }
          : {}),
      },
      // A socket with no traffic either way for this long is closed: a client that stopped
      // reading its response (its window full) holds it no longer. A response being written
      // (an SSE stream's heartbeats) is traffic.
      connectionTimeout: ms(this.settings.socketIdleTimeout),
      // With the access log, Fastify has no logger of its own: it would put two listeners on
      // every response to time it. Its `log` is set to Volt's below.
      ...(fastify?.loggerInstance === undefined ? { logger: access === undefined ? logOptions : false } : {}),
      // One line per request, at its end (docs/guides/settings.md, "Logging").
      logController: fastify?.logController ?? new OneLineRequestLog(access !== undefined),
      // A request's child logger is made only when it logs.
      ...(access === undefined ? {} : { childLoggerFactory: access.childLogger }),
      bodyLimit: this.settings.bodyLimit,
      requestTimeout: ms(this.settings.requestTimeout),
      trustProxy: fastifyTrustProxy(this.settings.trustProxy),
      // Random, not Fastify's counter: the id is shown to clients on errors, and a counter
      // would tell them how much traffic the server has (and repeat after every restart).
      genReqId: fastify?.genReqId ?? (() => randomUUID()),
      clientErrorHandler:
        fastify?.clientErrorHandler ??
        ((error, socket) => sendConnectionError(error, socket, this.#connectionHeaders)),
      // Fastify's own 503 for requests that arrive while closing is plain JSON, sent before any
      // hook (no security headers): the compiled handlers answer those with a problem instead.
      return503OnClosing: false,
      forceCloseConnections: 'idle',
      frameworkErrors: (error, request, reply) => {
        for (const hook of this.#routerErrorHooks) hook(request, reply);
        return sendRouterError(error, request, reply);
      },
    };
    this.fastify = Fastify(engineOptions) as unknown as FastifyInstance;
    if (access !== undefined) {
      (this.fastify as { log: FastifyBaseLogger }).log = access.logger;
      this.#installAccessHook();
      this.fastify.addHook('onRoute', (route) => access.noteRoute(route.url));
    }
    handleExpectations(this.fastify.server, () => this.#connectionHeaders);
    this.#closeFreshConnections = trackFreshConnections(this.fastify.server);
    installErrorHandling(this.fastify, { debug: () => this.settings.debug, mappers: this.#errorMappers });
    installJsonParser(this.fastify, {
      maxDepth: this.settings.jsonMaxDepth,
      maxArrayLength: this.settings.jsonMaxArrayLength,
    });
    installTextParser(this.fastify);
    this.fastify.addHook('onReady', async () => {
      // The database first: every startup hook (and every request) may use it.
      if (this.#database && this.#dbState === 'closed') {
        this.#db = await this.#database.open();
        this.#dbState = 'open';
      }
      for (const hook of [...this.#startupHooks]) await hook();
    });
    this.fastify.addHook('onClose', async () => {
      for (const hook of [...this.#shutdownHooks].reverse()) {
        try {
          await hook();
        } catch (err) {
          this.fastify.log.error({ err }, 'shutdown hook failed');
        }
      }
      // The database last: shutdown hooks may still write to it.
      const db = this.#db;
      this.#db = undefined;
      if (this.#dbState === 'open') this.#dbState = 'shut';
      if (db && this.#database) {
        try {
          await this.#database.close(db);
        } catch (err) {
          this.fastify.log.error({ err }, 'closing the database failed');
        }
      }
    });
  }

  protected override addRoute(route: RouteRecord): void {
    // Cast, not checked: checking `this` against VoltApp<any> makes the compiler compare VoltApp's
    // members for its variance, a million type instantiations in every program that checks this
    // file (test/types/tsc.test.ts's budget).
    route.attach?.(this as unknown as VoltApp<any>);
    super.addRoute(route);
    this.fastify.route(
      compileRoute(route, {
        overrides: this.#overrides,
        lifecycle: this.#lifecycle,
        Context: this.#Context,
        hooks: this.#hooks,
      }),
    );
  }

  /**
   * The app's database: opened when the app starts (before the startup hooks), closed when it
   * shuts down (after the shutdown hooks). Handlers and dependencies read it as `ctx.db`.
   * Throws an error naming the cause when the app has no database, or before it started.
   *
   * @example
   * ```ts
   * const app = volt({ database: 'sqlite:./data/app.db' });
   * app.onStartup(async () => { await query(app.db, Tag).getOrCreate({ slug: 'new' }); });
   * ```
   */
  get db(): Database {
    const db = this.#db;
    if (db !== undefined) return db;
    if (!this.#database)
      throw new Error(
        "This app has no database: pass volt({ database: 'sqlite:./data/app.db' }) (or database: true to use DATABASE_URL), or install an app with models",
      );
    if (this.#dbState === 'shut')
      throw new Error('The database of this app was closed when the app shut down');
    throw new Error(
      'The database of this app opens when the app starts: await app.ready() (listen() and the test client call it) before using app.db',
    );
  }

  /** Whether the app has a database (configured; it is open between startup and shutdown). */
  get hasDatabase(): boolean {
    return this.#database !== undefined;
  }

  /**
   * @internal Gives the app its database: `volt()` calls it with the `database` option. `open`
   * runs at startup before the startup hooks; `close` at shutdown after the shutdown hooks.
   */
  useDatabase(slot: DatabaseSlot): void {
    if (this.#database) throw new Error('This app has its database already');
    this.#database = slot;
  }

  /**
   * Makes the app use `db` instead of the database it was configured with: for tests, which
   * open (and close) a database of their own. `db` is not closed at shutdown. Call it before the
   * app starts (`testClient(app, { database })` does); an app already running on an overriding
   * database switches to `db` for the requests that follow, so each test of a file can bring its
   * own (the startup hooks ran once, on the database in use then). The app reads it in its
   * `TIME_ZONE` (`db.withTimeZone()`), as its own database.
   *
   * @example
   * ```ts
   * const db = await testDatabase();
   * app.overrideDatabase(db);
   * await app.ready();
   * ```
   */
  overrideDatabase(given: Database): this {
    // Read in the app's TIME_ZONE, as the app's own database would be.
    const zone = this.settings.timeZone;
    const db = given.timeZone === zone ? given : given.withTimeZone(zone);
    if (this.#dbState === 'open' && this.#overridden) {
      this.#db = db;
      return this;
    }
    if (this.#dbState === 'shut')
      throw new Error(
        "overrideDatabase(): the app has shut down: a test client's close() closes its app. In a file of several tests, close the app once, after the last one: after(() => app.close())",
      );
    if (this.#dbState !== 'closed' || this.#db !== undefined)
      throw new Error(
        'overrideDatabase() must be called before the app starts (its first request or ready()) when the app runs on its own database',
      );
    this.#database = { open: async () => db, close: () => {} };
    this.#overridden = true;
    return this;
  }

  /** Whether the request contexts of this app have the property `name` (see {@link defineContextProperty}). */
  hasContextProperty(name: string): boolean {
    return name in this.#Context.prototype;
  }

  /**
   * Adds a property to every request context of this app, computed by `get` when read (an
   * installed app's `ctx.user`, say). Define it with `Object.defineProperty` semantics: a getter.
   *
   * @example
   * ```ts
   * app.defineContextProperty('tenant', (ctx) => ctx.headers['x-tenant']);
   * ```
   */
  defineContextProperty(name: string, get: (ctx: AnyContext) => unknown): void {
    if (this.hasContextProperty(name))
      throw new Error(`The request context already has a property '${name}'`);
    Object.defineProperty(this.#Context.prototype, name, {
      configurable: true,
      get(this: AnyContext) {
        return get(this);
      },
    });
  }

  /**
   * Runs `fn` at one phase of the app's life or of every request; returns a function that
   * removes it. Hooks of a phase run in the order added (shutdown hooks newest first). A phase
   * no hook was added to costs nothing per request.
   *
   * - `request`: after routing, before the body is read; `beforeHandler`: after the body is
   *   read, before validation, dependencies and the handler; `response`: before the response
   *   leaves (headers may still change). All three get the request's `Context`, the same
   *   object the handler gets; throwing an `HttpError` answers with it.
   * - `error`: maps an error to an `HttpError` (the first that returns one wins).
   * - `startup` / `shutdown`: see {@link onStartup} and {@link onShutdown}.
   *
   * @example
   * ```ts
   * const off = app.on('response', (ctx) => { ctx.header('x-served-by', 'volt'); });
   * off(); // removed
   * ```
   */
  on<K extends HookPhase>(phase: K, fn: HookMap<X>[K]): () => void {
    if (typeof fn !== 'function') throw new TypeError(`app.on('${phase}', …) needs a function`);
    switch (phase) {
      case 'startup':
        return removable(this.#startupHooks, fn as Hook);
      case 'shutdown':
        return removable(this.#shutdownHooks, fn as Hook);
      case 'error':
        return removable(this.#errorMappers, fn as ErrorMapper);
      case 'request':
        this.#installRequestHook();
        return removableHook(this.#hooks, phase, fn as RequestHook);
      case 'beforeHandler':
        return removableHook(this.#hooks, phase, fn as RequestHook);
      case 'response':
        this.#installResponseHook();
        return removableHook(this.#hooks, phase, fn as RequestHook);
      default:
        throw new TypeError(
          `'${String(phase)}' is not a hook phase; the phases are request, beforeHandler, response, error, startup, shutdown`,
        );
    }
  }

  /**
   * Makes `currentContext()` answer with the request's context anywhere in the work of this
   * app's requests: its `beforeHandler` hooks, dependencies and handler, and whatever they
   * await or call (an ORM write observer recording who made a change). Called once, by the app
   * or an installed app's setup, before or after routes are added; it applies to every route,
   * from the next request on, and cannot be undone. Without it the request path pays nothing;
   * with it, one `AsyncLocalStorage.run()` per request. `request` hooks run before the context
   * is entered, and `ctx.background` tasks after it ended: they see `undefined`.
   *
   * @example
   * ```ts
   * app.trackRequestContext();
   * app.get('/whoami', {}, async () => {
   *   await somethingThatAwaits();
   *   return { path: currentContext()?.request.url }; // '/whoami'
   * });
   * ```
   */
  trackRequestContext(): this {
    this.#hooks.trackContext = true;
    return this;
  }

  /** The request's context, made on first need and kept on the request for the handler. */
  #contextOf(request: FastifyRequest, reply: FastifyReply): AnyContext {
    return sharedContext(request, reply, this.#Context);
  }

  #shareContext(): void {
    if (this.#hooks.shareContext) return;
    // Declared, so every request object keeps one shape. (Fastify refuses it once the app
    // serves: then nothing is marked installed.)
    this.fastify.decorateRequest(CONTEXT as unknown as string, null);
    this.#hooks.shareContext = true;
  }

  #installRequestHook(): void {
    this.#shareContext();
    if (this.#requestHookInstalled) return;
    const all = this.#hooks;
    this.fastify.addHook('onRequest', (request, reply, done) =>
      this.#dispatch(all.request, request, reply, done),
    );
    this.#requestHookInstalled = true;
  }

  /**
   * The first `onRequest` hook, with the access log: it links each request to its line, then
   * runs the `request` hooks (when there are any).
   */
  #installAccessHook(): void {
    const all = this.#hooks;
    this.fastify.addHook('onRequest', (request, reply, done) => {
      AccessLog.link(request);
      if (all.request.length === 0) done();
      else this.#dispatch(all.request, request, reply, done);
    });
    this.#requestHookInstalled = true;
  }

  #installResponseHook(): void {
    if (this.#responseHookInstalled) return;
    this.#shareContext();
    const all = this.#hooks;
    this.fastify.addHook('onSend', (request, reply, payload, done) =>
      this.#dispatch(all.response, request, reply, (error) => (error ? done(error) : done(null, payload))),
    );
    this.#responseHookInstalled = true;
  }

  /** Runs a request phase's hooks on the request's context, then `next` (with the error of one that failed). */
  #dispatch(
    hooks: RouteHooks['request'],
    request: FastifyRequest,
    reply: FastifyReply,
    next: (error?: Error) => void,
  ): void {
    let pending: Promise<unknown> | undefined;
    try {
      if (hooks.length > 0) pending = runHooks(hooks, this.#contextOf(request, reply));
    } catch (error) {
      next(error as Error);
      return;
    }
    if (pending) pending.then(() => next(), next);
    else next();
  }

  /**
   * Runs `fn` while the app starts, after its database opened and before it accepts requests
   * (warm caches, check data). Returns a function that removes it.
   */
  onStartup(fn: Hook): () => void {
    return this.on('startup', fn);
  }

  /**
   * Runs `fn` before the app answers a request Fastify's router refused (a malformed URL, a
   * path parameter past the length limit): no `onRequest` hook sees those. The security layer
   * puts its headers on these responses through it.
   */
  onRouterError(fn: RouterErrorHook): this {
    this.#routerErrorHooks.push(fn);
    return this;
  }

  /**
   * Headers the app sends on most responses with the same values (the security headers): their
   * names and values are checked now, once, and a response carrying one of them with exactly
   * that value has it written as checked, not checked again by Node (1–2 µs a response for the
   * security headers). Set them on each response as usual (`ctx.header()`); a response that
   * changes or removes one is written as it says. Headers Node reads to frame the response
   * (`Content-Length`, `Connection`, `Transfer-Encoding`, `Date`…) are left to Node. Throws on an
   * invalid name or value.
   *
   * @example
   * ```ts
   * app.checkHeadersOnce({ 'x-frame-options': 'DENY' });
   * app.on('request', (ctx) => { ctx.header('x-frame-options', 'DENY'); });
   * ```
   */
  checkHeadersOnce(headers: Readonly<Record<string, string>>): this {
    this.#checkedHeaders.add(headers);
    return this;
  }

  /**
   * Adds headers to the answers Volt writes below the routing, where no hook runs: a request
   * Node's parser refused (malformed HTTP, headers too large, a timeout: 400, 431, 408) and an
   * `Expect` it cannot meet (417). The security layer puts its headers on them through it.
   */
  addConnectionHeaders(headers: ConnectionHeaders): this {
    Object.assign(this.#connectionHeaders, headers);
    return this;
  }

  /**
   * Runs `fn` when the app closes, after in-flight requests finished and before its database
   * closes; hooks run newest first. Returns a function that removes it.
   */
  onShutdown(fn: Hook): () => void {
    return this.on('shutdown', fn);
  }

  /**
   * Maps errors to responses. Mappers run in the order added; the first to return an
   * `HttpError` wins.
   *
   * @example
   * ```ts
   * app.onError((error) => (error instanceof OutOfStock ? new HttpError(409, error.message) : undefined));
   * ```
   * Returns a function that removes the mapper.
   */
  onError(mapper: ErrorMapper): () => void {
    return this.on('error', mapper);
  }

  /** Replaces a dependency everywhere it is used (for tests). */
  overrideDependency<T>(dependency: Dependency<T>, replacement: Dependency<T>): this {
    this.#overrides.set(dependency, replacement);
    return this;
  }

  /** Removes every dependency override. */
  clearDependencyOverrides(): this {
    this.#overrides.clear();
    return this;
  }

  /** Compiles the routes and runs the startup hooks. Called by `listen()` and the test client. */
  async ready(): Promise<this> {
    await this.fastify.ready();
    return this;
  }

  /**
   * Starts serving on the settings' host and port (or those given). Installs SIGTERM and
   * SIGINT handlers that close the app gracefully. Resolves to the address.
   */
  async listen(options: { host?: string; port?: number; signals?: boolean } = {}): Promise<string> {
    const address = await this.fastify.listen({
      host: options.host ?? this.settings.host,
      port: options.port ?? this.settings.port,
    });
    if (options.signals !== false) this.#installSignalHandlers();
    return address;
  }

  /**
   * Stops accepting connections, waits for in-flight requests (at most `shutdownTimeout`
   * ms, then cuts the remaining connections) and runs the shutdown hooks.
   *
   * While it waits, responses carry `Connection: close` and keep-alive connections are closed
   * as soon as they are idle, so the wait ends with the last response; a request that arrives
   * on an open connection gets a 503 problem; Server-Sent Event streams get a closing event
   * (`event: close`, with a `retry` hint) and end, and their `ctx.signal` aborts.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const server = this.fastify.server;
      this.#lifecycle.draining = true;
      this.#shutdown.abort(shutdownReason());
      // A keep-alive connection whose response was sent before the drain began (or without
      // `Connection: close`) would be kept open until its keep-alive timeout.
      server.closeIdleConnections();
      // Nor would one that connected and never sent a byte (Node counts it as busy).
      this.#closeFreshConnections();
      const sweep = setInterval(() => {
        server.closeIdleConnections();
        this.#closeFreshConnections();
      }, IDLE_SWEEP_INTERVAL);
      sweep.unref();
      const timer = setTimeout(() => server.closeAllConnections(), ms(this.settings.shutdownTimeout));
      timer.unref();
      try {
        await this.fastify.close();
      } finally {
        clearTimeout(timer);
        clearInterval(sweep);
        flushLog();
      }
    })();
    return this.#closing;
  }

  #installSignalHandlers(): void {
    if (this.#signalsInstalled) return;
    this.#signalsInstalled = true;
    let received: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        // A second signal means "now": an operator (or an orchestrator) stopped waiting.
        this.fastify.log.warn(`${signal} received again, exiting now without waiting for open requests`);
        process.exit(1);
      }
      received = signal;
      this.fastify.log.info(`${signal} received, shutting down`);
      this.close().then(
        () => process.exit(0),
        (err) => {
          this.fastify.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
}

/** Adds `fn` to `list`; the function returned removes that one registration. */
function removable<T extends (...args: never[]) => unknown>(list: T[], fn: T): () => void {
  const entry = registration(list, fn);
  list.push(entry);
  return once(() => {
    const at = list.indexOf(entry);
    if (at !== -1) list.splice(at, 1);
  });
}

/**
 * Adds `fn` to a request phase's hooks; the function returned removes that one registration.
 * The list is replaced, never changed: a request awaiting one of its hooks runs the rest of the
 * list it started with.
 */
function removableHook(hooks: RouteHooks, phase: 'request' | 'beforeHandler' | 'response', fn: RequestHook) {
  const entry = registration(hooks[phase], fn);
  hooks[phase] = [...hooks[phase], entry];
  return once(() => {
    hooks[phase] = hooks[phase].filter((hook) => hook !== entry);
  });
}

/** `fn` itself, or a wrapper of it when the list has it already: each registration is its own entry. */
function registration<T extends (...args: never[]) => unknown>(list: readonly unknown[], fn: T): T {
  return list.includes(fn) ? (((...args: never[]) => fn(...args)) as T) : fn;
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

// How often, while closing, connections that went idle are closed.
const IDLE_SWEEP_INTERVAL = 50;

/** The reason `ctx.signal` of a stream aborts with when the app shuts down. */
function shutdownReason(): Error {
  return Object.assign(new Error('The server is shutting down'), { code: 'VOLT_SHUTDOWN' });
}
