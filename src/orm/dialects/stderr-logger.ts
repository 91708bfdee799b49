/**
 * The database's logger when the app gives none: one JSON line per event on stderr, in pino's
 * shape (`level` 50 is error), so it reads like the app's own log and never spans 70 lines.
 * (The app's log serializes errors with `src/http/log-errors.ts`; the ORM imports nothing of
 * `src/http`, so this small one of its own stays here. It writes scalar fields only, so no
 * library object — pg's client with its password — reaches the line.)
 */
import type { DatabaseLogger } from '../database.ts';

/** An error as plain data: its name, message, code and other scalar fields, stack, and cause. */
function serialize(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (value === undefined || value === null || key === 'cause') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
  }
  if (error.stack !== undefined) out.stack = error.stack;
  if (error.cause !== undefined && depth < 5) out.cause = serialize(error.cause, depth + 1);
  return out;
}

/**
 * Writes `{"level":50,"time":…,"msg":…,"err":{…}}` on stderr.
 *
 * @example
 * ```ts
 * stderrLogger.error({ err: new Error('terminating connection') }, 'PostgreSQL: an idle client failed');
 * ```
 */
export const stderrLogger: DatabaseLogger = {
  error(object: unknown, message?: string): void {
    const fields: Record<string, unknown> = {};
    if (typeof object === 'object' && object !== null && !(object instanceof Error)) {
      for (const [key, value] of Object.entries(object)) fields[key] = serialize(value);
    } else if (object !== undefined) {
      fields.err = serialize(object);
    }
    const line = { level: 50, time: Date.now(), pid: process.pid, msg: message ?? '', ...fields };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  },
};
