/** `security.S008`: the API docs are not served in production unless meant to be. */
import type { DeployCheck } from './types.ts';

/** `/docs`, `/redoc` and `/openapi.json` describe every route to anyone who asks. */
export const check: DeployCheck = {
  id: 'security.S008',
  title: 'the API docs are off',
  run: (settings) =>
    settings.docs
      ? [
          {
            level: 'warning',
            message: 'DOCS is on: /docs, /redoc and /openapi.json describe every route to anyone.',
            fix: 'Set DOCS=false, unless the API is meant to be public and documented.',
          },
        ]
      : [],
};
