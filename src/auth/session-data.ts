/**
 * `ctx.session`: the request's session data, loaded on first read; what a handler changes is
 * saved by the compiled handler once the handler is done (or failed), before the response is
 * serialized and its headers leave (a new session's cookie goes with them). A request that
 * never touches it costs nothing.
 */
import type { AnyContext } from '../http/context.ts';
import type { Sessions } from './sessions.ts';

const DELETED = Symbol('deleted');

function checkKey(key: string): string {
  if (typeof key !== 'string' || key === '' || key.startsWith('_'))
    throw new TypeError(
      `ctx.session: '${String(key)}' is not a session key; keys are non-empty and never start with _ (Volt's own)`,
    );
  return key;
}

/**
 * The session data of one request.
 *
 * @example
 * ```ts
 * app.post('/cart', { body: Item }, async (ctx) => {
 *   const cart = (await ctx.session.get<Item[]>('cart')) ?? [];
 *   ctx.session.set('cart', [...cart, ctx.body]); // saved after the handler, no call needed
 * });
 * ```
 */
export class SessionData {
  readonly #ctx: AnyContext;
  readonly #sessions: Sessions;
  #changes: Map<string, unknown> | undefined;
  #cleared = false;
  /** Set once the data was saved (or could no longer be): a later change would be lost. */
  #closed = false;

  constructor(ctx: AnyContext, sessions: Sessions) {
    this.#ctx = ctx;
    this.#sessions = sessions;
  }

  /** Whether the handler changed the data (it is then saved after the handler). */
  get changed(): boolean {
    return this.#changes !== undefined;
  }

  /** The value under `key`, or `undefined`. The session is read from its store once per request. */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    checkKey(key);
    const change = this.#changes?.get(key);
    if (change !== undefined || this.#changes?.has(key))
      return change === DELETED ? undefined : (change as T);
    if (this.#cleared) return undefined;
    const session = await this.#sessions.load(this.#ctx.request);
    return session.record?.data[key] as T | undefined;
  }

  /** Every key of the data (Volt's own, starting with `_`, left out). */
  async keys(): Promise<string[]> {
    const session = await this.#sessions.load(this.#ctx.request);
    const keys = new Set(
      this.#cleared ? [] : Object.keys(session.record?.data ?? {}).filter((k) => !k.startsWith('_')),
    );
    for (const [key, value] of this.#changes ?? []) {
      if (value === DELETED) keys.delete(key);
      else keys.add(key);
    }
    return [...keys];
  }

  /** Sets `key` (a JSON value); a request without a session starts one (its cookie is set). */
  set(key: string, value: unknown): void {
    checkKey(key);
    if (value === undefined)
      throw new TypeError(`ctx.session.set('${key}', undefined): use delete('${key}')`);
    this.#change().set(key, value);
  }

  /** Removes `key`. */
  delete(key: string): void {
    this.#change().set(checkKey(key), DELETED);
  }

  /** Removes every key (the login stays). */
  clear(): void {
    this.#cleared = true;
    this.#change().clear();
  }

  #change(): Map<string, unknown> {
    if (this.#closed)
      throw new Error(
        'ctx.session changed after the response was prepared, where the change would be lost: change it in the handler, a dependency or a beforeHandler hook',
      );
    this.#changes ??= new Map();
    return this.#changes;
  }

  /**
   * @internal Ends the request's changes: later ones throw. Writes the changes, if any (auth
   * queues it on the context, `ctx.beforeSend`, when `ctx.session` is first read).
   */
  close(): Promise<void> | undefined {
    this.#closed = true;
    return this.#changes ? this.#save() : undefined;
  }

  async #save(): Promise<void> {
    const changes = this.#changes;
    if (!changes) return;
    this.#changes = undefined;
    const { request, reply } = this.#ctx;
    let session = await this.#sessions.load(request);
    if (!session.record) {
      // Nothing to start a session for: only deletions on a request without one.
      if (![...changes.values()].some((value) => value !== DELETED)) return;
      session = await this.#sessions.rotate(request, reply, null);
    }
    const data = session.record!.data;
    if (this.#cleared) for (const key of Object.keys(data)) if (!key.startsWith('_')) delete data[key];
    for (const [key, value] of changes) {
      if (value === DELETED) delete data[key];
      else data[key] = value;
    }
    this.#cleared = false;
    await this.#sessions.save(request);
  }
}
