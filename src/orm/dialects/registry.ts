/**
 * The `DialectOps` of each dialect by name, for the public field methods that accept a dialect's
 * name (`field.columnType('postgres')`) as well as its ops (`db.ops`).
 */
import type { DialectName } from '../database.ts';
import type { DialectOps } from './ops.ts';
import { postgresOps } from './postgres/ops.ts';
import { sqliteOps } from './sqlite/ops.ts';

const BY_NAME: Readonly<Record<DialectName, DialectOps>> = { sqlite: sqliteOps, postgres: postgresOps };

/** The ops of `dialect`: itself when it is ops already, else those of the dialect it names. */
export function opsOf(dialect: DialectOps | DialectName): DialectOps {
  return typeof dialect === 'string' ? BY_NAME[dialect] : dialect;
}
