/**
 * `--host` and `--port`, shared by `volt start` and `volt dev`.
 */
import type { FlagSpec, FlagValues } from './command.ts';
import { UsageError } from './errors.ts';

/** The flags of the serving commands. */
export const SERVER_FLAGS = {
  host: {
    type: 'string',
    valueName: 'HOST',
    description: 'Interface to listen on (default: HOST, else 127.0.0.1)',
  },
  port: {
    type: 'string',
    short: 'p',
    valueName: 'PORT',
    description: 'Port to listen on; 0 picks a free one (default: PORT, else 8000)',
  },
} as const satisfies Record<string, FlagSpec>;

/** Where to listen; absent fields fall back to the app's settings. */
export interface ListenOptions {
  host?: string;
  port?: number;
}

/** Checks `--host` and `--port`; throws a {@link UsageError} for a bad port. */
export function listenOptions(flags: FlagValues<typeof SERVER_FLAGS>): ListenOptions {
  const options: ListenOptions = {};
  if (flags.host !== undefined) {
    if (flags.host.trim() === '')
      throw new UsageError('--host needs a host name or address, e.g. --host 0.0.0.0');
    options.host = flags.host;
  }
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!/^\d+$/.test(flags.port) || port > 65535) {
      throw new UsageError(`--port must be a whole number from 0 to 65535, got '${flags.port}'`);
    }
    options.port = port;
  }
  return options;
}
