/**
 * The docs pages: Swagger UI and Scalar's API reference, their HTML and their files. Every
 * asset comes from an npm package and is served from the app's own origin. `./docs-ui.ts`
 * registers the routes and loads this module on the first request to a page or one of its
 * files: an app whose docs pages nobody opens never loads it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';
import { escapeHtml } from '../http/escape-html.ts';
import { docsCsp, docsHeaders } from './docs-csp.ts';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SVG = 'image/svg+xml';
const HTML = 'text/html; charset=utf-8';
const STRICT_HEADERS = docsHeaders(docsCsp());

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

/** One docs page and its files, as the routes of ./docs-ui.ts serve them. */
export interface DocsPage {
  /** Sends the page's HTML (rendered on the first call). */
  sendPage(reply: FastifyReply): FastifyReply;
  /** Sends the file the request names (`:name`), or a 404. */
  sendAsset(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

/** What a page needs to know of its app: where it is served, the document's URL, the API's title. */
export interface DocsPageOptions {
  base: string;
  openapiUrl: string;
  title: string;
}

function docsPage(store: AssetStore, csp: string, render: () => string): DocsPage {
  const headers = docsHeaders(csp);
  let html: string | undefined;
  return {
    sendPage(reply) {
      html ??= render();
      return reply.headers(headers).header('cache-control', 'no-cache').type(HTML).send(html);
    },
    sendAsset: (request, reply) => sendAsset(store, request, reply),
  };
}

function mount(id: string, openapiUrl: string): string {
  return `<div id="${id}" data-openapi-url="${escapeHtml(openapiUrl)}"></div>`;
}

/** Swagger UI, showing the document at `openapiUrl`. */
export function swaggerUiPage({ base, openapiUrl, title }: DocsPageOptions): DocsPage {
  const store = new AssetStore({
    'swagger-ui.css': fromPackage('swagger-ui-dist', 'swagger-ui.css', CSS),
    'index.css': fromPackage('swagger-ui-dist', 'index.css', CSS),
    'swagger-ui-bundle.js': fromPackage('swagger-ui-dist', 'swagger-ui-bundle.js', JS),
    'init.js': fromText(SWAGGER_INIT, JS),
    'favicon.svg': fromText(FAVICON, SVG),
  });
  return docsPage(store, docsCsp(), () =>
    renderPage({
      title: `${title} — Swagger UI`,
      styles: [store.url(base, 'swagger-ui.css'), store.url(base, 'index.css')],
      scripts: [store.url(base, 'swagger-ui-bundle.js'), store.url(base, 'init.js')],
      favicon: store.url(base, 'favicon.svg'),
      body: mount('swagger-ui', openapiUrl),
    }),
  );
}

/** Scalar's API reference, showing the document at `openapiUrl`. */
export function scalarPage({ base, openapiUrl, title }: DocsPageOptions): DocsPage {
  const store = new AssetStore({
    'scalar.js': fromPackage('@scalar/api-reference', 'dist/browser/standalone.js', JS),
    'init.js': fromText(SCALAR_INIT, JS),
    'favicon.svg': fromText(FAVICON, SVG),
  });
  return docsPage(store, docsCsp({ inlineStyles: true }), () =>
    renderPage({
      title: `${title} — API reference`,
      styles: [],
      scripts: [store.url(base, 'scalar.js'), store.url(base, 'init.js')],
      favicon: store.url(base, 'favicon.svg'),
      body: mount('api-reference-root', openapiUrl),
    }),
  );
}
