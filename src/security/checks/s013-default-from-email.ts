/** `security.S013`: mail is sent from a real address. */
import type { DeployCheck } from './types.ts';

/** Mail from `…@localhost` is rejected or marked as spam by most receiving servers. */
export const check: DeployCheck = {
  id: 'security.S013',
  title: 'DEFAULT_FROM_EMAIL is a real address',
  run: ({ defaultFromEmail }) =>
    /@localhost>?$/i.test(defaultFromEmail.trim())
      ? [
          {
            level: 'warning',
            message: `DEFAULT_FROM_EMAIL is ${defaultFromEmail}: receiving servers reject or bin mail from localhost.`,
            fix: 'Set DEFAULT_FROM_EMAIL to an address of your domain, e.g. no-reply@example.com',
          },
        ]
      : [],
};
