/**
 * Serves the hello example (examples/hello/app.ts, which holds the benchmark routes) on
 * `PORT`. Logging is silenced before the app is imported, because the example creates its
 * app at import time from the environment.
 *
 * Usage: `PORT=3000 node --conditions=volt-source bench/servers/volt.ts`
 */
process.env.LOG_LEVEL ??= 'silent';

const { app } = await import('../../examples/hello/app.ts');
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
