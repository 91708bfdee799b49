/**
 * `createApp()` and `volt()`: the HTTP core with the security layer, and with the API docs. The
 * HTTP core (`src/http`) knows nothing of OpenAPI nor of the security part; this is where they meet.
 */
import { type AppOptions, createApp as createHttpApp, type VoltApp } from './http/app.ts';
import { registerDocs } from './schema/docs-ui.ts';
import type { SecurityHeadersOptions } from './security/headers.ts';
import { installSecurity } from './security/install.ts';

/** Options of {@link createApp} and {@link volt}: the app's options plus its security headers. */
export interface VoltOptions extends AppOptions {
  /** Overrides of the security headers sent on every response; `false` on one drops it. */
  securityHeaders?: SecurityHeadersOptions;
}

/**
 * Creates an app without the docs routes: settings, routing, validation, errors, and the
 * security layer (security headers on every response, the ALLOWED_HOSTS check, the form parser).
 *
 * @example
 * ```ts
 * const app = createApp({ securityHeaders: { frameOptions: 'SAMEORIGIN' } });
 * ```
 */
export function createApp(options: VoltOptions = {}): VoltApp {
  const { securityHeaders, ...appOptions } = options;
  const app = createHttpApp(appOptions);
  installSecurity(app, securityHeaders ? { headers: securityHeaders } : {});
  return app;
}

/**
 * Creates a Volt app. Settings come from the environment and `.env`; options override them.
 * Unless `docs` is off, the app serves `/openapi.json`, Swagger UI at `/docs` and a second
 * renderer at `/redoc`.
 *
 * @example
 * ```ts
 * const app = volt({ info: { title: 'Shop' } });
 * app.get('/items/:id', { params: t.Object({ id: t.Integer() }) }, (ctx) => ({ id: ctx.params.id }));
 * await app.listen();
 * ```
 */
export function volt(options: VoltOptions = {}): VoltApp {
  const app = createApp(options);
  if (app.settings.docs) registerDocs(app);
  return app;
}
