/**
 * `volt()`: the app with its API docs. The HTTP core (`src/http`) knows nothing of OpenAPI;
 * this is where the two meet.
 */
import { type AppOptions, createApp, type VoltApp } from './http/app.ts';
import { registerDocs } from './schema/docs-ui.ts';

/**
 * Creates a Volt app. Settings come from the environment and `.env`; options override them.
 * Unless `docs` is off, the app serves `/openapi.json`, Swagger UI at `/docs` and a second
 * renderer at `/redoc`.
 *
 * @example
 * ```ts
 * import { t, volt } from 'volt';
 * const app = volt({ info: { title: 'Shop' } });
 * app.get('/items/:id', { params: t.Object({ id: t.Integer() }) }, (ctx) => ({ id: ctx.params.id }));
 * await app.listen();
 * ```
 */
export function volt(options: AppOptions = {}): VoltApp {
  const app = createApp(options);
  if (app.settings.docs) registerDocs(app);
  return app;
}
