/**
 * The docs routes: `/openapi.json`, Swagger UI at `/docs` and Scalar's API reference at
 * `/redoc`. Every asset comes from an npm package and is served from the app's own origin,
 * and the pages run under a strict Content-Security-Policy: no inline script, no CDN, no
 * request to another origin.
 *
 * The document is built while the app starts; the pages' code (`./docs-pages.ts`) loads on
 * the first request to a page or one of its files, so an app whose pages nobody opens never
 * loads it.
 */
import type { VoltApp } from '../http/app.ts';
import { docsCsp, docsHeaders } from './docs-csp.ts';
import type { DocsPage } from './docs-pages.ts';
import { openapiDocument } from './openapi.ts';

export { docsCsp } from './docs-csp.ts';

/** Where the docs routes are served; `false` leaves one out. */
export interface DocsOptions {
  /** The OpenAPI document. Default `/openapi.json`. */
  openapiUrl?: string | false;
  /** Swagger UI. Default `/docs`. */
  docsUrl?: string | false;
  /** The second renderer (Scalar's API reference). Default `/redoc`. */
  redocUrl?: string | false;
}

const STRICT_HEADERS = docsHeaders(docsCsp());
const JSON_TYPE = 'application/json; charset=utf-8';

type Pages = typeof import('./docs-pages.ts');

/**
 * Serves one page and its files. The page's module is imported on the first request to either
 * (once: the requests that arrive meanwhile wait for the same import), then used directly.
 */
function servePage(
  app: VoltApp,
  base: string,
  names: { page: string; assets: string },
  make: (pages: Pages) => DocsPage,
): void {
  let page: DocsPage | undefined;
  let loading: Promise<DocsPage> | undefined;
  const withPage = <T>(use: (page: DocsPage) => T): T | Promise<T> => {
    if (page) return use(page);
    loading ??= import('./docs-pages.ts').then(
      (pages) => (page = make(pages)),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading.then(use);
  };
  app.get(base, { ...DOCS_ROUTE, summary: names.page }, ({ reply }) => withPage((p) => p.sendPage(reply)));
  app.get(`${base}/assets/:name`, { ...DOCS_ROUTE, summary: names.assets }, ({ request, reply }) =>
    withPage((p) => p.sendAsset(request, reply)),
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
 * The document is built while the app starts and then kept, so routes declared after this
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

  if (docsUrl !== false) {
    const base = checkUrl(docsUrl, 'docsUrl');
    servePage(app, base, { page: 'Swagger UI', assets: "Swagger UI's files" }, (pages) =>
      pages.swaggerUiPage({ base, openapiUrl, title: app.info.title }),
    );
  }

  if (redocUrl !== false) {
    const base = checkUrl(redocUrl, 'redocUrl');
    servePage(app, base, { page: 'API reference (Scalar)', assets: "The API reference's files" }, (pages) =>
      pages.scalarPage({ base, openapiUrl, title: app.info.title }),
    );
  }
}
