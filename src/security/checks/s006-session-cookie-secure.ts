/** `security.S006`: the session cookie is sent over HTTPS only. */
import type { DeployCheck } from './types.ts';

/** A session cookie sent over plain HTTP can be read on the network and replayed. */
export const check: DeployCheck = {
  id: 'security.S006',
  title: 'SESSION_COOKIE_SECURE is on',
  run: (settings) =>
    settings.sessionCookieSecure
      ? []
      : [
          {
            level: 'error',
            message:
              'SESSION_COOKIE_SECURE is off: the session cookie is also sent over plain HTTP, where it can be stolen.',
            fix: 'Set SESSION_COOKIE_SECURE=true (the production default) and serve over HTTPS.',
          },
        ],
};
