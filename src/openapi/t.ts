/**
 * `t`: the schema builder (TypeBox). One declaration is a TypeScript type, a JSON Schema,
 * a validator and an OpenAPI schema.
 *
 * TypeBox loads on the first use of `t`, not when `voltjs` is imported: it is some 370 ES
 * modules, a large share of the start of an app that declares no schema. Loaded synchronously
 * (`require()` of an ES module), so `t.Object(…)` works at the top of any module as before.
 *
 * @example
 * ```ts
 * const Item = t.Object({ name: t.String({ minLength: 1 }), price: t.Number({ exclusiveMinimum: 0 }) });
 * type Item = Static<typeof Item>;
 * ```
 */
import { createRequire } from 'node:module';
import type * as TypeBox from 'typebox';

export type { Static, TObject, TSchema } from 'typebox';

type Builder = typeof TypeBox.Type;

const requireModule = createRequire(import.meta.url);
let builder: Builder | undefined;

/** TypeBox's `Type` namespace, loaded on first use (the same module instance `import` gives). */
function load(): Builder {
  builder ??= (requireModule('typebox') as typeof TypeBox).Type;
  return builder;
}

/** The schema builder: TypeBox's `Type` (`t.Object`, `t.String`, `t.Optional`…). */
export const t: Builder = new Proxy({} as Builder, {
  get: (_, key) => Reflect.get(load(), key),
  has: (_, key) => Reflect.has(load(), key),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
    // A namespace's properties are not configurable; the proxy's empty target cannot say so.
    return descriptor && { ...descriptor, configurable: true };
  },
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
});
