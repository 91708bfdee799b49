/** `security.S014`: a slow client cannot hold a connection forever. */
import type { DeployCheck } from './types.ts';

/** With no request timeout, clients sending one byte a minute tie up connections (slowloris). */
export const check: DeployCheck = {
  id: 'security.S014',
  title: 'REQUEST_TIMEOUT is set',
  run: ({ requestTimeout }) =>
    requestTimeout === 0
      ? [
          {
            level: 'warning',
            message:
              'REQUEST_TIMEOUT is 0: a client that sends its request slowly holds its connection forever.',
            fix: 'Set REQUEST_TIMEOUT to the seconds a whole request may take (default 30, or 30s).',
          },
        ]
      : [],
};
