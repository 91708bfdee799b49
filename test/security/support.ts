/**
 * Helpers of the security tests: apps made the way users make them (`createApp()` from `volt`,
 * which installs the security layer), without logging or a `.env` file.
 */
import type { VoltApp } from '../../src/http/app.ts';
import { createApp, type VoltOptions } from '../../src/volt.ts';

/** A `createApp()` app with no logging and no `.env` file. */
export function quietApp(options: VoltOptions = {}): VoltApp {
  return createApp({ logger: false, envFile: false, ...options });
}
