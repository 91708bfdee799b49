/**
 * The context of the request running now, for code that is not handed it: an audit log or a
 * model's history written by an ORM write observer, a logger deep in a library. Opt-in: an app
 * (an installed app's setup) calls `app.trackRequestContext()`, and from then each request of
 * that app runs its `beforeHandler` hooks, dependencies and handler inside an
 * `AsyncLocalStorage` holding its context; `currentContext()` reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyContext } from './context.ts';

const requestStore = new AsyncLocalStorage<AnyContext>();

/**
 * The context of the request whose work is running now (its `beforeHandler` hooks,
 * dependencies, handler and everything they await or start), or `undefined`: outside requests,
 * in a request of an app that did not call `app.trackRequestContext()`, in `request` hooks
 * (they run before the context is entered), and in `ctx.background` tasks and teardowns (they
 * run after the response, outside every request: capture `ctx` in the task if it needs it).
 *
 * @example
 * ```ts
 * app.trackRequestContext();
 * observeWrites(db, Book, async (tx, changes) => {
 *   const ctx = currentContext(); // the request that made the write, if any
 *   await query(tx, BookHistory).bulkCreate(changes.map((c) => ({ bookId: String(c.key), action: c.action, path: ctx?.request.url ?? null })));
 * });
 * ```
 */
export function currentContext(): AnyContext | undefined {
  return requestStore.getStore();
}

/**
 * Runs `serve(ctx, …args)` with `ctx` as the current context. `run`, not `enterWith`: the store
 * ends with the request's own work, so it never leaks into what the connection runs next (a
 * pipelined request's `request` hooks).
 *
 * @internal
 */
export function inRequestContext<A extends unknown[], R>(
  ctx: AnyContext,
  serve: (ctx: AnyContext, ...args: A) => R,
  ...args: A
): R {
  return requestStore.run(ctx, serve, ctx, ...args);
}
