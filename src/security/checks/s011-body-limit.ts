/** `security.S011`: request bodies stay small. */
import type { DeployCheck } from './types.ts';

const TEN_MIB = 10 * 1024 * 1024;

/** Every body is held in memory while it is parsed: a large limit lets a few clients exhaust it. */
export const check: DeployCheck = {
  id: 'security.S011',
  title: 'BODY_LIMIT is 10 MiB or less',
  run: ({ bodyLimit }) =>
    bodyLimit > TEN_MIB
      ? [
          {
            level: 'warning',
            message: `BODY_LIMIT is ${bodyLimit} bytes, over 10 MiB: every request body is held in memory while it is parsed.`,
            fix: 'Lower BODY_LIMIT (default 1 MiB) and raise it only on the routes that need it with the route option bodyLimit.',
          },
        ]
      : [],
};
