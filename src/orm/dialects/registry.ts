/**
 * The dialects Volt speaks, listed once: `connect()` picks one by URL, `opsOf()` by name (for
 * the public field methods that accept a dialect's name, `field.columnType('postgres')`, as
 * well as its ops, `db.ops`), and `voltjs/testing` opens a test database of each. A third dialect
 * is one folder (`dialects/<name>/`, exporting a `DialectDescriptor` from `dialect.ts`) and one
 * line here.
 */
import type { DialectDescriptor } from './dialect.ts';
import type { DialectOps } from './ops.ts';
import { postgresDialect } from './postgres/dialect.ts';
import { sqliteDialect } from './sqlite/dialect.ts';

/** Every dialect, in the order `forEachDialect()` runs them. */
export const DIALECTS = [sqliteDialect, postgresDialect] as const;

/** The name of a dialect Volt speaks: `'sqlite' | 'postgres'`. */
export type DialectName = (typeof DIALECTS)[number]['name'];

const BY_NAME: ReadonlyMap<string, DialectDescriptor> = new Map(
  DIALECTS.map((dialect) => [dialect.name, dialect]),
);

/** The dialect named `name`. */
export function dialectNamed(name: DialectName): DialectDescriptor {
  return BY_NAME.get(name)!;
}

/** The dialect that opens `url`, by its scheme; `undefined` when none does. */
export function dialectForUrl(url: string): DialectDescriptor | undefined {
  return DIALECTS.find((dialect) => dialect.schemes.some((scheme) => url.startsWith(scheme)));
}

/** The ops of `dialect`: itself when it is ops already, else those of the dialect it names. */
export function opsOf(dialect: DialectOps | DialectName): DialectOps {
  return typeof dialect === 'string' ? dialectNamed(dialect).ops : dialect;
}
