/** `security.S001`: DEBUG must be off in production. */
import type { DeployCheck } from './types.ts';

/** DEBUG on shows stack traces and internal messages in error responses. */
export const check: DeployCheck = {
  id: 'security.S001',
  title: 'DEBUG is off',
  run: (settings) =>
    settings.debug
      ? [
          {
            level: 'error',
            message: 'DEBUG is on: error responses show stack traces and internal messages to anyone.',
            fix: 'Set DEBUG=false (or remove it) in production.',
          },
        ]
      : [],
};
