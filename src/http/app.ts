/**
 * The Volt app: a {@link Router} bound to a Fastify instance, with settings, error handling,
 * lifecycle hooks and graceful shutdown.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import Fastify, {
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { type AppLifecycle, compileRoute } from './compile.ts';
import {
  type ConnectionHeaders,
  handleExpectations,
  sendConnectionError,
  trackFreshConnections,
} from './connections.ts';
import type { Dependency } from './dependencies.ts';
import { type ErrorMapper, installErrorHandling, sendRouterError } from './error-handler.ts';
import { installJsonParser } from './json-body.ts';
import { serializeError } from './log-errors.ts';
import { redactHeaders, serializeRequest } from './log-redaction.ts';
import { parseQueryString } from './query-string.ts';
import type { RouteRecord, SecurityRequirement } from './route.ts';
import { Router } from './router.ts';
import { fastifyTrustProxy, loadSettings, type Settings } from './settings.ts';
import { installTextParser } from './text-body.ts';

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

/** Options of {@link createApp}: settings overrides plus app-wide declarations. */
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

// How often Node looks for connections past HEADERS_TIMEOUT / REQUEST_TIMEOUT, so they close
// within half a second of their limit. A tick walks only the connections with a request in
// progress (in C++): no measurable cost under load.
const CONNECTIONS_CHECKING_INTERVAL = 500;

/** Runs on a request the router refused before any hook; see {@link VoltApp.onRouterError}. */
export type RouterErrorHook = (request: FastifyRequest, reply: FastifyReply) => void;

function loggerOptions(
  settings: Settings,
  enabled: boolean | undefined,
): NonNullable<FastifyServerOptions['logger']> {
  // A silent pino logger still builds a child logger per request: `false` skips that work.
  if (enabled === false || settings.logLevel === 'silent') return false;
  // Request lines without the secrets a URL can carry (a reset link's token, an API key),
  // logged headers without credentials; errors with each cause's message once.
  const serializers = { req: serializeRequest, err: serializeError, headers: redactHeaders };
  if (settings.env === 'development') {
    return {
      level: settings.logLevel,
      serializers,
      transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
    };
  }
  return { level: settings.logLevel, serializers };
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
export class VoltApp extends Router {
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
  readonly #shutdownHooks: Hook[] = [];
  readonly #routerErrorHooks: RouterErrorHook[] = [];
  readonly #connectionHeaders: Record<string, string> = {};
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
    this.settings = loadSettings({ overrides, envFile: envFile ?? '.env' });
    this.info = { title: 'Volt API', version: '0.1.0', ...info };
    this.servers = servers ?? [{ url: this.settings.siteUrl || '/' }];
    this.tagDescriptions = { ...tagDescriptions };
    this.securitySchemes = { ...securitySchemes };
    this.security = security;
    // Query strings are decoded strictly (./query-string.ts) unless the app brings its own parser.
    const ownParser = fastify?.routerOptions?.querystringParser ?? fastify?.querystringParser;
    const engineOptions: FastifyHttpOptions<Server> = {
      ...fastify,
      routerOptions: { ...fastify?.routerOptions, querystringParser: ownParser ?? parseQueryString },
      // Node enforces both timeouts only when it checks its connections, every 30 s by default:
      // a 30 s REQUEST_TIMEOUT then closed a slow client after up to 60 s.
      http: {
        headersTimeout: this.settings.headersTimeout,
        requestTimeout: this.settings.requestTimeout,
        connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL,
        // Node answers an HTTP/1.1 request without Host with a bare 400 of its own; the Host
        // check of the security layer answers it with a problem and the security headers.
        requireHostHeader: false,
      },
      // A socket with no traffic either way for this long is closed: a client that stopped
      // reading its response (its window full) holds it no longer. A response being written
      // (an SSE stream's heartbeats) is traffic.
      connectionTimeout: this.settings.socketIdleTimeout,
      logger: loggerOptions(this.settings, logger),
      bodyLimit: this.settings.bodyLimit,
      requestTimeout: this.settings.requestTimeout,
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
    handleExpectations(this.fastify.server, () => this.#connectionHeaders);
    this.#closeFreshConnections = trackFreshConnections(this.fastify.server);
    installErrorHandling(this.fastify, { debug: () => this.settings.debug, mappers: this.#errorMappers });
    installJsonParser(this.fastify, {
      maxDepth: this.settings.jsonMaxDepth,
      maxArrayLength: this.settings.jsonMaxArrayLength,
    });
    installTextParser(this.fastify);
    this.fastify.addHook('onClose', async () => {
      for (const hook of [...this.#shutdownHooks].reverse()) {
        try {
          await hook();
        } catch (err) {
          this.fastify.log.error({ err }, 'shutdown hook failed');
        }
      }
    });
  }

  protected override addRoute(route: RouteRecord): void {
    super.addRoute(route);
    this.fastify.route(compileRoute(route, { overrides: this.#overrides, lifecycle: this.#lifecycle }));
  }

  /** Runs `fn` while the app starts, before it accepts requests (open pools, warm caches). */
  onStartup(fn: Hook): this {
    this.fastify.addHook('onReady', async () => {
      await fn();
    });
    return this;
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
   * Adds headers to the answers Volt writes below the routing, where no hook runs: a request
   * Node's parser refused (malformed HTTP, headers too large, a timeout: 400, 431, 408) and an
   * `Expect` it cannot meet (417). The security layer puts its headers on them through it.
   */
  addConnectionHeaders(headers: ConnectionHeaders): this {
    Object.assign(this.#connectionHeaders, headers);
    return this;
  }

  /** Runs `fn` when the app closes, after in-flight requests finished; hooks run newest first. */
  onShutdown(fn: Hook): this {
    this.#shutdownHooks.push(fn);
    return this;
  }

  /**
   * Maps errors to responses. Mappers run in the order added; the first to return an
   * `HttpError` wins.
   *
   * @example
   * ```ts
   * app.onError((error) => (error instanceof OutOfStock ? new HttpError(409, error.message) : undefined));
   * ```
   */
  onError(mapper: ErrorMapper): this {
    this.#errorMappers.push(mapper);
    return this;
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
      const timer = setTimeout(() => server.closeAllConnections(), this.settings.shutdownTimeout);
      timer.unref();
      try {
        await this.fastify.close();
      } finally {
        clearTimeout(timer);
        clearInterval(sweep);
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

// How often, while closing, connections that went idle are closed.
const IDLE_SWEEP_INTERVAL = 50;

/** The reason `ctx.signal` of a stream aborts with when the app shuts down. */
function shutdownReason(): Error {
  return Object.assign(new Error('The server is shutting down'), { code: 'VOLT_SHUTDOWN' });
}

/**
 * Creates the bare HTTP app: routing, validation, errors, settings, no security layer and no
 * docs routes. Apps use `createApp()` or `volt()` from `volt`, which add the security headers,
 * the ALLOWED_HOSTS check and the form parser (`src/security/`) on top of this.
 */
export function createApp(options: AppOptions = {}): VoltApp {
  return new VoltApp(options);
}
