/**
 * `DialectDescriptor`: what each dialect folder exports (`dialects/<name>/dialect.ts`) and the
 * one list of them (`registry.ts`) holds — its name, the URLs `connect()` opens with it, its
 * `DialectOps`, and its test databases. Kept light: the driver and the test-database code are
 * imported only when a database is opened.
 */
import type { ConnectOptions, Database } from '../database.ts';
import type { DialectOps } from './ops.ts';

/** One dialect, as `connect()`, `opsOf()` and `voltjs/testing` see it. Internal. */
export interface DialectDescriptor {
  /** The dialect's name, as `db.dialect`: `'sqlite'`. */
  readonly name: string;
  /** Its name for people: `'SQLite'`. */
  readonly title: string;
  /** The URL prefixes `connect()` opens with this dialect: `['postgres://', 'postgresql://']`. */
  readonly schemes: readonly string[];
  /** Example URLs, for the message of an unsupported one. */
  readonly exampleUrls: readonly string[];
  readonly ops: DialectOps;
  /** Opens a database from a URL with one of {@link schemes}. */
  open(url: string, options: ConnectOptions): Promise<Database>;
  /** Isolated databases for tests (`testDatabase()`, `forEachDialect()`). */
  readonly testDatabase: {
    /** Why this environment cannot open one (a missing setting), or `undefined` when it can. */
    unavailable(): string | undefined;
    /** A fresh database (on `url`, if the dialect takes one), gone once closed. */
    open(url: string | undefined, options: ConnectOptions): Promise<Database>;
  };
}
