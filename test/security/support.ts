/**
 * Helpers of the security tests: apps made the way users make them (`volt({ docs: false })` from `volt`,
 * which installs the security layer), without logging or a `.env` file.
 */
import type { VoltApp } from '../../src/http/app.ts';
import { type VoltOptions, volt } from '../../src/volt.ts';

/** A `volt({ docs: false })` app with no logging and no `.env` file. */
export function quietApp(options: VoltOptions = {}): VoltApp {
  return volt({ docs: false, logger: false, envFile: false, ...options });
}
