/**
 * The docs pages: `/openapi.json`, Swagger UI at `/docs` and Scalar's API reference at
 * `/redoc`. Every asset comes from an npm package and is served from the app's own origin,
 * and the pages run under a strict Content-Security-Policy: no inline script, no CDN, no
 * request to another origin.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VoltApp } from '../http/app.ts';
import { HttpError } from '../http/errors.ts';
import { escapeHtml } from '../http/escape-html.ts';
import { openapiDocument } from './openapi.ts';

/** Where the docs routes are served; `false` leaves one out. */
export interface DocsOptions {
  /** The OpenAPI document. Default `/openapi.json`. */
  openapiUrl?: string | false;
  /** Swagger UI. Default `/docs`. */
  docsUrl?: string | false;
  /** The second renderer (Scalar's API reference). Default `/redoc`. */
  redocUrl?: string | false;
}

/**
 * Content-Security-Policy of the docs pages. Same-origin scripts only, no fonts, nothing
 * fetched from elsewhere. `inlineStyles` allows `<style>` elements, which Scalar injects
 * (Swagger UI needs no such exception).
 */
export function docsCsp(options: { inlineStyles?: boolean } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    options.inlineStyles ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
  };
}
const STRICT_HEADERS = securityHeaders(docsCsp());

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SVG = 'image/svg+xml';
const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

// Starts Swagger UI on the element that names the document's URL. BaseLayout has no URL bar,
// so the page can only show this app's document.
const SWAGGER_INIT = `'use strict';
(function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-openapi-url'),
    domNode: root,
    deepLinking: true,
    layout: 'BaseLayout',
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    validatorUrl: null,
    displayRequestDuration: true,
  });
})();
`;

// Starts Scalar with everything that would reach another origin turned off: its web fonts,
// telemetry, and the toolbar, AI chat and MCP buttons that talk to Scalar's cloud.
const SCALAR_INIT = `'use strict';
(function () {
  var root = document.getElementById('api-reference-root');
  Scalar.createApiReference(root, {
    url: root.getAttribute('data-openapi-url'),
    withDefaultFonts: false,
    telemetry: false,
    showDeveloperTools: 'never',
    documentDownloadType: 'json',
    hideClientButton: true,
    agent: { disabled: true },
    mcp: { disabled: true },
  });
})();
`;

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f2937"/><path d="M18 3 7 18h7l-2 11 11-15h-7z" fill="#facc15"/></svg>`;

/** One file served under a page's `assets/` path. */
interface AssetSource {
  type: string;
  load: () => Buffer;
}

interface LoadedAsset {
  type: string;
  body: Buffer;
  etag: string;
  gzipped: Promise<Buffer> | undefined;
}

const packageDirs = new Map<string, string>();

/** The folder of an installed package (its `exports` may hide the files we serve). */
function packageDir(name: string): string {
  let dir = packageDirs.get(name);
  if (dir) return dir;
  dir = dirname(fileURLToPath(import.meta.resolve(name)));
  while (!isPackageRoot(dir, name)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the folder of the package "${name}"; is it installed?`);
    dir = parent;
  }
  packageDirs.set(name, dir);
  return dir;
}

function isPackageRoot(dir: string, name: string): boolean {
  const file = join(dir, 'package.json');
  return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === name;
}

function fromPackage(name: string, file: string, type: string): AssetSource {
  return { type, load: () => readFileSync(join(packageDir(name), file)) };
}

function fromText(text: string, type: string): AssetSource {
  return { type, load: () => Buffer.from(text) };
}

const gzipAsync = promisify(gzip);

/** The files of one page, read on first use and then kept in memory. */
class AssetStore {
  readonly #sources: Record<string, AssetSource>;
  readonly #loaded = new Map<string, LoadedAsset>();

  constructor(sources: Record<string, AssetSource>) {
    this.#sources = sources;
  }

  get(name: string): LoadedAsset | undefined {
    let asset = this.#loaded.get(name);
    if (asset) return asset;
    const source = Object.hasOwn(this.#sources, name) ? this.#sources[name] : undefined;
    if (!source) return undefined;
    const body = source.load();
    const etag = createHash('sha256').update(body).digest('base64url').slice(0, 16);
    asset = { type: source.type, body, etag, gzipped: undefined };
    this.#loaded.set(name, asset);
    return asset;
  }

  /** The asset's URL under `base`, versioned by its content so it can be cached for a year. */
  url(base: string, name: string): string {
    return `${base}/assets/${name}?v=${this.get(name)!.etag}`;
  }
}

/**
 * Sends an asset. The pages name each asset with its content hash (`?v=`), so such a URL can
 * be cached for a year; any other URL of it is revalidated. The gzip variant has its own ETag.
 */
async function sendAsset(store: AssetStore, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const asset = store.get((request.params as { name: string }).name);
  if (!asset) throw new HttpError(404, 'No such docs asset.');
  const versioned = (request.query as { v?: unknown }).v === asset.etag;
  const gzipped =
    asset.body.length > 1024 && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  const etag = gzipped ? `"${asset.etag}-gz"` : `"${asset.etag}"`;
  reply
    .headers(STRICT_HEADERS)
    .header('content-type', asset.type)
    .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('etag', etag)
    .header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  if (!gzipped) return reply.send(asset.body);
  asset.gzipped ??= gzipAsync(asset.body, { level: 9 });
  return reply.header('content-encoding', 'gzip').send(await asset.gzipped);
}

interface PageParts {
  title: string;
  styles: string[];
  scripts: string[];
  favicon: string;
  body: string;
}

function renderPage(parts: PageParts): string {
  const styles = parts.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`);
  const scripts = parts.scripts.map((src) => `<script src="${escapeHtml(src)}"></script>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<link rel="icon" type="image/svg+xml" href="${escapeHtml(parts.favicon)}">
${styles.join('\n')}
</head>
<body>
${parts.body}
${scripts.join('\n')}
</body>
</html>
`;
}

/** Serves one HTML page and its assets; the page is rendered on first request. */
function servePage(
  app: VoltApp,
  base: string,
  names: { page: string; assets: string },
  store: AssetStore,
  csp: string,
  render: () => string,
): void {
  const headers = securityHeaders(csp);
  let html: string | undefined;
  app.get(base, { ...DOCS_ROUTE, summary: names.page }, ({ reply }) => {
    html ??= render();
    return reply.headers(headers).header('cache-control', 'no-cache').type(HTML).send(html);
  });
  app.get(`${base}/assets/:name`, { ...DOCS_ROUTE, summary: names.assets }, ({ request, reply }) =>
    sendAsset(store, request, reply),
  );
}

// The docs routes answer through the reply themselves, and stay out of the OpenAPI document.
const DOCS_ROUTE = { hidden: true };

function checkUrl(url: string, option: string): string {
  if (!url.startsWith('/') || url.length < 2 || url.endsWith('/')) {
    throw new Error(`registerDocs(): ${option} must be a path such as "/docs", got "${url}"`);
  }
  return url;
}

/**
 * Serves the OpenAPI document and the docs pages of an app. `volt()` installs it (as the `docs`
 * app) unless the `docs` setting is off; call it yourself on an app made with `volt({ docs: false })`.
 *
 * The document is built on the first request and then kept, so routes declared after this
 * call are included. The docs routes are the app's own (in `app.routes`, listed by `volt
 * routes`, behind the same hooks as every route) but hidden from the document.
 *
 * @example
 * ```ts
 * const app = volt({ docs: false });
 * registerDocs(app, { docsUrl: '/api/docs', redocUrl: false });
 * ```
 */
export function registerDocs(app: VoltApp, options: DocsOptions = {}): void {
  const openapiUrl = options.openapiUrl ?? '/openapi.json';
  const docsUrl = options.docsUrl ?? '/docs';
  const redocUrl = options.redocUrl ?? '/redoc';
  if (openapiUrl === false) {
    if (docsUrl !== false || redocUrl !== false) {
      throw new Error(
        'registerDocs(): the docs pages need the document; keep openapiUrl or turn the pages off too',
      );
    }
    return;
  }
  checkUrl(openapiUrl, 'openapiUrl');

  let json: string | undefined;
  // Built while the app starts, so a mistake in it (a duplicate operationId) stops the start
  // instead of failing every request to the document.
  app.onStartup(() => {
    json = JSON.stringify(openapiDocument(app));
  });
  app.get(openapiUrl, { ...DOCS_ROUTE, summary: 'The OpenAPI document' }, ({ reply }) => {
    json ??= JSON.stringify(openapiDocument(app));
    return reply.headers(STRICT_HEADERS).header('cache-control', 'no-cache').type(JSON_TYPE).send(json);
  });
  const favicon = fromText(FAVICON, SVG);
  const mount = (id: string) => `<div id="${id}" data-openapi-url="${escapeHtml(openapiUrl)}"></div>`;

  if (docsUrl !== false) {
    const base = checkUrl(docsUrl, 'docsUrl');
    const store = new AssetStore({
      'swagger-ui.css': fromPackage('swagger-ui-dist', 'swagger-ui.css', CSS),
      'index.css': fromPackage('swagger-ui-dist', 'index.css', CSS),
      'swagger-ui-bundle.js': fromPackage('swagger-ui-dist', 'swagger-ui-bundle.js', JS),
      'init.js': fromText(SWAGGER_INIT, JS),
      'favicon.svg': favicon,
    });
    servePage(app, base, { page: 'Swagger UI', assets: "Swagger UI's files" }, store, docsCsp(), () =>
      renderPage({
        title: `${app.info.title} — Swagger UI`,
        styles: [store.url(base, 'swagger-ui.css'), store.url(base, 'index.css')],
        scripts: [store.url(base, 'swagger-ui-bundle.js'), store.url(base, 'init.js')],
        favicon: store.url(base, 'favicon.svg'),
        body: mount('swagger-ui'),
      }),
    );
  }

  if (redocUrl !== false) {
    const base = checkUrl(redocUrl, 'redocUrl');
    const store = new AssetStore({
      'scalar.js': fromPackage('@scalar/api-reference', 'dist/browser/standalone.js', JS),
      'init.js': fromText(SCALAR_INIT, JS),
      'favicon.svg': favicon,
    });
    servePage(
      app,
      base,
      { page: 'API reference (Scalar)', assets: "The API reference's files" },
      store,
      docsCsp({ inlineStyles: true }),
      () =>
        renderPage({
          title: `${app.info.title} — API reference`,
          styles: [],
          scripts: [store.url(base, 'scalar.js'), store.url(base, 'init.js')],
          favicon: store.url(base, 'favicon.svg'),
          body: mount('api-reference-root'),
        }),
    );
  }
}
